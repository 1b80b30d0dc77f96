import { describe, expect, it } from 'vitest';
import { binDensities, mergeNarrowBins, MIN_BIN_SHARE, sharedHistogram } from '@/lib/dashboard';
import { HOUR_MS } from '@/lib/format';
import { numericSummary } from '@/lib/summary';
import { sample } from '@/test/helpers/random';

const key = { model: 'm', feature: 'x', period_start: 0, period_end: HOUR_MS };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const widths = (edges: number[], log = false) => edges.slice(1).map((b, i) => (log ? Math.log10(b) - Math.log10(edges[i]) : b - edges[i]));

describe('mergeNarrowBins', () => {
  it('merges a near-zero-width bin into its narrower neighbour and sums its proportions exactly', () => {
    const merged = mergeNarrowBins({ edges: [0, 10, 10.001, 30, 100], proportions: [[0.1, 0.3, 0.2, 0.4], [0.25, 0, 0.25, 0.5]] });
    expect(merged.edges).toEqual([0, 10.001, 30, 100]);
    expect(merged.proportions).toEqual([[0.1 + 0.3, 0.2, 0.4], [0.25, 0.25, 0.5]]);
  });

  it('leaves bins that are all wide enough untouched', () => {
    const h = { edges: [1, 2, 3, 4], proportions: [[0.2, 0.3, 0.5]] };
    expect(mergeNarrowBins(h)).toEqual(h);
  });

  it('measures widths in log₁₀ x on a log axis', () => {
    // 1000 → 1001 is 0.0004 of 4 decades: merged on a log axis, where 1 → 2 (0.3 decades) is wide.
    const h = { edges: [1, 2, 1000, 1001, 10000], proportions: [[0.1, 0.4, 0.3, 0.2]] };
    expect(mergeNarrowBins(h, { log: true })).toEqual({ edges: [1, 2, 1000, 10000], proportions: [[0.1, 0.4, 0.3 + 0.2]] });
    // On a linear axis both 1-wide bins are under 0.5% of 9999.
    expect(mergeNarrowBins(h).edges).toEqual([1, 1001, 10000]);
  });

  it.each([
    ['lognormal', false],
    ['lognormal', true],
    ['spike30', false],
    ['int0to5', false],
    ['pareto', true],
  ] as const)('on shared bins of %s data (log %s): no bin narrower than the minimum, proportions preserved', (family, log) => {
    const a = sample(family, 20_000, 7);
    const b = Float64Array.from(sample(family, 20_000, 8), (v) => (family === 'lognormal' || family === 'pareto' ? v * 30 : v + 0.5));
    const shared = sharedHistogram([numericSummary(key, a, 0, 0), numericSummary(key, b, 0, 0)]);
    if (log && shared.edges[0] <= 0) return;
    const merged = mergeNarrowBins(shared, { log });
    const range = log ? Math.log10(shared.edges.at(-1)!) - Math.log10(shared.edges[0]) : shared.edges.at(-1)! - shared.edges[0];
    expect(merged.edges[0]).toBe(shared.edges[0]);
    expect(merged.edges.at(-1)).toBe(shared.edges.at(-1));
    if (merged.edges.length > 2) for (const w of widths(merged.edges, log)) expect(w).toBeGreaterThanOrEqual(MIN_BIN_SHARE * range);
    merged.proportions.forEach((row, j) => {
      expect(row).toHaveLength(merged.edges.length - 1);
      expect(sum(row)).toBeCloseTo(sum(shared.proportions[j]), 12);
      // Each merged bin holds exactly the input bins between its edges.
      row.forEach((q, i) => {
        const inside = shared.proportions[j].filter((_, k) => shared.edges[k] >= merged.edges[i] && shared.edges[k + 1] <= merged.edges[i + 1]);
        expect(q).toBeCloseTo(sum(inside), 12);
      });
    });
  });

  it('gives densities as proportion ÷ width, per log₁₀ unit on a log axis', () => {
    const h = { edges: [1, 10, 1000], proportions: [[0.5, 0.5]] };
    expect(binDensities(h)).toEqual([[0.5 / 9, 0.5 / 990]]);
    expect(binDensities(h, true)).toEqual([[0.5, 0.25]]);
    // Every source constant at 3: no width to divide by, so the bar shows the share, not an empty chart.
    expect(binDensities({ edges: [3, 3], proportions: [[1], [1]] })).toEqual([[1], [1]]);
    // A zero-width bin inside a real range still has no density.
    expect(binDensities({ edges: [1, 1, 2], proportions: [[0.5, 0.5]] })).toEqual([[0, 0.5]]);
  });
});
