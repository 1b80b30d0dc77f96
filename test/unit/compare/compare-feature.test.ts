import { describe, expect, it } from 'vitest';
import { compareFeature, DEFAULT_CONFIG, planWindow, referenceThreshold, unitHint } from '@/lib/compare';
import { buildDigest } from '@/lib/digest';
import { DAY_MS, HOUR_MS } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, sample, standardNormal } from '@/test/helpers/random';

const key = (feature: string, chunk = -1) => ({ model: 'm', feature, period_start: 0, period_end: HOUR_MS, chunk });
const defaults = DEFAULT_CONFIG.defaults;

function lognormal(n: number, seed: number, scale = 1): Float64Array {
  const z = standardNormal(mulberry32(seed));
  return Float64Array.from({ length: n }, () => scale * Math.exp(5.3 + 0.6 * z()));
}

describe('unit hints', () => {
  const seconds = buildDigest(lognormal(20_000, 1)).digest;
  it.each([
    [1000, 'values look ×1000 larger: seconds sent as milliseconds?'],
    [1 / 1000, 'values look ×1000 smaller: milliseconds sent as seconds?'],
    [60, 'values look ×60 larger: minutes sent as seconds?'],
    [3600, 'values look ×3600 larger: hours sent as seconds?'],
    [100, 'values look ×100 larger: a fraction sent as a percentage?'],
  ])('names a ×%d change', (factor, message) => {
    expect(unitHint(seconds, buildDigest(lognormal(5_000, 2, factor)).digest)).toBe(message);
  });

  it('names a switch that happened inside the window, with the share of values it affects', () => {
    const mixed = new Float64Array([...lognormal(4_000, 11), ...lognormal(1_000, 12, 1000)]);
    expect(unitHint(seconds, buildDigest(mixed).digest)).toBe('20% of values look ×1000 larger: seconds sent as milliseconds?');
  });

  it('stays silent for ordinary drift and for the same distribution', () => {
    expect(unitHint(seconds, buildDigest(lognormal(5_000, 3, 1.4)).digest)).toBeUndefined();
    expect(unitHint(seconds, buildDigest(lognormal(5_000, 4)).digest)).toBeUndefined();
  });

  it('stays silent when values can be zero or negative', () => {
    const normal = buildDigest(sample('normal', 5000, 5).map((x) => x - 100)).digest;
    expect(unitHint(normal, normal)).toBeUndefined();
  });
});

describe('compareFeature verdicts', () => {
  const reference = numericSummary(key('t'), lognormal(50_000, 6), 500, 0);
  const chunks = Array.from({ length: 10 }, (_, i) => numericSummary(key('t', i), lognormal(5_000, 100 + i), 50, 0));
  const threshold = referenceThreshold(chunks, 'area', defaults);

  it('calibrates a threshold from reference chunks, at least the materiality floor', () => {
    expect(threshold.value).toBeGreaterThanOrEqual(defaults.materiality.area);
    expect(threshold.chunks).toBe(10);
  });

  it('is ok for a window from the same distribution', () => {
    const c = compareFeature(reference, numericSummary(key('t'), lognormal(5_000, 7), 50, 0), 'area', threshold, defaults);
    expect(c.verdict).toBe('ok');
    expect(c.value).toBeLessThan(threshold.value);
  });

  it('is drift, with the ×1000 hint, when seconds arrive as milliseconds', () => {
    const c = compareFeature(reference, numericSummary(key('t'), lognormal(5_000, 8, 1000), 50, 0), 'area', threshold, defaults);
    expect(c.verdict).toBe('drift');
    expect(c.value).toBe(1);
    expect(c.hint).toBe('values look ×1000 larger: seconds sent as milliseconds?');
  });

  it('is failing when the null rate jumps to 90%, even if the values left look the same', () => {
    const c = compareFeature(reference, numericSummary(key('t'), lognormal(500, 9), 4500, 0), 'area', threshold, defaults);
    expect(c.verdict).toBe('failing');
    expect(c.failed_rate).toBeCloseTo(0.9, 12);
    expect(c.reference_failed_rate).toBeCloseTo(500 / 50_500, 12);
    expect(c.hint).toMatch(/^failed values 90\.0% vs 1\.0% in the reference/);
  });

  it('is not failing for a significant but immaterial rise (1% → 2%)', () => {
    const c = compareFeature(reference, numericSummary(key('t'), lognormal(49_000, 10), 1000, 0), 'area', threshold, defaults);
    expect(c.verdict).toBe('ok');
  });

  it('names new categories for categorical features', () => {
    const ref = categoricalSummary(key('pay'), new Map([['card', 600], ['paypal', 400]]), 0, 0);
    const live = categoricalSummary(key('pay'), new Map([['card', 500], ['paypal', 300], ['crypto', 200]]), 0, 0);
    const c = compareFeature(ref, live, 'js', { value: 0.05, source: 'floor' }, defaults);
    expect(c.verdict).toBe('drift');
    expect(c.unseen_categories).toEqual(['crypto']);
    expect(c.hint).toBe('new category not in the reference: crypto');
  });
});

describe('planWindow', () => {
  const day = Date.parse('2026-11-01T00:00:00Z');
  const hours = new Set(Array.from({ length: 24 * 5 }, (_, i) => day + i * HOUR_MS));
  const days = new Set([day, day + DAY_MS, day + 2 * DAY_MS]);

  it('uses daily rollups for whole days and hours for the edges', () => {
    const plan = planWindow(day + 20 * HOUR_MS, day + 3 * DAY_MS + 2 * HOUR_MS, days, hours);
    expect(plan.days).toEqual([day + DAY_MS, day + 2 * DAY_MS]);
    expect(plan.hours).toEqual([20, 21, 22, 23, 72, 73].map((h) => day + h * HOUR_MS));
  });

  it('falls back to hours where a day has no rollup, and widens bounds to whole hours', () => {
    const plan = planWindow(day + 3 * DAY_MS + 30 * 60_000, day + 3 * DAY_MS + 3 * HOUR_MS - 1, days, hours);
    expect(plan.from).toBe(day + 3 * DAY_MS);
    expect(plan.to).toBe(day + 3 * DAY_MS + 3 * HOUR_MS);
    expect(plan.hours).toHaveLength(3);
  });
});
