import type { SummaryRow, ThresholdSource } from '../format';
import { kolmogorovSf } from '../stats';
import { mergeSummaries } from '../summary';
import type { Defaults } from './config';
import { metricValue, type MetricName } from './feature-metrics';

export interface Threshold {
  /** At the calibration size (config thresholds: always). */
  value: number;
  /** 'config': set by the business; 'reference': mean + k·sd over reference chunks; 'floor': the materiality floor won. */
  source: ThresholdSource;
  /** The chunk statistics behind a reference threshold. */
  chunk_mean?: number;
  chunk_sd?: number;
  chunks?: number;
  /** Effective sample size n·m/(n+m) of the chunk comparisons the statistics come from. */
  n_eff?: number;
  floor?: number;
  sigmas?: number;
  /** Which chunking the statistics above come from: 'random' when the row-ordered one is inflated. */
  chunking?: 'ordered' | 'random';
  /** Statistics over row-ordered chunks and over chunks drawn at random from the reference. */
  ordered?: ChunkStatistics;
  random?: ChunkStatistics;
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

/** Significance a drift verdict needs by default (`defaults.drift_alpha`; docs/metrics.md, "Small samples"). */
export const DRIFT_ALPHA = 0.01;

const criticalByAlpha = new Map<number, number>();

/** λ with kolmogorovSf(λ) = alpha (1.6276 at 0.01), by bisection: kolmogorovSf falls from 1 to 0 on [0, 10]. */
export function kolmogorovCritical(alpha: number): number {
  let found = criticalByAlpha.get(alpha);
  if (found === undefined) {
    let lo = 0;
    let hi = 10;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (kolmogorovSf(mid) > alpha) lo = mid;
      else hi = mid;
    }
    criticalByAlpha.set(alpha, (found = hi));
  }
  return found;
}

/** The smallest KS distance the asymptotic two-sample test at these sizes rejects at `alpha`: λ_α/√(n·m/(n+m)). */
export function ksCriticalValue(nReference: number, nLive: number, alpha = DRIFT_ALPHA): number {
  const n = effectiveSize(nReference, nLive);
  return n > 0 ? kolmogorovCritical(alpha) / Math.sqrt(n) : Infinity;
}

/**
 * The threshold for a comparison of `nLive` against `nReference` values: the chunk statistics
 * rescaled from the calibration's effective size to this one (a quiet night hour with 200 rows is
 * noisier than a 2,000-row chunk), never below the materiality floor and, for KS, never below the
 * distance the test at these sizes needs to reject at `alpha` (the noise of these very sizes).
 * Config thresholds are fixed.
 */
export function thresholdAt(threshold: Threshold, metric: MetricName, nReference: number, nLive: number, alpha = DRIFT_ALPHA): number {
  if (threshold.source === 'config') return threshold.value;
  const base = rescaled(threshold, metric, nReference, nLive);
  return metric === 'ks' ? Math.max(base, ksCriticalValue(nReference, nLive, alpha)) : base;
}

function rescaled(threshold: Threshold, metric: MetricName, nReference: number, nLive: number): number {
  if (threshold.chunk_mean === undefined || threshold.chunk_sd === undefined || !threshold.n_eff) return threshold.value;
  const n = effectiveSize(nReference, nLive);
  if (n <= 0) return threshold.value;
  const scale = (threshold.n_eff / n) ** noiseExponent(metric);
  return Math.max(threshold.floor ?? 0, (threshold.chunk_mean + (threshold.sigmas ?? 3) * threshold.chunk_sd) * scale);
}

/** Statistics of one metric over the reference's chunks, each compared with the merge of the others. */
export interface ChunkStatistics {
  chunk_mean: number;
  chunk_sd: number;
  chunks: number;
  /** Mean effective sample size n·m/(n+m) of the chunk comparisons. */
  n_eff: number;
}

/**
 * The chunk statistics of several metrics at once (one leave-one-out merge per chunk serves them
 * all); null for a metric with fewer than 3 finite chunk values. They depend on the reference
 * alone, not on the config: `thresholdFromStatistics` applies sigmas and the floor.
 */
export function chunkStatistics(chunks: readonly SummaryRow[], metrics: readonly MetricName[]): Map<MetricName, ChunkStatistics | null> {
  const values = new Map<MetricName, number[]>(metrics.map((m) => [m, []]));
  const nEff = new Map<MetricName, number>(metrics.map((m) => [m, 0]));
  if (chunks.length >= 3) {
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      const rest = mergeSummaries(
        { model: chunk.model, feature: chunk.feature, period_start: 0, period_end: 0 },
        chunks.filter((_, j) => j !== i),
      );
      for (const metric of metrics) {
        const v = metricValue(rest, chunk, metric);
        if (v !== null && Number.isFinite(v)) {
          (values.get(metric) as number[]).push(v);
          nEff.set(metric, (nEff.get(metric) as number) + effectiveSize(rest.count, chunk.count));
        }
      }
    }
  }
  const out = new Map<MetricName, ChunkStatistics | null>();
  for (const metric of metrics) {
    const list = values.get(metric) as number[];
    if (list.length < 3) {
      out.set(metric, null);
      continue;
    }
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    const sd = Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / (list.length - 1));
    out.set(metric, { chunk_mean: mean, chunk_sd: sd, chunks: list.length, n_eff: (nEff.get(metric) as number) / list.length });
  }
  return out;
}

