export interface SamplingBand {
  /** Standard error of the metric on a window of `windowSize` rows. */
  se: number;
  lower(value: number): number;
  upper(value: number): number;
}

/** ±3 SE: under normality a window outside it by chance about once in 370. */
const BAND_SE = 3;

/**
 * The noise band of a metric from its values on reference chunks of `chunkSize` rows, scaled to
 * a window of `windowSize` rows: a metric's standard error shrinks as 1/√rows, so
 * SE = sd(chunk values) · √(chunkSize / windowSize). Needs at least two chunks for an sd.
 */
export function samplingBand(chunkValues: readonly number[], chunkSize: number, windowSize: number): SamplingBand {
  if (chunkValues.length < 2) throw new RangeError(`samplingBand: need at least 2 chunk values for a standard deviation, got ${chunkValues.length}`);
  if (!(chunkSize > 0 && Number.isFinite(chunkSize))) throw new RangeError(`samplingBand: chunkSize must be a positive number of rows, got ${chunkSize}`);
  if (!(windowSize > 0 && Number.isFinite(windowSize))) throw new RangeError(`samplingBand: windowSize must be a positive number of rows, got ${windowSize}`);
  let mean = 0;
  for (const v of chunkValues) {
    if (!Number.isFinite(v)) throw new RangeError(`samplingBand: chunk values must be finite, got ${v}`);
    mean += v;
  }
  mean /= chunkValues.length;
  let ss = 0;
  for (const v of chunkValues) ss += (v - mean) ** 2;
  const se = Math.sqrt(ss / (chunkValues.length - 1)) * Math.sqrt(chunkSize / windowSize);
  return { se, lower: (value) => value - BAND_SE * se, upper: (value) => value + BAND_SE * se };
}
