import type { TDigest } from '../digest';
import { digestGrid, requireNonEmpty } from './digest-grid';
import { clamp01 } from './roc-auc';

/**
 * Average precision Σ (Rₖ − Rₖ₋₁)·Pₖ (scikit-learn's definition: no interpolation, tied scores
 * form one threshold) from the class-conditional score digests. At a point mass the precision
 * counts every score ≥ it; inside a centroid's linear stretch the precision TP/(TP+FP) is a
 * ratio of linear functions of the threshold and is integrated in closed form.
 */
export function averagePrecisionFromDigests(pos: TDigest, neg: TDigest): number {
  requireNonEmpty(pos, 'positive', 'averagePrecisionFromDigests');
  requireNonEmpty(neg, 'negative', 'averagePrecisionFromDigests');
  const { xs, aAt: pAt, aBelow: pBelow, bAt: nAt, bBelow: nBelow } = digestGrid(pos, neg);
  const nPos = pos.count;
  const nNeg = neg.count;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const atom = pAt[i] - pBelow[i];
    if (atom > 0) {
      const tp = nPos - pBelow[i];
      const fp = nNeg - nBelow[i];
      sum += (atom * tp) / (tp + fp);
    }
    if (i + 1 < xs.length) {
      // Threshold sweeping down the open interval (xs[i], xs[i+1]): from just below xs[i+1] …
      const t0 = nPos - pBelow[i + 1];
      const d0 = t0 + nNeg - nBelow[i + 1];
      // … to just above xs[i].
      const t1 = nPos - pAt[i];
      const d1 = t1 + nNeg - nAt[i];
      const gained = t1 - t0;
      if (gained > 0) sum += gained * meanRatio(t0, gained, d0, d1 - d0);
    }
  }
  return clamp01(sum / nPos);
}

/** ∫₀¹ (t0 + a·u) / (d0 + d·u) du, for 0 ≤ t0 ≤ d0 and t0 + a ≤ d0 + d (precision ≤ 1). */
function meanRatio(t0: number, a: number, d0: number, d: number): number {
  // Where the denominator barely changes, the log form cancels catastrophically; the ratio is linear.
  if (d0 > 0 && Math.abs(d) < 1e-9 * d0) return (t0 + a / 2) / d0;
  const c = t0 - (a * d0) / d;
  // d0 = 0 (the top of the ranking is a spread centroid) forces t0 = 0 and c = 0: precision a/d.
  if (c === 0 || d0 <= 0) return a / d;
  return a / d + (c * Math.log1p(d / d0)) / d;
}
