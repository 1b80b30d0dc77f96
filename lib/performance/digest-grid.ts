import { CdfCursor, type TDigest } from '../digest';

/**
 * Two digests' CDFs on the union of their knots. Between two consecutive grid points both CDFs
 * are linear (the digest spreads a centroid evenly between knots) and point masses sit only on
 * grid points, so integrals of one CDF against the other are exact on this grid.
 */
export interface DigestGrid {
  readonly xs: Float64Array;
  /** Cumulative weight of `a` at or below each x (P(X ≤ x)·count). */
  readonly aAt: Float64Array;
  /** Cumulative weight of `a` strictly below each x. */
  readonly aBelow: Float64Array;
  readonly bAt: Float64Array;
  readonly bBelow: Float64Array;
}

export function digestGrid(a: TDigest, b: TDigest): DigestGrid {
  const ka = a.knots();
  const kb = b.knots();
  const xs = uniqueMerged(ka.xs, kb.xs);
  const n = xs.length;
  const aAt = new Float64Array(n);
  const aBelow = new Float64Array(n);
  const bAt = new Float64Array(n);
  const bBelow = new Float64Array(n);
  const ca = new CdfCursor(ka.xs, ka.fs);
  const cb = new CdfCursor(kb.xs, kb.fs);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    aAt[i] = ca.value(x, false);
    aBelow[i] = ca.value(x, true);
    bAt[i] = cb.value(x, false);
    bBelow[i] = cb.value(x, true);
  }
  return { xs, aAt, aBelow, bAt, bBelow };
}

function uniqueMerged(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (k === 0 || out[k - 1] !== x) out[k++] = x;
  }
  return out.subarray(0, k);
}

/** Throws when a digest has no values: a metric of an empty class is undefined, not 0. */
export function requireNonEmpty(d: TDigest, what: string, fn: string): void {
  if (!(d.count > 0)) throw new RangeError(`${fn}: the ${what} digest is empty (no ${what} scores in the window); the metric is undefined`);
}
