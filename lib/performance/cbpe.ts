import type { TDigest } from '../digest';
import { calibrate, type IsotonicMap } from './isotonic';
import { thresholdMetrics, type ConfusionCounts, type ThresholdMetrics } from './threshold-metrics';

export interface BinaryEstimate extends ConfusionCounts, ThresholdMetrics {
  /** Expected ROC AUC; null when the expected positives or negatives are 0. */
  rocAuc: number | null;
}

/**
 * Confidence-based performance estimation (NannyML's CBPE) for a window with no labels yet.
 * If the map c(·) is calibrated on reference data and P(y | score) has not changed since (no
 * concept drift), row i is positive with probability c(sᵢ); summing over the window's score
 * digest gives the expected confusion matrix at `threshold` (predict positive when s ≥ threshold)
 * and the expected AUC. Under concept drift the estimate is biased: see docs/performance-estimation.md.
 */
export function estimateBinary(map: IsotonicMap, scores: TDigest, threshold: number): BinaryEstimate {
  if (!Number.isFinite(threshold)) throw new RangeError(`estimateBinary: threshold must be finite, got ${threshold}`);
  if (!(scores.count > 0)) throw new RangeError('estimateBinary: the window has no scores to estimate from');
  const { means, weights } = scores;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let predictedPositive = 0;
  for (let i = 0; i < means.length; i++) {
    const w = weights[i];
    const p = calibrate(map, means[i]);
    if (means[i] >= threshold) {
      tp += w * p;
      fp += w * (1 - p);
      predictedPositive += w;
    } else {
      fn += w * p;
      tn += w * (1 - p);
    }
  }
  // A centroid straddling the threshold went wholly to one side by its mean; the digest's CDF
  // knows the split (up to 7e-4 of the mass), so move the difference at the threshold's rate.
  const shift = scores.count * (1 - scores.cdfBelow(threshold)) - predictedPositive;
  if (shift !== 0) {
    const p = calibrate(map, threshold);
    const dTp = Math.max(-tp, Math.min(fn, shift * p));
    const dFp = Math.max(-fp, Math.min(tn, shift * (1 - p)));
    tp += dTp;
    fn -= dTp;
    fp += dFp;
    tn -= dFp;
  }
  const counts = { tp, fp, tn, fn };
  return { ...counts, ...thresholdMetrics(counts), rocAuc: expectedRocAuc(map, scores) };
}

/**
 * E[concordant pairs] / (E[positives]·E[negatives]) with row i positive w.p. pᵢ = c(sᵢ):
 * Σᵢ wᵢpᵢ · Σ_{j: mⱼ < mᵢ} wⱼ(1 − pⱼ), pairs at equal means (a centroid with itself included)
 * counting half, as NannyML's trapezoid over the expected ROC curve does.
 */
export function expectedRocAuc(map: IsotonicMap, scores: TDigest): number | null {
  const { means, weights } = scores;
  let concordant = 0;
  let negBelow = 0;
  let posTotal = 0;
  let i = 0;
  while (i < means.length) {
    const m = means[i];
    const p = calibrate(map, m);
    let w = 0;
    while (i < means.length && means[i] === m) w += weights[i++];
    const pos = w * p;
    const neg = w * (1 - p);
    concordant += pos * (negBelow + neg / 2);
    negBelow += neg;
    posTotal += pos;
  }
  return posTotal > 0 && negBelow > 0 ? concordant / (posTotal * negBelow) : null;
}
