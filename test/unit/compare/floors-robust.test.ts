import { describe, expect, it } from 'vitest';
import { compareFeature, DEFAULT_CONFIG, floorOf, parseConfig, referenceThreshold, withFloor } from '@/lib/compare';
import type { SummaryRow } from '@/lib/format';
import { categoricalSummary } from '@/lib/summary';
import { mulberry32 } from '@/test/helpers/random';

const key = (chunk = -1) => ({ model: 'm', feature: 'repaid_before', period_start: 0, period_end: 0, chunk });

/** Exactly `share` of `n` rows "yes", the rest "no", as a categorical summary. */
function binary(n: number, share: number, chunk = -1): SummaryRow {
  const yes = Math.round(n * share);
  return { ...categoricalSummary(key(chunk), new Map([['yes', yes], ['no', n - yes]]), 0, 0), chunk };
}

describe('materiality floors per metric and kind, configurable per feature', () => {
  const defaults = DEFAULT_CONFIG.defaults;
  // 20 chunks of 2,500 rows whose share wobbles as binomial noise does (sd ≈ 0.9 points).
  const rng = mulberry32(4);
  const chunks = Array.from({ length: 20 }, (_, c) => binary(2500, 0.3 + 0.009 * (rng() + rng() + rng() - 1.5) * 2, c));
  const reference = binary(50_000, 0.3);

  it('has its own floor for JS over categories, lower than over numeric bins', () => {
    expect(floorOf('js', 'categorical', defaults.materiality)).toBe(0.03);
    expect(floorOf('js', 'numeric', defaults.materiality)).toBe(0.05);
    expect(floorOf('linf', 'categorical', defaults.materiality)).toBe(0.03);
    expect(floorOf('area', 'numeric', defaults.materiality)).toBe(0.08);
  });

  it('flags a 4-point shift in a proportion (30% → 34%, JS ≈ 0.036) in a 5,000-row window', () => {
    const threshold = referenceThreshold(chunks, 'js', defaults);
    expect(threshold.source).toBe('floor');
    expect(threshold.value).toBe(0.03);
    const shifted = compareFeature(reference, binary(5000, 0.34), 'js', threshold, defaults);
    expect(shifted.value as number).toBeGreaterThan(0.035);
    expect(shifted.value as number).toBeLessThan(0.04);
    expect(shifted.verdict).toBe('drift');
    expect(shifted.p_value as number).toBeLessThan(1e-6);
    // The same population is quiet, and a 1-point wobble too.
    expect(compareFeature(reference, binary(5000, 0.3), 'js', threshold, defaults).verdict).toBe('ok');
    expect(compareFeature(reference, binary(5000, 0.31), 'js', threshold, defaults).verdict).toBe('ok');
  });

  it('a feature of its own floor (config `floor`) keeps the calibration above it', () => {
    const config = parseConfig('models:\n  m:\n    features:\n      repaid_before: { floor: 0.05 }\n');
    const own = config.models.m.features.repaid_before.floor as number;
    const threshold = withFloor(referenceThreshold(chunks, 'js', defaults), 'js', own, defaults, 'categorical');
    expect(threshold.value).toBe(0.05);
    expect(compareFeature(reference, binary(5000, 0.34), 'js', threshold, defaults).verdict).toBe('ok');
    // A floor under the calibrated value changes nothing.
    const calibrated = referenceThreshold(chunks, 'js', { ...defaults, materiality: { ...defaults.materiality, js_categorical: 0 } });
    expect(withFloor(calibrated, 'js', 0.001, defaults, 'categorical').value).toBe(calibrated.value);
  });
});
