import { normalSf } from './special-functions';

export interface FailedRateComparison {
  reference_rate: number;
  live_rate: number;
  /** live_rate − reference_rate, in proportion (0.05 = 5 points). */
  difference: number;
  z: number;
  /** One-sided: the probability of a live rate this high if the true rates were equal. */
  p_value: number;
  /** p_value < alpha. */
  significant: boolean;
}

/**
 * Is the live failed-value rate (null, NaN, ±Inf, wrong type) significantly above the
 * reference's? One-sided pooled two-proportion z-test. With no variance (no failures at all, or
 * nothing but failures, on both sides) z is 0 and p is 1.
 */
export function compareFailedRates(
  failedReference: number,
  totalReference: number,
  failedLive: number,
  totalLive: number,
  alpha = 0.01,
): FailedRateComparison {
  for (const [name, failed, total] of [
    ['reference', failedReference, totalReference],
    ['live', failedLive, totalLive],
  ] as const) {
    if (!(Number.isFinite(total) && total >= 0 && Number.isFinite(failed) && failed >= 0 && failed <= total)) {
      throw new RangeError(`compareFailedRates: ${name} needs 0 ≤ failed ≤ total, got failed=${failed}, total=${total}`);
    }
  }
  if (totalReference === 0 || totalLive === 0) {
    const rate = (f: number, n: number): number => (n > 0 ? f / n : NaN);
    return { reference_rate: rate(failedReference, totalReference), live_rate: rate(failedLive, totalLive), difference: NaN, z: NaN, p_value: NaN, significant: false };
  }
  const referenceRate = failedReference / totalReference;
  const liveRate = failedLive / totalLive;
  const pooled = (failedReference + failedLive) / (totalReference + totalLive);
  const variance = pooled * (1 - pooled) * (1 / totalReference + 1 / totalLive);
  const z = variance > 0 ? (liveRate - referenceRate) / Math.sqrt(variance) : 0;
  const pValue = variance > 0 ? normalSf(z) : 1;
  return { reference_rate: referenceRate, live_rate: liveRate, difference: liveRate - referenceRate, z, p_value: pValue, significant: pValue < alpha };
}
