import { compressSorted, DEFAULT_COMPRESSION } from './compress';
import { TDigest } from './digest';
import { sortCentroidRuns } from './sort-float64';

/**
 * Merge any number of digests into one: all centroids are concatenated, radix-sorted by mean
 * (weights follow) and compressed once. One compression, not one per pair, keeps the error of a
 * 720-part merge at that of a single build, and the result does not depend on the input order.
 */
export function mergeDigests(digests: readonly TDigest[], compression = DEFAULT_COMPRESSION): TDigest {
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  const parts: TDigest[] = [];
  for (const d of digests) {
    if (d.count === 0) continue;
    if (d.min < min) min = d.min;
    if (d.max > max) max = d.max;
    total += d.count;
    parts.push(d);
  }
  if (parts.length === 0) return TDigest.empty(compression);
  if (parts.length === 1 && parts[0].compression === compression) return parts[0];
  const sorted = sortCentroidRuns(parts);
  const out = compressSorted(sorted.means, sorted.weights, sorted.length, total, compression);
  return new TDigest(out.means, out.weights, min, max, compression);
}