export type FeatureKindName = 'numeric' | 'categorical';

/**
 * The materiality floor of a metric for a feature kind: JS over categories has its own
 * (`js_categorical`, lower: categories carry no binning noise; docs/metrics.md, "Materiality floors").
 */
export function floorOf(metric: MetricName, kind: FeatureKindName, materiality: Defaults['materiality']): number {
  return kind === 'categorical' && metric === 'js' ? materiality.js_categorical : materiality[metric];
}

/** mean + sigmas·sd of the chunk statistics, at least the metric's materiality floor (the floor alone without statistics). */
export function thresholdFromStatistics(stats: ChunkStatistics | null, metric: MetricName, defaults: Pick<Defaults, 'sigmas' | 'materiality'>, kind: FeatureKindName): Threshold {
  const floor = floorOf(metric, kind, defaults.materiality);
  if (stats === null) return { value: floor, source: 'floor', floor };
  const statistical = stats.chunk_mean + defaults.sigmas * stats.chunk_sd;
  const calibration = { chunk_mean: stats.chunk_mean, chunk_sd: stats.chunk_sd, chunks: stats.chunks, n_eff: stats.n_eff, floor, sigmas: defaults.sigmas };
  return statistical >= floor ? { value: statistical, source: 'reference', ...calibration } : { value: floor, source: 'floor', ...calibration };
}

/**
 * A row-ordered chunking is inflated when (1) its statistical threshold (mean + sigmas·sd, taken to
 * the random chunks' effective size) is above INFLATION_RATIO times the random chunks' one, and
 * (2) its chunk mean is above the random chunks' mean by more than INFLATION_Z standard errors.
 * Random chunks are exchangeable; on references without a trend over their rows the ratio stayed
 * within 0.4–1.9 and z within ±3 (test/experiments/stationarity-null.ts), never both past the bounds.
 */
export const INFLATION_RATIO = 1.5;
export const INFLATION_Z = 4;
/** Random chunks give too noisy a spread below this many chunk values to overrule the ordered ones. */
export const MIN_RANDOM_CHUNKS = 5;

/** The ordered statistical threshold over the random one (null when either is missing or too few). */
export function inflationRatio(ordered: ChunkStatistics | null | undefined, random: ChunkStatistics | null | undefined, metric: MetricName, sigmas: number): number | null {
  if (!ordered || !random || random.chunks < MIN_RANDOM_CHUNKS || ordered.chunks < MIN_RANDOM_CHUNKS) return null;
  const r = random.chunk_mean + sigmas * random.chunk_sd;
  if (!(r > 0)) return null;
  return ((ordered.chunk_mean + sigmas * ordered.chunk_sd) * sizeScale(ordered, random, metric)) / r;
}

/** Ordered statistics at the random chunks' effective size (the chunkings have equal sizes, so ≈ 1). */
function sizeScale(ordered: ChunkStatistics, random: ChunkStatistics, metric: MetricName): number {
  return random.n_eff > 0 ? (ordered.n_eff / random.n_eff) ** noiseExponent(metric) : 1;
}

/** Both conditions of inflation (see INFLATION_RATIO). */
export function isInflated(ordered: ChunkStatistics | null | undefined, random: ChunkStatistics | null | undefined, metric: MetricName, sigmas: number): boolean {
  const ratio = inflationRatio(ordered, random, metric, sigmas);
  if (ratio === null || ratio <= INFLATION_RATIO || !ordered || !random) return false;
  const scale = sizeScale(ordered, random, metric);
  const se = Math.sqrt((ordered.chunk_sd * scale) ** 2 / ordered.chunks + random.chunk_sd ** 2 / random.chunks);
  const gap = ordered.chunk_mean * scale - random.chunk_mean;
  return se > 0 ? gap / se > INFLATION_Z : gap > 0;
}

/**
 * The default threshold from both chunkings: the row-ordered statistics, unless they are inflated
 * (`isInflated`), then the random ones; at least the floor either way. Without
 * random statistics (a calibration of format 1.0, or computed again from the stored chunks) it is
 * exactly `thresholdFromStatistics(ordered)`.
 */
