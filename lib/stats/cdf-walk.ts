import { CdfCursor, mergeSorted } from '../digest';
import type { NumericDistribution } from './numeric-distribution';

export interface CdfDifferences {
  /** sup |F_ref − F_live| (the KS statistic), in [0, 1]. */
  ks: number;
  /** ∫|F_ref − F_live| dx (Wasserstein-1), in the feature's units. */
  wasserstein: number;
}

/**
 * KS and Wasserstein in one ordered walk over the union of both CDFs' knots. Between knots both
 * CDFs are linear, so the supremum is at a knot, approached from the left or the right, and the
 * integral over each interval is exact from the right value at its start and the left value at
 * its end (a sign change inside is integrated as two triangles).
 */
export function cdfDifferences(reference: NumericDistribution, live: NumericDistribution): CdfDifferences {
  const a = reference.knots();
  const b = live.knots();
  if (a.xs.length === 0 || b.xs.length === 0) return { ks: NaN, wasserstein: NaN };
  const na = reference.count;
  const nb = live.count;
  const xs = mergeSorted(a.xs, b.xs);
  const ca = new CdfCursor(a.xs, a.fs);
  const cb = new CdfCursor(b.xs, b.fs);
  let sup = 0;
  let total = 0;
  let previousX = xs[0];
  let previousRight = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (i > 0 && x === xs[i - 1]) continue;
    const left = ca.value(x, true) / na - cb.value(x, true) / nb;
    const right = ca.value(x, false) / na - cb.value(x, false) / nb;
    if (Math.abs(left) > sup) sup = Math.abs(left);
    if (Math.abs(right) > sup) sup = Math.abs(right);
    if (i > 0) total += intervalIntegral(x - previousX, previousRight, left);
    previousX = x;
    previousRight = right;
  }
  return { ks: Math.min(1, sup), wasserstein: total };
}

/** ∫|d| over an interval of width h where d is linear from d0 to d1. */
function intervalIntegral(h: number, d0: number, d1: number): number {
  if (d0 * d1 >= 0) return (h * (Math.abs(d0) + Math.abs(d1))) / 2;
  return (h * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
}
