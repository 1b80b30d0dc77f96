import TDigestPackage from 'tdigest';
import { buildDigest, mergeDigests, type TDigest } from '@/lib/digest';
import { maxCdfError, sortedCopy } from '@/test/helpers/exact';
import { sample } from '@/test/helpers/random';
import { median, timeIt } from './timing';

export interface DigestSizeResult {
  n: number;
  build_values_per_s: number;
  tdigest_pkg_build_values_per_s: number;
  build_speedup_vs_tdigest_pkg: number;
  centroids: number;
  serialized_bytes: number;
  tdigest_pkg_serialized_bytes: number;
  max_cdf_error: number;
  tdigest_pkg_max_cdf_error: number;
}

export interface DigestBenchResult {
  data: string;
  build_values_per_s: number;
  tdigest_pkg_build_values_per_s: number;
  merge_720_ms: number;
  /** The fastest of the 25 timed merges: the machine's noise floor shows in median − min. */
  merge_720_ms_min: number;
  tdigest_pkg_merge_720_ms: number;
  merge_720_max_cdf_error: number;
  tdigest_pkg_merge_720_max_cdf_error: number;
  merge_720_values_per_part: number;
  /** 30 daily rollups + 46 hourly digests: the merge behind a 30-day window. */
  merge_30d_rollups_ms: number;
  cdf_query_us: number;
  tdigest_pkg_p_rank_us: number;
  serialized_bytes: number;
  max_cdf_error: number;
  by_n: DigestSizeResult[];
}

type Pkg = InstanceType<typeof TDigestPackage.TDigest>;

function packageDigest(values: Float64Array): Pkg {
  const d = new TDigestPackage.TDigest();
  // push(Float64Array) would store the whole array as one value: only plain arrays are batches.
  const chunk = 1 << 16;
  for (let i = 0; i < values.length; i += chunk) d.push(Array.from(values.subarray(i, i + chunk)));
  d.compress();
  return d;
}

/** Max CDF error at 2,000 probes spread over the data (the package's p_rank costs µs a call). */
function probeError(sorted: Float64Array, cdf: (x: number) => number): number {
  let worst = 0;
  for (let k = 0; k < 2000; k++) {
    const i = Math.floor(((k + 0.5) / 2000) * sorted.length);
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    worst = Math.max(worst, Math.abs(cdf(sorted[i]) - (j + 1) / sorted.length));
  }
  return worst;
}

/** Collect garbage between timed sections when node runs with --expose-gc (npm run bench does). */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function benchMerge(log: (line: string) => void) {
  log('digest: merging 720 hourly digests …');
  const perPart = 10_000;
  const month = sample('lognormal', 720 * perPart, 7);
  const hour = (h: number) => month.subarray(h * perPart, (h + 1) * perPart);
  const parts: TDigest[] = Array.from({ length: 720 }, (_, h) => buildDigest(hour(h)).digest);
  settle();
  const merged = timeIt(() => mergeDigests(parts), 25, 5);
  // What a 30-day window really merges: 30 daily rollups and at most 46 hourly digests.
  const days = Array.from({ length: 30 }, (_, d) => mergeDigests(parts.slice(d * 24, (d + 1) * 24)));
  const rollupWindow = timeIt(() => mergeDigests([...days, ...parts.slice(0, 46)]), 25, 5);
  const monthSorted = sortedCopy(month);
  const mergedError = maxCdfError(monthSorted, (x) => merged.result.cdf(x), (x) => merged.result.cdfBelow(x));
  // The package's 720 digests (1.4 M centroid objects) come last: they load the garbage collector.
  const pkgParts: Pkg[] = Array.from({ length: 720 }, (_, h) => packageDigest(hour(h)));
  settle();
  const pkgMerged = timeIt(() => {
    const d = new TDigestPackage.TDigest();
    for (const p of pkgParts) d.push_centroid(p.toArray());
    d.compress();
    return d;
  }, 3);
  return {
    merge_720_ms: merged.medianMs,
    merge_720_ms_min: Math.min(...merged.timesMs),
    tdigest_pkg_merge_720_ms: pkgMerged.medianMs,
    merge_720_max_cdf_error: mergedError,
    tdigest_pkg_merge_720_max_cdf_error: probeError(monthSorted, (x) => pkgMerged.result.p_rank(x)),
    merge_720_values_per_part: perPart,
    merge_30d_rollups_ms: rollupWindow.medianMs,
  };
}

export function benchDigest(sizes: number[], log: (line: string) => void): DigestBenchResult {
  const merge = benchMerge(log);
  settle();
  const byN: DigestSizeResult[] = [];
  let queryDigest: TDigest | undefined;
  for (const n of sizes) {
    log(`digest: n = ${n.toExponential(0)} …`);
    settle();
    const values = sample('lognormal', n, 42);
    const sorted = sortedCopy(values);
    const reps = n >= 1e7 ? 5 : n >= 1e6 ? 11 : 25;
    const ours = timeIt(() => buildDigest(values).digest, reps);
    const pkgReps = n >= 1e7 ? 1 : n >= 1e6 ? 3 : 7;
    const theirs = timeIt(() => packageDigest(values), pkgReps);
    const digest = ours.result;
    if (n === 1e6 || queryDigest === undefined) queryDigest = digest;
    byN.push({
      n,
      build_values_per_s: n / (ours.medianMs / 1000),
      tdigest_pkg_build_values_per_s: n / (theirs.medianMs / 1000),
      build_speedup_vs_tdigest_pkg: theirs.medianMs / ours.medianMs,
      centroids: digest.size,
      serialized_bytes: JSON.stringify(digest).length,
      tdigest_pkg_serialized_bytes: JSON.stringify(theirs.result.toArray()).length,
      max_cdf_error: n <= 1e6 ? maxCdfError(sorted, (x) => digest.cdf(x), (x) => digest.cdfBelow(x)) : probeError(sorted, (x) => digest.cdf(x)),
      tdigest_pkg_max_cdf_error: probeError(sorted, (x) => theirs.result.p_rank(x)),
    });
  }

  if (queryDigest === undefined) throw new Error('bench: no sizes to measure');
  const probes = Float64Array.from({ length: 100_000 }, (_, i) => queryDigest.quantile((i + 0.5) / 100_000));
  const cdfTimes: number[] = [];
  let sink = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < probes.length; i++) sink += queryDigest.cdf(probes[i]);
    cdfTimes.push(((performance.now() - t0) * 1000) / probes.length);
  }
  const pkgQuery = packageDigest(sample('lognormal', 1e6, 42));
  const t0 = performance.now();
  for (let i = 0; i < 20_000; i++) sink += pkgQuery.p_rank(probes[i * 5]);
  const pkgRankUs = ((performance.now() - t0) * 1000) / 20_000;
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the query loops from being optimised away');

  const headline = byN.find((r) => r.n === 1e6) ?? byN[byN.length - 1];
  return {
    data: 'lognormal(5, 1), seed 42; merge: 720 digests of 10,000 values each',
    build_values_per_s: headline.build_values_per_s,
    tdigest_pkg_build_values_per_s: headline.tdigest_pkg_build_values_per_s,
    ...merge,
    cdf_query_us: median(cdfTimes),
    tdigest_pkg_p_rank_us: pkgRankUs,
    serialized_bytes: headline.serialized_bytes,
    max_cdf_error: headline.max_cdf_error,
    by_n: byN,
  };
}