export function calibratedThreshold(
  ordered: ChunkStatistics | null,
  random: ChunkStatistics | null | undefined,
  metric: MetricName,
  defaults: Pick<Defaults, 'sigmas' | 'materiality'>,
  kind: FeatureKindName,
): Threshold {
  if (random === undefined) return thresholdFromStatistics(ordered, metric, defaults, kind);
  const inflated = isInflated(ordered, random, metric, defaults.sigmas);
  const chosen = thresholdFromStatistics(inflated ? random : ordered, metric, defaults, kind);
  const out: Threshold = { ...chosen, chunking: inflated ? 'random' : 'ordered' };
  if (ordered) out.ordered = ordered;
  if (random) out.random = random;
  return out;
}

/** The chunk statistics a reference or floor threshold was derived from (null: the floor alone). */
export function statisticsOf(threshold: Threshold): ChunkStatistics | null {
  const { chunk_mean, chunk_sd, chunks, n_eff } = threshold;
  return chunk_mean === undefined || chunk_sd === undefined || chunks === undefined || n_eff === undefined ? null : { chunk_mean, chunk_sd, chunks, n_eff };
}

/**
 * Chunk numbers of the chunks drawn at random, in a reference profile: RANDOM_CHUNK_BASE + i
 * (docs/format.md, "Reference calibration"), so the profile alone re-derives the calibration.
 */
export const RANDOM_CHUNK_BASE = 1_000_000;

/** A reference's chunk rows of one feature split into the row-ordered and the random ones. */
export function separateChunks(chunks: readonly SummaryRow[]): { ordered: SummaryRow[]; random: SummaryRow[] } {
  return { ordered: chunks.filter((c) => c.chunk < RANDOM_CHUNK_BASE), random: chunks.filter((c) => c.chunk >= RANDOM_CHUNK_BASE) };
}

/**
 * Default threshold of one metric for one feature: each row-ordered chunk of the reference is
 * compared with the merge of the other chunks; the threshold is mean + sigmas·sd of those values,
 * and at least the metric's materiality floor (a detectable but tiny difference pages nobody).
 * With random chunks among `chunks`, they replace the ordered ones when those are inflated.
 */
export function referenceThreshold(chunks: readonly SummaryRow[], metric: MetricName, defaults: Pick<Defaults, 'sigmas' | 'materiality'>, kind: FeatureKindName = chunks[0]?.kind ?? 'numeric'): Threshold {
  const { ordered, random } = separateChunks(chunks);
  const stats = (list: readonly SummaryRow[]) => chunkStatistics(list, [metric]).get(metric) ?? null;
  return calibratedThreshold(stats(ordered), random.length > 0 ? stats(random) : undefined, metric, defaults, kind);
}

/** A threshold under a feature's own floor (`floor` in config.yaml): the same statistics, another floor. */
export function withFloor(threshold: Threshold, metric: MetricName, floor: number, defaults: Pick<Defaults, 'sigmas' | 'materiality'>, kind: FeatureKindName): Threshold {
  if (threshold.source === 'config') return threshold;
  const materiality = { ...defaults.materiality, [metric]: floor, ...(metric === 'js' ? { js_categorical: floor } : {}) };
  const again = thresholdFromStatistics(statisticsOf(threshold), metric, { sigmas: threshold.sigmas ?? defaults.sigmas, materiality }, kind);
  return { ...threshold, ...again };
}

/**
 * The largest value each metric can take, for "can a window of this size reach its threshold?".
 * area, KS, JS, Hellinger and L∞ are at most 1. PSI and normalised Wasserstein are unbounded; we
 * use a total change instead: PSI when a whole window falls into one reference decile (with the
 * 1e-4 floor, ≈ 8.28), Wasserstein when the window moved 3 reference standard deviations.
 */
export const METRIC_CEILING: Record<MetricName, number> = {
  area: 1,
  ks: 1,
  js: 1,
  hellinger: 1,
  linf: 1,
  psi: 0.9 * Math.log(1 / 0.1) + 9 * (0.1 - 1e-4) * Math.log(0.1 / 1e-4),
  wasserstein_norm: 3,
};

/**
 * The smallest live count at which `thresholdAt` falls below the largest value the metric can
 * take (METRIC_CEILING): below it no window can be flagged, and "ok" means nothing. Null when no
 * size gets there. The threshold never rises with the live count, so a doubling and a bisection find it.
 */
export function minRowsForVerdict(threshold: Threshold, metric: MetricName, nReference: number): number | null {
  const ceiling = METRIC_CEILING[metric];
  const reachable = (nLive: number) => thresholdAt(threshold, metric, nReference, nLive) < ceiling;
  if (reachable(1)) return 1;
  let lo = 1;
  let hi = 2;
  while (!reachable(hi)) {
    // The last step tries the largest count there is: stopping at 2^52 left windows of up to 2^53 − 1 rows unexamined.
    if (hi >= Number.MAX_SAFE_INTEGER) return null;
    lo = hi;
    hi = Math.min(hi * 2, Number.MAX_SAFE_INTEGER);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reachable(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
