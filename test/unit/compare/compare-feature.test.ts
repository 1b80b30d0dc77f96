import { describe, expect, it } from 'vitest';
import { compareFeature, DEFAULT_CONFIG, effectiveSize, planWindow, referenceThreshold, unitHint } from '@/lib/compare';
import { buildDigest } from '@/lib/digest';
import { DAY_MS, HOUR_MS, weekStart } from '@/lib/format';
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
  const available = { weeks: new Set<number>(), days, blocks: new Set<number>(), hours };

  it('uses daily rollups for whole days and hours for the edges', () => {
    const plan = planWindow(day + 20 * HOUR_MS, day + 3 * DAY_MS + 2 * HOUR_MS, available);
    expect(plan.days).toEqual([day + DAY_MS, day + 2 * DAY_MS]);
    expect(plan.hours).toEqual([20, 21, 22, 23, 72, 73].map((h) => day + h * HOUR_MS));
  });

  it('falls back to hours where a day has no rollup, and widens bounds to whole hours', () => {
    const plan = planWindow(day + 3 * DAY_MS + 30 * 60_000, day + 3 * DAY_MS + 3 * HOUR_MS - 1, available);
    expect(plan.from).toBe(day + 3 * DAY_MS);
    expect(plan.to).toBe(day + 3 * DAY_MS + 3 * HOUR_MS);
    expect(plan.hours).toHaveLength(3);
  });

  it('prefers weeks, then days, then 6-hour blocks, and covers every hour exactly once', () => {
    // 2026-11-01 is a Sunday: the weeks from Monday 11-02 to 11-30 are whole inside the window.
    const start = Date.parse('2026-10-28T00:00:00Z');
    const allHours = new Set(Array.from({ length: 24 * 40 }, (_, i) => start + i * HOUR_MS));
    const every = (step: number, keep: (t: number) => boolean = () => true) => new Set([...allHours].filter((t) => (t - start) % step === 0 && keep(t)));
    const all = { weeks: every(DAY_MS, (t) => weekStart(t) === t), days: every(DAY_MS), blocks: every(6 * HOUR_MS), hours: allHours };
    const from = start + 13 * HOUR_MS;
    const to = start + 33 * DAY_MS + 15 * HOUR_MS;
    const plan = planWindow(from, to, all);
    expect(plan.weeks.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    // 13:00–18:00 as hours, the 18:00 block, 4 days to Monday; after the weeks, 2 blocks and 3 hours.
    expect(plan.days.length).toBe(4);
    expect(plan.blocks.length).toBe(3);
    expect(plan.hours.length).toBe(5 + 3);
    const covered = [...plan.weeks.map((t) => [t, 7 * DAY_MS]), ...plan.days.map((t) => [t, DAY_MS]), ...plan.blocks.map((t) => [t, 6 * HOUR_MS]), ...plan.hours.map((t) => [t, HOUR_MS])];
    const hoursCovered = covered.flatMap(([t, len]) => Array.from({ length: len / HOUR_MS }, (_, i) => t + i * HOUR_MS)).sort((a, b) => a - b);
    expect(hoursCovered).toEqual(Array.from({ length: (to - from) / HOUR_MS }, (_, i) => from + i * HOUR_MS));
    expect(covered.length).toBeLessThanOrEqual(20);
    // Without weekly files (a format-1.0 store), the same window falls back to days.
    const noWeeks = planWindow(from, to, { ...all, weeks: new Set<number>() });
    expect(noWeeks.weeks).toEqual([]);
    expect(noWeeks.days.length).toBe(plan.days.length + 28);
  });
});

describe('how many rows a verdict needs', () => {
  const reference = numericSummary(key('x'), lognormal(20_000, 21), 0, 0);
  // Chunk statistics of a calibration at an effective size of 1,000 rows: the threshold grows as 1/√n below it.
  const calibrated = { value: 0.1, source: 'reference' as const, chunk_mean: 0.04, chunk_sd: 0.02, chunks: 10, n_eff: 1000, floor: 0.08, sigmas: 3 };

  it('says a small window is too small, with the smallest size that gives a verdict', () => {
    const tiny = numericSummary(key('x'), lognormal(5, 22), 0, 0);
    const c = compareFeature(reference, tiny, 'area', calibrated, defaults);
    expect(c.min_rows).not.toBeNull();
    // Exactly the first size where the threshold drops below 1, the most area can reach.
    const n = effectiveSize;
    const limit = (live: number) => (0.04 + 3 * 0.02) * Math.sqrt(1000 / n(reference.count, live));
    expect(limit(c.min_rows!)).toBeLessThan(1);
    expect(limit(c.min_rows! - 1)).toBeGreaterThanOrEqual(1);
    expect(c.insufficient).toBe(`5 rows: a verdict needs at least ${c.min_rows}`);
  });

  it('stays quiet for a window large enough, and for a feature whose drift is not monitored', () => {
    const large = numericSummary(key('x'), lognormal(2_000, 23), 0, 0);
    expect(compareFeature(reference, large, 'area', calibrated, defaults).insufficient).toBeUndefined();
    const tiny = numericSummary(key('x'), lognormal(5, 24), 0, 0);
    const off = compareFeature(reference, tiny, 'area', calibrated, defaults, { drift: false });
    expect(off.verdict).toBe('not_monitored');
    expect(off.insufficient).toBeUndefined();
  });

  it('says when no window size is enough instead of naming a size nobody can reach', () => {
    // A reference of 3 rows: even an infinite window leaves the threshold above 1.
    const small = numericSummary(key('x'), [1, 2, 3], 0, 0);
    const c = compareFeature(small, numericSummary(key('x'), lognormal(50_000, 25), 0, 0), 'area', calibrated, defaults);
    expect(c.min_rows).toBeNull();
    expect(c.insufficient).toMatch(/^no window is large enough for a verdict on area: its threshold stays above 1/);
  });
});
