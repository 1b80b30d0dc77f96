/**
 * Ascending sorts of finite doubles, 2–4× faster than Float64Array#sort on large arrays.
 *
 * LSD radix sort (two 16-bit digits) on the order-preserving transform of each value's high
 * 32-bit word (sign, exponent, top 20 mantissa bits), then a comparison fix-up inside runs of
 * equal high words. A pass whose digit is constant over the input is skipped. No NaN allowed.
 */

const RADIX_MIN_LENGTH = 4096;
const SMALL_RUN = 24;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * Scratch space reused across calls: allocating (and zero-filling) fresh megabyte arrays on every
 * sort cost as much as the sort itself. JavaScript is single-threaded, so one set suffices.
 */
const scratch = {
  keysA: new Uint32Array(0),
  keysB: new Uint32Array(0),
  valuesA: new Float64Array(0),
  valuesB: new Float64Array(0),
  payloadA: new Float64Array(0),
  payloadB: new Float64Array(0),
  indexA: new Uint32Array(0),
  indexB: new Uint32Array(0),
  c0: new Uint32Array(65536),
  c1: new Uint32Array(65536),
  d0: new Uint32Array(2048),
  d1: new Uint32Array(2048),
  d2: new Uint32Array(2048),
};

function ensureScratch(n: number): void {
  if (scratch.keysA.length >= n) return;
  const size = Math.max(n, Math.ceil(scratch.keysA.length * 1.5));
  scratch.keysA = new Uint32Array(size);
  scratch.keysB = new Uint32Array(size);
  scratch.valuesA = new Float64Array(size);
  scratch.valuesB = new Float64Array(size);
  scratch.payloadA = new Float64Array(size);
  scratch.payloadB = new Float64Array(size);
  scratch.indexA = new Uint32Array(size);
  scratch.indexB = new Uint32Array(size);
}

/** Sort `values` in place and return it. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN_LENGTH || !LITTLE_ENDIAN) return values.sort();
  ensureScratch(n);
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const keys = scratch.keysA;
  const c0 = scratch.c0.fill(0);
  const c1 = scratch.c1.fill(0);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1];
    // Flip all bits of negatives and the sign bit of positives: unsigned order = numeric order.
    const key = (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> 0;
    keys[i] = key;
    c0[key & 0xffff]++;
    c1[key >>> 16]++;
  }
  const sorted = radixPasses(values, keys, scratch.valuesB, scratch.keysB, n);
  if (sorted.values !== values) values.set(sorted.values.subarray(0, n));
  fixEqualKeyRuns(values, null, sorted.keys, n);
  return values;
}

export interface SortedCentroids {
  means: Float64Array;
  weights: Float64Array;
  length: number;
}

/**
 * Concatenate centroid lists and sort them by mean, weights following. Only 32-bit keys and
 * indices move through the radix passes; means and weights are gathered once at the end. The
 * result lives in scratch space: it is valid until the next call of a function of this module.
 */
export function sortCentroidRuns(runs: ReadonlyArray<{ readonly means: Float64Array; readonly weights: Float64Array }>): SortedCentroids {
  let n = 0;
  for (const r of runs) n += r.means.length;
  ensureScratch(n);
  const means = scratch.valuesA;
  const weights = scratch.payloadA;
  if (n < RADIX_MIN_LENGTH || !LITTLE_ENDIAN) {
    let offset = 0;
    for (const r of runs) {
      means.set(r.means, offset);
      weights.set(r.weights, offset);
      offset += r.means.length;
    }
    sortRunWithPayload(means, weights, 0, n);
    return { means, weights, length: n };
  }
  const keys = scratch.keysA;
  const index = scratch.indexA;
  // 11-bit digits: the count tables stay in L1 for the cache-sized batches that mergeDigests sorts.
  const c0 = scratch.d0.fill(0);
  const c1 = scratch.d1.fill(0);
  const c2 = scratch.d2.fill(0);
  // Hot loops live in small helpers: inside this function, rare branches kept deoptimising them.
  let offset = 0;
  for (const r of runs) {
    keyRun(r.means, offset, keys, index, c0, c1, c2);
    means.set(r.means, offset);
    weights.set(r.weights, offset);
    offset += r.means.length;
  }
  let srcKeys = keys;
  let srcIndex = index;
  let dstKeys = scratch.keysB;
  let dstIndex = scratch.indexB;
  for (let pass = 0; pass < 3; pass++) {
    const counts = pass === 0 ? c0 : pass === 1 ? c1 : c2;
    if (isSingleBucket(counts, n)) continue;
    prefixSums(counts);
    scatterIndex(srcKeys, srcIndex, dstKeys, dstIndex, counts, pass * 11, n);
    [srcKeys, dstKeys] = [dstKeys, srcKeys];
    [srcIndex, dstIndex] = [dstIndex, srcIndex];
  }
  const sortedMeans = scratch.valuesB;
  const sortedWeights = scratch.payloadB;
  gather(means, weights, srcIndex, sortedMeans, sortedWeights, n);
  fixEqualKeyRuns(sortedMeans, sortedWeights, srcKeys, n);
  return { means: sortedMeans, weights: sortedWeights, length: n };
}

