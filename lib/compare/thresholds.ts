import type { SummaryRow } from '../format';
import { mergeSummaries } from '../summary';
import type { Defaults } from './config';
import { featureMetrics, type MetricName } from './feature-metrics';

export interface Threshold {
  value: number;
  /** 'config': set by the business; 'reference': mean + k·sd over reference chunks; 'floor': the materiality floor won. */
  source: 'config' | 'reference' | 'floor';
  /** The chunk statistics behind a reference threshold. */
  chunk_mean?: number;
  chunk_sd?: number;
  chunks?: number;
}

/**
 * Default threshold of one metric for one feature: each time-ordered chunk of the reference is
 * compared with the merge of the other chunks; the threshold is mean + sigmas·sd of those values,
 * and at least the metric's materiality floor (a detectable but tiny difference pages nobody).
 */
export function referenceThreshold(chunks: readonly SummaryRow[], metric: MetricName, defaults: Defaults): Threshold {
  const floor = defaults.materiality[metric];
  const values: number[] = [];
  if (chunks.length >= 3) {
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      const rest = mergeSummaries(
        { model: chunk.model, feature: chunk.feature, period_start: 0, period_end: 0 },
        chunks.filter((_, j) => j !== i),
      );
      const v = featureMetrics(rest, chunk).values[metric];
      if (v !== null && Number.isFinite(v)) values.push(v);
    }
  }
  if (values.length < 3) return { value: floor, source: 'floor' };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  const statistical = mean + defaults.sigmas * sd;
  return statistical >= floor
    ? { value: statistical, source: 'reference', chunk_mean: mean, chunk_sd: sd, chunks: values.length }
    : { value: floor, source: 'floor', chunk_mean: mean, chunk_sd: sd, chunks: values.length };
}
