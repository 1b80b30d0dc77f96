import { cdfAt } from '../digest';
import type { NumericDistribution } from './numeric-distribution';

/**
 * Wasserstein-1 (earth mover's) distance ∫|F_ref − F_live| dx, integrated exactly over the
 * piecewise-linear CDFs: in the units of the feature.
 */
export function wassersteinDistance(reference: NumericDistribution, live: NumericDistribution): number {
  const a = reference.knots();
  const b = live.knots();
  if (a.xs.length === 0 || b.xs.length === 0) return NaN;
  const xs = Float64Array.from([...a.xs, ...b.xs]).sort();
  const na = reference.count;
  const nb = live.count;
  let total = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    const x0 = xs[i];
    const x1 = xs[i + 1];
    if (x1 === x0) continue;
    // Right value at x0 and left value at x1: both CDFs are linear on the open interval.
    const d0 = cdfAt(a.xs, a.fs, x0, false) / na - cdfAt(b.xs, b.fs, x0, false) / nb;
    const d1 = cdfAt(a.xs, a.fs, x1, true) / na - cdfAt(b.xs, b.fs, x1, true) / nb;
    const h = x1 - x0;
    if (d0 * d1 >= 0) total += (h * (Math.abs(d0) + Math.abs(d1))) / 2;
    else total += (h * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
  }
  return total;
}
