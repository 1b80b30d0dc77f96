import { compressSorted, DEFAULT_COMPRESSION, unitWeights } from './compress';
import { TDigest } from './digest';
import { sortFloat64 } from './sort-float64';

/** Values that are not numbers of the distribution: callers count them as failed. */
export interface NonFiniteCounts {
  nan: number;
  posInf: number;
  negInf: number;
}

export interface BuiltDigest extends NonFiniteCounts {
  digest: TDigest;
}

let copyBuffer = new Float64Array(0);

/**
 * The fast path: a digest from a batch of values in one call. NaN and ±Infinity are left out
 * and counted. The input is not modified: values are copied into a reused buffer, since fresh
 * megabyte arrays (page faults) cost up to a third of the build on this machine.
 */
export function buildDigest(values: Float64Array | readonly number[], compression = DEFAULT_COMPRESSION): BuiltDigest {
  const n = values.length;
  if (copyBuffer.length < n) copyBuffer = new Float64Array(Math.max(n, copyBuffer.length * 2));
  const m = copyFinite(values, copyBuffer, copyStats);
  const [min, max, nan, posInf, negInf] = copyStats;
  const sorted = sortFloat64(copyBuffer.subarray(0, m));
  const { means, weights } = compressSorted(sorted, unitWeights(m), m, m, compression);
  return { digest: new TDigest(means, weights, min, max, compression), nan, posInf, negInf };
}

/** min, max, NaN count, +Inf count, −Inf count of the last copy. */
const copyStats = new Float64Array(5);

/**
 * The copy loop lives apart from buildDigest: V8 compiled it on stack (OSR) inside every call
 * and then threw the code away at the first untried line after the loop, 719 times in 720.
 */
function copyFinite(values: Float64Array | readonly number[], out: Float64Array, stats: Float64Array): number {
  const n = values.length;
  let m = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v === 0) {
      // -0 and 0 are one value: keep atoms at zero whole.
      const x = v === 0 ? 0 : v;
      out[m++] = x;
      if (x < min) min = x;
      if (x > max) max = x;
    } else if (v !== v) nan++;
    else if (v > 0) posInf++;
    else negInf++;
  }
  stats[0] = min;
  stats[1] = max;
  stats[2] = nan;
  stats[3] = posInf;
  stats[4] = negInf;
  return m;
}

/**
 * Incremental building: values are buffered and folded into the centroids whenever the buffer
 * fills, so memory stays bounded whatever the number of values.
 */
export class DigestBuilder {
  private readonly compression: number;
  private readonly buffer: Float64Array;
  private buffered = 0;
  private centroids: TDigest;
  private min = Infinity;
  private max = -Infinity;
  readonly failed: NonFiniteCounts = { nan: 0, posInf: 0, negInf: 0 };

  constructor(compression = DEFAULT_COMPRESSION, bufferSize = Math.max(4096, Math.ceil(compression) * 8)) {
    this.compression = compression;
    this.buffer = new Float64Array(bufferSize);
    this.centroids = TDigest.empty(compression);
  }

  add(value: number): this {
    if (value - value !== 0) {
      if (value !== value) this.failed.nan++;
      else if (value > 0) this.failed.posInf++;
      else this.failed.negInf++;
      return this;
    }
    const x = value === 0 ? 0 : value;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.buffer[this.buffered++] = x;
    if (this.buffered === this.buffer.length) this.flush();
    return this;
  }

  addAll(values: Float64Array | readonly number[]): this {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
    return this;
  }

  /** The digest of everything added so far; the builder can keep taking values. */
  digest(): TDigest {
    this.flush();
    return this.centroids;
  }

  private flush(): void {
    if (this.buffered === 0) return;
    const sorted = sortFloat64(this.buffer.slice(0, this.buffered));
    const { means, weights } = this.centroids;
    const length = means.length + sorted.length;
    const mergedMeans = new Float64Array(length);
    const mergedWeights = new Float64Array(length);
    let a = 0;
    let b = 0;
    for (let k = 0; k < length; k++) {
      if (b >= sorted.length || (a < means.length && means[a] <= sorted[b])) {
        mergedMeans[k] = means[a];
        mergedWeights[k] = weights[a++];
      } else {
        mergedMeans[k] = sorted[b++];
        mergedWeights[k] = 1;
      }
    }
    const total = this.centroids.count + this.buffered;
    const out = compressSorted(mergedMeans, mergedWeights, length, total, this.compression);
    this.centroids = new TDigest(out.means, out.weights, this.min, this.max, this.compression);
    this.buffered = 0;
  }
}
