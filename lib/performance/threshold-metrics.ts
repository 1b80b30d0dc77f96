/** A confusion matrix at the decision threshold; expected (CBPE) counts may be fractional. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics {
  /** tp / (tp + fp); null with no predicted positives. */
  precision: number | null;
  /** tp / (tp + fn); null with no actual positives. */
  recall: number | null;
  /**
   * 2tp / (2tp + fp + fn): the harmonic mean of precision and recall, 0 when one of them is 0 or
   * undefined while the other side has cases (the model found none of the positives); null only
   * when there is neither an actual nor a predicted positive.
   */
  f1: number | null;
  /** (tp + tn) / total; null for an empty matrix. */
  accuracy: number | null;
}

export function thresholdMetrics(counts: ConfusionCounts): ThresholdMetrics {
  for (const key of ['tp', 'fp', 'tn', 'fn'] as const) {
    const v = counts[key];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`thresholdMetrics: ${key} must be a finite count ≥ 0, got ${v}`);
  }
  const { tp, fp, tn, fn } = counts;
  const total = tp + fp + tn + fn;
  return {
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    accuracy: ratio(tp + tn, total),
  };
}

function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}
