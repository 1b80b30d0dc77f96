import type { SummaryRow } from '../format';
import { mergeSummaries } from '../summary';
import type { Defaults } from './config';
import { metricValue, type MetricName } from './feature-metrics';

export interface Threshold {
  /** At the calibration size (config thresholds: always). */
  value: number;
  /** 'config': set by the business; 'reference': mean + k·sd over reference chunks; 'floor': the materiality floor won. */
  source: 'config' | 'reference' | 'floor';
  /** The chunk statistics behind a reference threshold. */
  chunk_mean?: number;
  chunk_sd?: number;
  chunks?: number;
  /** Effective sample size n·m/(n+m) of the chunk comparisons the statistics come from. */
  n_eff?: number;
  floor?: number;
  sigmas?: number;
}

/**
 * Sampling noise of a distance shrinks with the effective sample size: as 1/√n_eff for area, KS,
 * JS, Hellinger, Wasserstein and L∞, as 1/n_eff for PSI (a χ²/n statistic).
 */
export function noiseExponent(metric: MetricName): number {
  return metric === 'psi' ? 1 : 0.5;
}

export function effectiveSize(n: number, m: number): number {
  return n > 0 && m > 0 ? (n * m) / (n + m) : 0;
}

/**
 * The threshold for a comparison of `nLive` against `nReference` values: the chunk statistics
 * rescaled from the calibration's effective size to this one (a quiet night hour with 200 rows is
 * noisier than a 2,000-row chunk), never below the materiality floor. Config thresholds are fixed.
 */
export function thresholdAt(threshold: Threshold, metric: MetricName, nReference: number, nLive: number): number {
  if (threshold.source === 'config' || threshold.chunk_mean === undefined || threshold.chunk_sd === undefined || !threshold.n_eff) return threshold.value;
  const n = effectiveSize(nReference, nLive);
  if (n <= 0) return threshold.value;
  const scale = (threshold.n_eff / n) ** noiseExponent(metric);
  return Math.max(threshold.floor ?? 0, (threshold.chunk_mean + (threshold.sigmas ?? 3) * threshold.chunk_sd) * scale);
}

/**
 * Default threshold of one metric for one feature: each time-ordered chunk of the reference is
 * compared with the merge of the other chunks; the threshold is mean + sigmas·sd of those values,
 * and at least the metric's materiality floor (a detectable but tiny difference pages nobody).
 */
export function referenceThreshold(chunks: readonly SummaryRow[], metric: MetricName, defaults: Defaults): Threshold {
  const floor = defaults.materiality[metric];
  const values: number[] = [];
  let nEff = 0;
  if (chunks.length >= 3) {
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      const rest = mergeSummaries(
        { model: chunk.model, feature: chunk.feature, period_start: 0, period_end: 0 },
        chunks.filter((_, j) => j !== i),
      );
      const v = metricValue(rest, chunk, metric);
      if (v !== null && Number.isFinite(v)) {
        values.push(v);
        nEff += effectiveSize(rest.count, chunk.count);
      }
    }
  }
  if (values.length < 3) return { value: floor, source: 'floor', floor };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  const statistical = mean + defaults.sigmas * sd;
  const calibration = { chunk_mean: mean, chunk_sd: sd, chunks: values.length, n_eff: nEff / values.length, floor, sigmas: defaults.sigmas };
  return statistical >= floor ? { value: statistical, source: 'reference', ...calibration } : { value: floor, source: 'floor', ...calibration };
}
