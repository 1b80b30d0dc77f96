import { sortCentroidRuns } from '../digest';

/**
 * A monotone calibration map: knots (xs strictly increasing, ps non-decreasing in [0, 1]),
 * linear between knots and flat beyond the ends (scikit-learn's IsotonicRegression with
 * out_of_bounds='clip'). Each pooled block keeps its lowest and highest score as knots, so the
 * fitted scores of a block map exactly to its rate.
 */
export interface IsotonicMap {
  xs: number[];
  ps: number[];
}

export interface FitIsotonicOptions {
  /** At most this many knots (≥ 4); beyond it adjacent blocks are pooled by weight. */
  maxKnots?: number;
}

const DEFAULT_MAX_KNOTS = 1000;

/**
 * Isotonic regression of labels on scores by pool-adjacent-violators: sort (radix, ~0.1 s for 1e6
 * rows), pool tied scores, then one stack pass. Labels are 0/1 (Uint8Array) or rates in [0, 1].
 */
export function fitIsotonic(scores: Float64Array, labels: Uint8Array | Float64Array, options: FitIsotonicOptions = {}): IsotonicMap {
  const n = scores.length;
  const maxKnots = options.maxKnots ?? DEFAULT_MAX_KNOTS;
  if (!(Number.isInteger(maxKnots) && maxKnots >= 4)) throw new RangeError(`fitIsotonic: maxKnots must be an integer ≥ 4, got ${maxKnots}`);
  if (labels.length !== n) throw new RangeError(`fitIsotonic: ${n} scores but ${labels.length} labels; they must pair up`);
  if (n === 0) throw new RangeError('fitIsotonic: no scores to fit a calibration map on');
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new RangeError(`fitIsotonic: score ${i} is ${s}; only finite scores can be calibrated`);
    const v = labels[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`fitIsotonic: label ${i} is ${v}; labels must be 0/1 or a rate in [0, 1]`);
    y[i] = v;
  }
  // The sort's output lives in shared scratch space: consume it before any other sort runs.
  const sorted = sortCentroidRuns([{ means: scores, weights: y }]);
  const blocks = poolAdjacentViolators(sorted.means, sorted.weights, n);
  const pooled = blocks.length * 2 > maxKnots ? poolByWeight(blocks, n, Math.floor(maxKnots / 2)) : blocks;
  return toMap(pooled);
}

interface Block {
  lo: number;
  hi: number;
  weight: number;
  sumY: number;
}

function poolAdjacentViolators(xs: Float64Array, ys: Float64Array, n: number): Block[] {
  const stack: Block[] = [];
  let i = 0;
  while (i < n) {
    const x = xs[i];
    let sumY = 0;
    let j = i;
    while (j < n && xs[j] === x) sumY += ys[j++];
    let block: Block = { lo: x, hi: x, weight: j - i, sumY };
    i = j;
    // Pool while the block below has a higher rate (cross-multiplied: no division).
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.sumY * block.weight <= block.sumY * top.weight) break;
      stack.pop();
      block = { lo: top.lo, hi: block.hi, weight: top.weight + block.weight, sumY: top.sumY + block.sumY };
    }
    stack.push(block);
  }
  return stack;
}

/**
 * Pools consecutive blocks into at most ~`groups` groups of about equal weight. A pooled rate is
 * a weighted mean of rates between its neighbours' rates, so the map stays monotone.
 */
function poolByWeight(blocks: Block[], total: number, groups: number): Block[] {
  const target = total / (groups - 1);
  const out: Block[] = [];
  let cur: Block | undefined;
  for (const b of blocks) {
    if (cur === undefined) cur = { ...b };
    else {
      cur.hi = b.hi;
      cur.weight += b.weight;
      cur.sumY += b.sumY;
    }
    if (cur.weight >= target) {
      out.push(cur);
      cur = undefined;
    }
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

function toMap(blocks: Block[]): IsotonicMap {
  const xs: number[] = [];
  const ps: number[] = [];
  let last = -Infinity;
  for (const b of blocks) {
    // Rounding of a pooled mean can dip a hair below the previous rate; clamp to keep monotone.
    const p = Math.max(last, Math.min(1, b.sumY / b.weight));
    last = p;
    xs.push(b.lo);
    ps.push(p);
    if (b.hi > b.lo) {
      xs.push(b.hi);
      ps.push(p);
    }
  }
  return { xs, ps };
}

/** The calibrated probability of a score: linear between knots, clipped to the end rates. */
export function calibrate(map: IsotonicMap, score: number): number {
  const { xs, ps } = map;
  const n = xs.length;
  if (n === 0) throw new RangeError('calibrate: the calibration map has no knots');
  if (Number.isNaN(score)) return NaN;
  if (score <= xs[0]) return ps[0];
  if (score >= xs[n - 1]) return ps[n - 1];
  let lo = 0;
  let hi = n - 1;
  // Last knot with xs ≤ score; xs[lo] ≤ score < xs[lo + 1] on exit.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= score) lo = mid;
    else hi = mid;
  }
  const t = (score - xs[lo]) / (xs[hi] - xs[lo]);
  return ps[lo] + t * (ps[hi] - ps[lo]);
}

/** `calibrate` over an array. */
export function calibrateAll(map: IsotonicMap, scores: Float64Array): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = calibrate(map, scores[i]);
  return out;
}