function keyRun(m: Float64Array, offset: number, keys: Uint32Array, index: Uint32Array, c0: Uint32Array, c1: Uint32Array, c2: Uint32Array): void {
  const words = new Uint32Array(m.buffer, m.byteOffset, m.length * 2);
  for (let i = 0; i < m.length; i++) {
    const hi = words[2 * i + 1];
    const key = (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> 0;
    keys[offset + i] = key;
    index[offset + i] = offset + i;
    c0[key & 0x7ff]++;
    c1[(key >>> 11) & 0x7ff]++;
    c2[key >>> 22]++;
  }
}

function gather(means: Float64Array, weights: Float64Array, order: Uint32Array, outMeans: Float64Array, outWeights: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const j = order[i];
    outMeans[i] = means[j];
    outWeights[i] = weights[j];
  }
}

function scatterIndex(sk: Uint32Array, si: Uint32Array, dk: Uint32Array, di: Uint32Array, counts: Uint32Array, shift: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const key = sk[i];
    const pos = counts[(key >>> shift) & 0x7ff]++;
    dk[pos] = key;
    di[pos] = si[i];
  }
}

/** Scatter values by the low then the high 16 bits of their keys, ping-ponging between A and B. */
function radixPasses(valuesA: Float64Array, keysA: Uint32Array, valuesB: Float64Array, keysB: Uint32Array, n: number): { values: Float64Array; keys: Uint32Array } {
  let src = { values: valuesA, keys: keysA };
  let dst = { values: valuesB, keys: keysB };
  for (let pass = 0; pass < 2; pass++) {
    const counts = pass === 0 ? scratch.c0 : scratch.c1;
    if (isSingleBucket(counts, n)) continue;
    prefixSums(counts);
    scatter(src.values, src.keys, dst.values, dst.keys, counts, pass * 16, n);
    [src, dst] = [dst, src];
  }
  return src;
}

function prefixSums(counts: Uint32Array): void {
  let sum = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b];
    counts[b] = sum;
    sum += c;
  }
}

function scatter(sv: Float64Array, sk: Uint32Array, dv: Float64Array, dk: Uint32Array, counts: Uint32Array, shift: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const key = sk[i];
    const pos = counts[(key >>> shift) & 0xffff]++;
    dv[pos] = sv[i];
    dk[pos] = key;
  }
}

function isSingleBucket(counts: Uint32Array, n: number): boolean {
  for (let b = 0; b < counts.length; b++) {
    if (counts[b] !== 0) return counts[b] === n;
  }
  return true;
}

/** Values that share a high word are in input order; order them by full comparison. */
function fixEqualKeyRuns(values: Float64Array, payload: Float64Array | null, keys: Uint32Array, n: number): void {
  let start = 0;
  while (start < n) {
    const key = keys[start];
    let end = start + 1;
    let sorted = true;
    while (end < n && keys[end] === key) {
      if (values[end] < values[end - 1]) sorted = false;
      end++;
    }
    if (!sorted) {
      if (end - start <= SMALL_RUN) insertionSort(values, payload, start, end);
      else if (payload !== null) sortRunWithPayload(values, payload, start, end);
      else values.subarray(start, end).sort();
    }
    start = end;
  }
}

function insertionSort(values: Float64Array, payload: Float64Array | null, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const v = values[i];
    const p = payload === null ? 0 : payload[i];
    let j = i - 1;
    while (j >= start && values[j] > v) {
      values[j + 1] = values[j];
      if (payload !== null) payload[j + 1] = payload[j];
      j--;
    }
    values[j + 1] = v;
    if (payload !== null) payload[j + 1] = p;
  }
}

function sortRunWithPayload(values: Float64Array, payload: Float64Array, start: number, end: number): void {
  if (end - start <= SMALL_RUN) {
    insertionSort(values, payload, start, end);
    return;
  }
  const order = Array.from({ length: end - start }, (_, i) => start + i);
  order.sort((a, b) => values[a] - values[b] || a - b);
  const v = order.map((i) => values[i]);
  const p = order.map((i) => payload[i]);
  values.set(v, start);
  payload.set(p, start);
}
