import { describe, expect, it } from 'vitest';
import { ApiError, categoryBars, cdfPoints, resolveWindow, sharedHistogram, sourceStats } from '@/lib/dashboard';
import { HOUR_MS, OTHER_CATEGORY } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { sample } from '@/test/helpers/random';
import { sortedCopy } from '@/test/helpers/exact';

const key = (feature: string) => ({ model: 'm', feature, period_start: 0, period_end: HOUR_MS });

describe('resolveWindow', () => {
  const anchor = Date.parse('2026-11-15T00:00:00Z');
  it('makes a relative window end at the anchor and an absolute one from whole hours', () => {
    expect(resolveWindow({ window: '12h' }, anchor, '24h')).toEqual({ fromMs: anchor - 12 * HOUR_MS, toMs: anchor, window: '12h' });
    expect(resolveWindow({}, anchor, '24h')).toEqual({ fromMs: anchor - 24 * HOUR_MS, toMs: anchor, window: '24h' });
    expect(resolveWindow({ from: '2026-11-08T10:30:00Z', to: '2026-11-09T10:10:00+01:00' }, anchor, '24h')).toEqual({ fromMs: Date.parse('2026-11-08T10:00:00Z'), toMs: Date.parse('2026-11-09T10:00:00Z') });
  });
  it('ends a relative window at `to` when one is given (the CLI\'s --window 12h --to T)', () => {
    expect(resolveWindow({ to: '2026-11-08T09:30:00Z' }, anchor, '24h')).toEqual({ fromMs: Date.parse('2026-11-07T10:00:00Z'), toMs: Date.parse('2026-11-08T10:00:00Z'), window: '24h' });
    expect(resolveWindow({ window: '12h', to: '2026-11-08T10:00:00Z' }, anchor, '24h')).toEqual({ fromMs: Date.parse('2026-11-07T22:00:00Z'), toMs: Date.parse('2026-11-08T10:00:00Z'), window: '12h' });
  });
  it('reads `from` alone as from then up to the latest data', () => {
    expect(resolveWindow({ from: '2026-11-14T00:00:00Z' }, anchor, '24h')).toEqual({ fromMs: Date.parse('2026-11-14T00:00:00Z'), toMs: anchor });
  });
  it('refuses a huge window for its length, not its form', () => {
    expect(() => resolveWindow({ window: '876000h' }, anchor, '24h')).toThrow(/^window: a window may span at most 400 days/);
  });
  it.each([
    [{ from: 'yesterday', to: '2026-11-08T00:00:00Z' }, /^from: not a timestamp/],
    [{ from: '2026-11-08T00:00:00Z', to: '2026-11-08T00:00:00Z' }, /^to: must be after from/],
    [{ from: '2025-01-01T00:00:00Z', to: '2026-11-08T00:00:00Z' }, /^from: a window may span at most 400 days/],
    [{ window: '12 hours' }, /^window: must be a whole number/],
    [{ window: '12h', from: '2026-11-08T00:00:00Z', to: '2026-11-09T00:00:00Z' }, /^window: give either/],
  ])('refuses %o with a 400 naming the parameter', (query, message) => {
    expect(() => resolveWindow(query, anchor, '24h')).toThrow(ApiError);
    expect(() => resolveWindow(query, anchor, '24h')).toThrow(message);
  });
});

describe('distribution views', () => {
  const values = sample('lognormal', 20_000, 7);
  const row = numericSummary(key('x'), values, 30, 5);

  it('samples the CDF at most 201 points, monotone, from min to max, within the digest bound of the exact CDF', () => {
    const points = cdfPoints(row);
    expect(points.length).toBeLessThanOrEqual(201);
    expect(points[0][0]).toBe(row.min);
    expect(points.at(-1)).toEqual([row.max, 1]);
    const exact = sortedCopy(values);
    for (let i = 1; i < points.length; i++) {
      expect(points[i][0]).toBeGreaterThanOrEqual(points[i - 1][0]);
      expect(points[i][1]).toBeGreaterThan(points[i - 1][1]);
    }
    for (const [x, p] of points.slice(1, -1)) {
      let below = 0;
      while (below < exact.length && exact[below] <= x) below++;
      expect(Math.abs(below / exact.length - p)).toBeLessThan(2e-3);
    }
  });

  it('keeps the bottom and top of a jump: a point mass draws as one vertical step', () => {
    const spiky = numericSummary(key('s'), Float64Array.from({ length: 1000 }, (_, i) => (i < 300 ? i / 300 : i < 800 ? 5 : i)), 0, 0);
    const atFive = cdfPoints(spiky).filter(([x]) => x === 5);
    expect(atFive).toHaveLength(2);
    expect(atFive[0][1]).toBeLessThanOrEqual(0.31);
    expect(atFive[1][1]).toBeGreaterThanOrEqual(0.79);
  });

  it('computes the table statistics: counts exact, quantiles near the exact ones', () => {
    const s = sourceStats(row);
    const exact = sortedCopy(values);
    expect([s.rows, s.count, s.failed, s.nulls, s.type_errors]).toEqual([20_035, 20_000, 35, 30, 5]);
    expect(s.failed_rate).toBeCloseTo(35 / 20_035, 12);
    expect(s.min).toBe(exact[0]);
    expect(s.max).toBe(exact[exact.length - 1]);
    for (const [q, v] of [[0.01, s.p1], [0.5, s.p50], [0.99, s.p99]] as const) {
      const rank = exact.findIndex((x) => x >= (v as number)) / exact.length;
      expect(Math.abs(rank - q)).toBeLessThan(2e-3);
    }
  });

  it('bins several sources on shared edges from their quantiles and ranges; each sums to 1', () => {
    const shifted = numericSummary(key('x'), Float64Array.from(values, (v) => v * 1000), 0, 0);
    const { edges, proportions } = sharedHistogram([row, shifted]);
    expect(edges[0]).toBe(row.min);
    expect(edges.at(-1)).toBe(shifted.max);
    for (const p of proportions) {
      expect(p).toHaveLength(edges.length - 1);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    // Sources ×1000 apart each keep ~20 bins of their own.
    expect(proportions[0].filter((x) => x > 0.01).length).toBeGreaterThanOrEqual(15);
    expect(proportions[1].filter((x) => x > 0.01).length).toBeGreaterThanOrEqual(15);
  });

  it('shows the top categories across sources and sums the rest, folded ones included, as other', () => {
    const a = categoricalSummary(key('c'), new Map([['DE', 50], ['FR', 30], ['IT', 20]]), 0, 0);
    const b = categoricalSummary(key('c'), new Map([['DE', 40], ['crypto', 40], [OTHER_CATEGORY, 20]]), 0, 0);
    const bars = categoryBars([a, b], 3);
    expect(bars.categories).toEqual(['DE', 'crypto', 'FR', 'other']);
    expect(bars.proportions[0]).toEqual([0.5, 0, 0.3, expect.closeTo(0.2, 12)]);
    expect(bars.proportions[1]).toEqual([0.4, 0.4, 0, expect.closeTo(0.2, 12)]);
  });
});
