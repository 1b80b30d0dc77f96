/**
 * Expected calibration error: Σ_b (n_b / n)·|mean score_b − positive rate_b| over equal-width
 * bins of [0, 1]. Scores must be probabilities; to judge a calibration map, pass its outputs
 * (`calibrateAll`) on held-out rows, since on its own training rows isotonic fits are optimistic.
 */
export function expectedCalibrationError(scores: Float64Array, labels: Uint8Array | Float64Array, bins = 10): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`expectedCalibrationError: ${n} scores but ${labels.length} labels; they must pair up`);
  if (n === 0) throw new RangeError('expectedCalibrationError: no scores');
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`expectedCalibrationError: bins must be a positive integer, got ${bins}`);
  const count = new Float64Array(bins);
  const sumScore = new Float64Array(bins);
  const sumLabel = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (!(s >= 0 && s <= 1)) throw new RangeError(`expectedCalibrationError: score ${i} is ${s}; ECE compares probabilities, calibrate raw scores first`);
    const b = Math.min(bins - 1, Math.floor(s * bins));
    count[b]++;
    sumScore[b] += s;
    sumLabel[b] += labels[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(sumScore[b] - sumLabel[b]) / n;
  return ece;
}
