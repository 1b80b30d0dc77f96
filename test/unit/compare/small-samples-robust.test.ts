import { describe, expect, it } from 'vitest';
import { compareFeature, DEFAULT_CONFIG, kolmogorovCritical, ksCriticalValue, referenceThreshold, thresholdAt } from '@/lib/compare';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';

const key = (feature: string) => ({ model: 'm', feature, period_start: 0, period_end: 0 });

function normal(n: number, seed: number, shift = 0): number[] {
  const z = standardNormal(mulberry32(seed));
  return Array.from({ length: n }, () => 50 + 10 * (z() + shift));
}

/** Two-sample KS distance on raw values, as the integer D·n·m (exact: no floating CDFs). */
function ksTimesNm(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n || j < m) {
    const v = Math.min(i < n ? x[i] : Infinity, j < m ? y[j] : Infinity);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i * m - j * n));
  }
  return d;
}

/**
 * Exact permutation p-value P(D ≥ d) of the two-sample KS test (no ties), independent of the
 * library: u(i, j) is the chance that a uniformly random lattice path to (i, j) stays inside
 * |i·m − j·n| < D·n·m; a path reaches (i, j) from (i−1, j) with chance i/(i+j).
 */
function exactKsPValue(dnm: number, n: number, m: number): number {
  let prev = new Float64Array(m + 1);
  let row = new Float64Array(m + 1);
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (Math.abs(i * m - j * n) >= dnm) row[j] = 0;
      else if (i === 0 && j === 0) row[j] = 1;
      else row[j] = (i > 0 ? (i / (i + j)) * prev[j] : 0) + (j > 0 ? (j / (i + j)) * row[j - 1] : 0);
    }
    [prev, row] = [row, prev];
  }
  return 1 - prev[m];
}

describe('small samples: no drift verdict where the exact test finds no difference', () => {
  const defaults = DEFAULT_CONFIG.defaults;
  // An 891-row reference has 2 chunks: no calibration, the floors decide (as with the Titanic data).
  const floorOnly = referenceThreshold([], 'area', defaults);

  it('the exact p-value by enumeration agrees with known values', () => {
    // n = m = 3, D = 1: both orders of the 20 arrangements that separate the samples (2/20).
    expect(exactKsPValue(9, 3, 3)).toBeCloseTo(0.1, 12);
    // n = m = 5, D = 0.6 (scipy.stats.ks_2samp(method='exact') gives 0.35714285714285715).
    expect(exactKsPValue(15, 5, 5)).toBeCloseTo(0.35714285714285715, 12);
  });

  it('418 live vs 891 reference values from one population: no drift, and our KS p-value within 0.03 of the exact one', () => {
    let aboveFloor = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const ref = normal(891, seed);
      const live = normal(418, 1000 + seed);
      const c = compareFeature(numericSummary(key('age'), ref, 0, 0), numericSummary(key('age'), live, 0, 0), 'area', floorOnly, defaults);
      const exact = exactKsPValue(ksTimesNm(ref, live), 891, 418);
      expect(c.metrics.ks).toBeCloseTo(ksTimesNm(ref, live) / (891 * 418), 3);
      expect(c.test).toBe('ks');
      expect(Math.abs((c.p_value as number) - exact)).toBeLessThan(0.03);
      if (exact > 0.01) expect(c.verdict, `seed ${seed}: exact p ${exact}`).toBe('ok');
      // A drift verdict only where the exact test rejects too (seed 3: exact p 0.0064, ours 0.0070 — a 1-in-100 draw).
      if (c.verdict === 'drift') expect(exact).toBeLessThanOrEqual(0.01);
      else if ((c.value as number) > c.threshold) {
        aboveFloor++;
        expect(c.noise).toMatch(/^area 0\.\d{3} is above its threshold 0\.080, but the KS test at 891 vs 418 values finds no difference \(p = 0\.\d+ > 0\.01\): sampling noise, no drift verdict$/);
      }
    }
    // The case of issue #11: the area of pure noise at these sizes is above the floor, and no verdict follows.
    expect(aboveFloor).toBeGreaterThan(10);
  });

  it('a real shift at those sizes is still flagged, with its p-value', () => {
    const ref = normal(891, 5);
    const live = normal(418, 6, 0.4);
    const c = compareFeature(numericSummary(key('age'), ref, 0, 0), numericSummary(key('age'), live, 0, 0), 'area', floorOnly, defaults);
    const exact = exactKsPValue(ksTimesNm(ref, live), 891, 418);
    expect(exact).toBeLessThan(1e-4);
    expect(c.verdict).toBe('drift');
    expect(c.p_value as number).toBeLessThan(1e-4);
    expect(Math.abs(Math.log10(c.p_value as number) - Math.log10(exact))).toBeLessThan(0.5);
  });

  it('the KS threshold is at least the critical value of the test at the two sizes', () => {
    // λ with Q_KS(λ) = 0.01: 1.62762 (Smirnov's table; scipy.stats.kstwobign.isf(0.01) = 1.6276236).
    expect(kolmogorovCritical(0.01)).toBeCloseTo(1.6276236, 6);
    const ks = referenceThreshold([], 'ks', defaults);
    expect(thresholdAt(ks, 'ks', 891, 418)).toBeCloseTo(1.6276236 / Math.sqrt((891 * 418) / (891 + 418)), 6);
    expect(ksCriticalValue(891, 418)).toBeGreaterThan(0.09);
    // At large sizes the floor decides again.
    expect(thresholdAt(ks, 'ks', 50_000, 5_000)).toBe(defaults.materiality.ks);
  });

  it('categories: χ² decides, with 2 degrees of freedom checked against its closed form e^(−x/2)', () => {
    const ref = new Map([['a', 40], ['b', 30], ['c', 30]]);
    const live = new Map([['a', 30], ['b', 36], ['c', 34]]);
    const c = compareFeature(categoricalSummary(key('plan'), ref, 0, 0), categoricalSummary(key('plan'), live, 0, 0), 'js', referenceThreshold([], 'js', defaults), defaults);
    // Homogeneity χ² of the 2×3 table, by hand: expected counts are the column totals halved.
    const chi2 = [['a', 70], ['b', 66], ['c', 64]].reduce((acc, [k, total]) => acc + ((ref.get(k as string)! - (total as number) / 2) ** 2 * 2) / ((total as number) / 2), 0);
    expect(c.test).toBe('chi2');
    expect(c.p_value as number).toBeCloseTo(Math.exp(-chi2 / 2), 9);
    expect(c.value as number).toBeGreaterThan(c.threshold);
    expect(c.p_value as number).toBeGreaterThan(0.1);
    expect(c.verdict).toBe('ok');
    expect(c.noise).toMatch(/^js 0\.\d{3} is above its threshold 0\.050, but the χ² test at 100 vs 100 values finds no difference/);
  });
});
