import { cdfAt } from '../digest';
import type { NumericDistribution } from './numeric-distribution';
import { kolmogorovSf } from './special-functions';

export interface KsResult {
  /** sup |F_ref − F_live|, in [0, 1]. */
  statistic: number;
  /** Asymptotic two-sided p-value: Kolmogorov Q(√(n·m/(n+m))·D) (scipy's kstwobign). */
  pValue: number;
}

/**
 * Two-sample Kolmogorov–Smirnov from two piecewise-linear CDFs. Between knots both CDFs are
 * linear, so the supremum is at a knot of either one, approached from the left or the right.
 */
export function ksTest(reference: NumericDistribution, live: NumericDistribution): KsResult {
  const a = reference.knots();
  const b = live.knots();
  if (a.xs.length === 0 || b.xs.length === 0) return { statistic: NaN, pValue: NaN };
  const na = reference.count;
  const nb = live.count;
  let d = 0;
  for (const xs of [a.xs, b.xs]) {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (i > 0 && xs[i - 1] === x) continue;
      const right = Math.abs(cdfAt(a.xs, a.fs, x, false) / na - cdfAt(b.xs, b.fs, x, false) / nb);
      const left = Math.abs(cdfAt(a.xs, a.fs, x, true) / na - cdfAt(b.xs, b.fs, x, true) / nb);
      if (right > d) d = right;
      if (left > d) d = left;
    }
  }
  const statistic = Math.min(1, d);
  const pValue = kolmogorovSf(Math.sqrt((na * nb) / (na + nb)) * statistic);
  return { statistic, pValue };
}
