"""The merging t-digest of lib/digest, ported to NumPy (docs/digest.md).

`build_digest` and `merge_digests` give the same centroids as `buildDigest` and `mergeDigests` of
the TypeScript engine: the same weights exactly, the same means bit for bit (each centroid's sum is
accumulated left to right, as the TS loop does). The compression pass loops once per centroid
(about 720 at δ = 1000, plus the 50 exact tail values), never per value: inside a centroid the
point where it must close (k1 limit and mass cap, the next point mass, a gap 16× its spacing) is
found with prefix sums, `np.searchsorted` and a vectorised gap check over the candidate range.

`cdf` and `quantile` port `TDigest.cdf` / `TDigest.quantile` (lib/digest/digest.ts).
"""
from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

DEFAULT_COMPRESSION = 1000.0

# lib/digest/compress.ts
MAX_WEIGHT_FACTOR = 1.75
GAP_FACTOR = 16.0
EXACT_TAIL = 25
# lib/digest/merge-digests.ts
BATCH_CENTROIDS = 32_768
# Centroid candidates up to this many items are closed by a plain loop, not NumPy calls.
SMALL_RANGE = 48


@dataclass
class Digest:
    means: np.ndarray
    weights: np.ndarray
    min: float
    max: float
    count: int
    compression: float = DEFAULT_COMPRESSION

    @property
    def size(self) -> int:
        return int(self.means.shape[0])

    def mean(self) -> float:
        """Mean of the distribution, summed left to right as `TDigest.mean` does."""
        if self.count == 0:
            return math.nan
        return sequential_sum(self.means * self.weights) / self.count


def make_digest(means: np.ndarray, weights: np.ndarray, lo: float, hi: float, compression: float) -> Digest:
    """A digest from centroids: count is the weights' sum; min/max are NaN when empty (as TDigest)."""
    means = np.ascontiguousarray(means, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    count = int(sequential_sum(weights)) if weights.shape[0] else 0
    if count == 0:
        return Digest(means, weights, math.nan, math.nan, 0, float(compression))
    return Digest(means, weights, float(lo), float(hi), count, float(compression))


def empty_digest(compression: float = DEFAULT_COMPRESSION) -> Digest:
    return make_digest(np.empty(0), np.empty(0), math.nan, math.nan, compression)


def sequential_sum(values: np.ndarray) -> float:
    """Left-to-right sum (np.sum is pairwise and rounds differently from the TS loops)."""
    if values.shape[0] == 0:
        return 0.0
    return float(np.cumsum(values)[-1])


# Math.asin and Math.sin as V8 computes them (fdlibm): the k1 limit of nextLimit must be the same
# double as in the TS build, and glibc's asin/sin differ from V8's in the last bit for ~3% of
# arguments. Checked against Node 20's Math on 500,000 arguments (test_digest.py fixtures).


_PACK_DOUBLE = struct.Struct("<d").pack
_UNPACK_DOUBLE = struct.Struct("<d").unpack
_PACK_BITS = struct.Struct("<Q").pack
_UNPACK_BITS = struct.Struct("<Q").unpack


def _bits(x: float) -> int:
    return _UNPACK_BITS(_PACK_DOUBLE(x))[0]


def _hi(x: float) -> int:
    """The high word as a signed 32-bit integer (fdlibm's GET_HIGH_WORD)."""
    hi = _bits(x) >> 32
    return hi - (1 << 32) if hi & 0x80000000 else hi


def _lo(x: float) -> int:
    return _bits(x) & 0xFFFFFFFF


def _with_low_zero(x: float) -> float:
    return _UNPACK_DOUBLE(_PACK_BITS(_bits(x) & 0xFFFFFFFF00000000))[0]


def _from_words(hi: int, lo: int) -> float:
    return _UNPACK_DOUBLE(_PACK_BITS(((hi & 0xFFFFFFFF) << 32) | lo))[0]


_PIO2_HI = 1.57079632679489655800e+00
_PIO2_LO = 6.12323399573676603587e-17
_PIO4_HI = 7.85398163397448278999e-01
_PS0 = 1.66666666666666657415e-01
_PS1 = -3.25565818622400915405e-01
_PS2 = 2.01212532134862925881e-01
_PS3 = -4.00555345006794114027e-02
_PS4 = 7.91534994289814532176e-04
_PS5 = 3.47933107596021167570e-05
_QS1 = -2.40339491173441421878e+00
_QS2 = 2.02094576023350569471e+00
_QS3 = -6.88283971605453293030e-01
_QS4 = 7.70381505559019352791e-02


def js_asin(x: float) -> float:
    """Math.asin of V8 (fdlibm e_asin.c), bit for bit."""
    hx = _hi(x)
    ix = hx & 0x7fffffff
    if ix >= 0x3ff00000:
        if ((ix - 0x3ff00000) | _lo(x)) == 0:
            return x * _PIO2_HI + x * _PIO2_LO
        return math.nan
    if ix < 0x3fe00000:
        if ix < 0x3e400000:
            return x
        t = x * x
        p = t * (_PS0 + t * (_PS1 + t * (_PS2 + t * (_PS3 + t * (_PS4 + t * _PS5)))))
        q = 1.0 + t * (_QS1 + t * (_QS2 + t * (_QS3 + t * _QS4)))
        w = p / q
        return x + x * w
    w = 1.0 - abs(x)
    t = w * 0.5
    p = t * (_PS0 + t * (_PS1 + t * (_PS2 + t * (_PS3 + t * (_PS4 + t * _PS5)))))
    q = 1.0 + t * (_QS1 + t * (_QS2 + t * (_QS3 + t * _QS4)))
    s = math.sqrt(t)
    if ix >= 0x3FEF3333:
        w = p / q
        t = _PIO2_HI - (2.0 * (s + s * w) - _PIO2_LO)
    else:
        w = _with_low_zero(s)
        c = (t - w * w) / (s + w)
        r = p / q
        p = 2.0 * s * r - (_PIO2_LO - 2.0 * c)
        q = _PIO4_HI - 2.0 * w
        t = _PIO4_HI - (p - q)
    return t if hx > 0 else -t


_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11
_PIO2_1 = 1.57079632673412561417e+00
_PIO2_1T = 6.07710050650619224932e-11
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_2T = 2.02226624879595063154e-21


def _ksin(x: float, y: float, iy: int) -> float:
    ix = _hi(x) & 0x7fffffff
    if ix < 0x3e400000 and int(x) == 0:
        return x
    z = x * x
    v = z * x
    r = _S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))
    if iy == 0:
        return x + v * (_S1 + z * r)
    return x - ((z * (0.5 * y - v * r) - y) - v * _S1)


def _kcos(x: float, y: float) -> float:
    ix = _hi(x) & 0x7fffffff
    if ix < 0x3e400000 and int(x) == 0:
        return 1.0
    z = x * x
    r = z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
    if ix < 0x3FD33333:
        return 1.0 - (0.5 * z - (z * r - x * y))
    qx = 0.28125 if ix > 0x3fe90000 else _from_words(ix - 0x00200000, 0)
    iz = 0.5 * z - qx
    a = 1.0 - qx
    return a - (iz - (z * r - x * y))


def js_sin(x: float) -> float:
    """Math.sin of V8 (fdlibm s_sin.c) for |x| < 3π/4, bit for bit."""
    hx = _hi(x)
    ix = hx & 0x7fffffff
    if ix <= 0x3fe921fb:
        return _ksin(x, 0.0, 0)
    if ix >= 0x4002d97c:
        return math.sin(x)  # never reached: nextLimit's angles stay within ±(π/2 + 2π/δ)
    if hx > 0:
        z = x - _PIO2_1
        if ix != 0x3ff921fb:
            y0 = z - _PIO2_1T
            y1 = (z - y0) - _PIO2_1T
        else:
            z -= _PIO2_2
            y0 = z - _PIO2_2T
            y1 = (z - y0) - _PIO2_2T
        return _kcos(y0, y1)
    z = x + _PIO2_1
    if ix != 0x3ff921fb:
        y0 = z + _PIO2_1T
        y1 = (z - y0) + _PIO2_1T
    else:
        z += _PIO2_2
        y0 = z + _PIO2_2T
        y1 = (z - y0) + _PIO2_2T
    return -_kcos(y0, y1)


def atom_min_weight(total: float, compression: float) -> float:
    return max(2.0, total / (2 * compression))


@functools.lru_cache(maxsize=1 << 16)
def _next_limit(cum_before: float, total: float, angle_step: float, max_weight: float) -> float:
    """lib/digest/compress.ts nextLimit. Cached: a pure function of its arguments, called once per
    centroid, and the features of one hour share their total and walk the same cumulative weights
    (half of a build's time before the cache)."""
    if cum_before < EXACT_TAIL or cum_before >= total - EXACT_TAIL:
        return cum_before + 1
    cap = min(cum_before + max_weight, total - EXACT_TAIL)
    # The C library's asin/sin are within a few ulps of V8's: when their k1 clears the cap by far
    # more than that (the centre, where the 1.75/δ cap binds), V8's k1 does too and is not the minimum.
    angle = math.asin(min(1.0, (2 * cum_before) / total - 1)) + angle_step
    k1 = total if angle >= math.pi / 2 else (total * (math.sin(angle) + 1)) / 2
    if k1 - cap > 1e-9 * total:
        return cap
    angle = js_asin(min(1.0, (2 * cum_before) / total - 1)) + angle_step
    k1 = total if angle >= math.pi / 2 else (total * (js_sin(angle) + 1)) / 2
    return min(k1, cum_before + max_weight, total - EXACT_TAIL)


def _close_small(xs: List[float], ws: Optional[List[float]]) -> Tuple[int, float, float]:
    """The TS loop over a centroid's candidate items (the weight rule already applied): where the
    gap rule closes it, its mean and weight."""
    first = xs[0]
    last = first
    distinct = 1
    weight = 1.0 if ws is None else ws[0]
    total_sum = 0.0 + first * weight
    end = len(xs)
    for j in range(1, end):
        v = xs[j]
        if v != last:
            if distinct >= 3 and (v - last) * (distinct - 1) > GAP_FACTOR * (last - first):
                end = j
                break
            distinct += 1
        wj = 1.0 if ws is None else ws[j]
        weight += wj
        total_sum += v * wj
        last = v
    mean = first if first == last else total_sum / weight
    if mean < first:
        mean = first
    elif mean > last:
        mean = last
    return end, mean, weight


def _exact(x: np.ndarray, w: Optional[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """compressSorted when no centroid may hold two items (1.75/δ of the mass is below 2, e.g. fewer
    than 1,143 values at δ = 1000): single items stay, and every run of two or more equal means
    (weight ≥ 2 = atomMin there) becomes a point mass of two centroids."""
    n = x.shape[0]
    new_value = np.empty(n, dtype=bool)
    new_value[0] = True
    np.not_equal(x[1:], x[:-1], out=new_value[1:])
    starts = np.flatnonzero(new_value)
    if starts.shape[0] == n:
        return x.copy(), (np.ones(n) if w is None else w.copy())
    ends = np.append(starts[1:], n)
    if w is None:
        run_weights = (ends - starts).astype(np.float64)
    else:
        run_weights = np.add.reduceat(w, starts)  # integers: exact in any order
    single = (ends - starts) == 1
    half = np.floor(run_weights / 2)
    means = np.repeat(x[starts], np.where(single, 1, 2))
    weights = np.stack([np.where(single, run_weights, run_weights - half), half], axis=1).ravel()
    keep = np.stack([np.ones_like(single), ~single], axis=1).ravel()
    return means, weights[keep]


def compress_sorted(means: np.ndarray, weights: Optional[np.ndarray], total: float, compression: float) -> Tuple[np.ndarray, np.ndarray]:
    """Port of compressSorted: items sorted by mean → centroid arrays. `weights` are counts
    (integers); None means raw values (weight 1 each)."""
    n = int(means.shape[0])
    if n == 0:
        return np.empty(0), np.empty(0)
    x = means
    w = weights
    angle_step = (2 * math.pi) / compression
    max_weight = (total * MAX_WEIGHT_FACTOR) / compression
    atom_min = atom_min_weight(total, compression)

    if max_weight < 2:
        return _exact(x, w)
    # cum[k]: weight of the items before k. Weights are integers, so these sums are exact and
    # equal to the TS running sums (cumBefore + curWeight).
    cum = None if w is None else np.concatenate(([0.0], np.cumsum(w)))
    # step[k − 1] = x[k] − x[k − 1], the TS loop's `x − last`; it is 0 exactly when x[k] equals x[k − 1].
    step = np.subtract(x[1:], x[:-1])
    # new_values[j]: items among 1 … j + 1 whose mean differs from the one before (prefix counts:
    # a centroid's distinct values are differences of two of them).
    new_values = np.cumsum(step != 0, dtype=np.int64)
    # Point masses: maximal runs of two or more equal means holding at least atom_min.
    dup = np.flatnonzero(step == 0)  # x[k + 1] == x[k]
    if dup.shape[0]:
        breaks = np.diff(dup) != 1
        starts = dup[np.concatenate(([True], breaks))]
        ends = dup[np.concatenate((breaks, [True]))] + 2
        run_weights = (ends - starts).astype(np.float64) if cum is None else cum[ends] - cum[starts]
        heavy = run_weights >= atom_min
        atom_starts: List[int] = starts[heavy].tolist()
        atom_ends: List[int] = ends[heavy].tolist()
    else:
        atom_starts, atom_ends = [], []
    atom_starts.append(n + 1)  # sentinel: no more point masses

    out_means: List[float] = []
    out_weights: List[float] = []
    atom = 0
    next_atom = atom_starts[0]
    s = 0
    while s < n:
        if s == next_atom:
            e = atom_ends[atom]
            run_weight = float(e - s) if cum is None else float(cum[e] - cum[s])
            half = math.floor(run_weight / 2)
            value = float(x[s])
            out_means += (value, value)
            out_weights += (run_weight - half, float(half))
            atom += 1
            next_atom = atom_starts[atom]
            s = e
            continue
        cum_before = float(s) if cum is None else float(cum[s])
        limit = _next_limit(cum_before, total, angle_step, max_weight)
        # Weight rule: item k > s closes the centroid when cum[k + 1] > limit.
        if cum is None:
            end = math.floor(limit)  # cum[m] = m: the first m with m > limit is floor(limit) + 1
        else:
            end = int(cum.searchsorted(limit, "right")) - 1
        end = max(min(end, n, next_atom), s + 1)
        first = float(x[s])
        if end == s + 1:
            out_means.append(first)
            out_weights.append(1.0 if w is None else float(w[s]))
            s = end
            continue
        if end - s <= SMALL_RANGE:
            # Few items (merges, the tails): the TS loop itself beats a dozen NumPy calls.
            end, mean, weight = _close_small(x[s:end].tolist(), None if w is None else w[s:end].tolist())
            out_means.append(mean)
            out_weights.append(weight)
            s += end
            continue
        # Gap rule at items k in s+3 … end−1 (three distinct values before k): close before k when
        # (x[k] − x[k−1])·(distinct − 1) > 16·(x[k−1] − x[s]). With distinct ≤ 2 the product is
        # 0 or one step; the explicit check keeps exactly the TS condition.
        if end - s > 3:
            d1 = new_values[s + 1 : end - 2] - (new_values[s - 1] if s else 0)  # distinct − 1
            gap = (step[s + 2 : end - 1] * d1 > (x[s + 2 : end - 1] - first) * GAP_FACTOR) & (d1 >= 2)
            hit = int(gap.argmax())
            if gap[hit]:
                end = s + 3 + hit
        last = float(x[end - 1])
        if w is None:
            weight = float(end - s)
            total_sum = float(np.add.accumulate(x[s:end])[-1])
        else:
            weight = float(cum[end] - cum[s])
            total_sum = float(np.add.accumulate(x[s:end] * w[s:end])[-1])
        mean = first if first == last else total_sum / weight
        if mean < first:
            mean = first
        elif mean > last:
            mean = last
        out_means.append(mean)
        out_weights.append(weight)
        s = end
    return np.array(out_means, dtype=np.float64), np.array(out_weights, dtype=np.float64)


def build_digest(values: np.ndarray, compression: float = DEFAULT_COMPRESSION) -> Tuple[Digest, int, int, int]:
    """Port of buildDigest: (digest, nan, pos_inf, neg_inf). NaN and ±Inf are left out and counted;
    -0 is stored as 0. The input is not modified."""
    v = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(v)
    n_finite = int(np.count_nonzero(finite))
    if n_finite == v.shape[0]:
        nan = pos_inf = neg_inf = 0
        kept = v + 0.0  # a copy; -0 + 0 is +0
    else:
        nan = int(np.count_nonzero(np.isnan(v)))
        pos_inf = int(np.count_nonzero(v == np.inf))
        neg_inf = int(np.count_nonzero(v == -np.inf))
        kept = v[finite] + 0.0
    if kept.shape[0] == 0:
        return empty_digest(compression), nan, pos_inf, neg_inf
    kept.sort()
    means, weights = compress_sorted(kept, None, float(kept.shape[0]), compression)
    return make_digest(means, weights, float(kept[0]), float(kept[-1]), compression), nan, pos_inf, neg_inf


def _merge_once(parts: Sequence[Digest], compression: float) -> Digest:
    lo = min(d.min for d in parts)
    hi = max(d.max for d in parts)
    total = float(sum(d.count for d in parts))
    means = np.concatenate([d.means for d in parts])
    weights = np.concatenate([d.weights for d in parts])
    # Stable by mean, concatenation order among equal means: as sortCentroidRuns.
    order = np.argsort(means, kind="stable")
    out_means, out_weights = compress_sorted(means[order], weights[order], total, compression)
    return make_digest(out_means, out_weights, lo, hi, compression)


def merge_digests(digests: Sequence[Digest], compression: float = DEFAULT_COMPRESSION) -> Digest:
    """Port of mergeDigests: one sort and compression, or two levels above 65,536 centroids."""
    parts = [d for d in digests if d.count > 0]
    if not parts:
        return empty_digest(compression)
    if len(parts) == 1 and parts[0].compression == compression:
        return parts[0]
    centroids = sum(d.size for d in parts)
    if centroids <= 2 * BATCH_CENTROIDS:
        return _merge_once(parts, compression)
    batches: List[Digest] = []
    batch: List[Digest] = []
    batch_size = 0
    for d in parts:
        if batch_size > 0 and batch_size + d.size > BATCH_CENTROIDS:
            batches.append(_merge_once(batch, compression))
            batch = []
            batch_size = 0
        batch.append(d)
        batch_size += d.size
    batches.append(_merge_once(batch, compression))
    return _merge_once(batches, compression)


def _knots(d: Digest) -> Tuple[np.ndarray, np.ndarray]:
    """computeKnots: the piecewise-linear CDF as (x, cumulative weight) knots."""
    xs: List[float] = [d.min]
    fs: List[float] = [0.0]
    means = d.means.tolist()
    weights = d.weights.tolist()
    n = len(means)
    cum = 0.0
    i = 0
    while i < n:
        m = means[i]
        j = i + 1
        wt = weights[i]
        while j < n and means[j] == m:
            wt += weights[j]
            j += 1
        if j - i > 1 or wt == 1:
            xs += [m, m]
            fs += [cum, cum + wt]
        else:
            xs.append(m)
            fs.append(cum + wt / 2)
        cum += wt
        i = j
    xs.append(d.max)
    fs.append(cum)
    return np.array(xs), np.array(fs)


def cdf(d: Digest, x: float) -> float:
    """P(X ≤ x) (TDigest.cdf)."""
    if d.count == 0:
        return math.nan
    xs, fs = _knots(d)
    n = xs.shape[0]
    if x < xs[0]:
        return 0.0
    if x >= xs[n - 1]:
        return float(fs[n - 1]) / d.count
    lo = int(np.searchsorted(xs, x, side="right")) - 1
    x0, x1, f0, f1 = float(xs[lo]), float(xs[lo + 1]), float(fs[lo]), float(fs[lo + 1])
    value = f1 if x1 == x0 else f0 + ((f1 - f0) * (x - x0)) / (x1 - x0)
    return value / d.count


def quantile(d: Digest, q: float) -> float:
    """The smallest x with cdf(x) ≥ q, interpolated inside centroids (TDigest.quantile)."""
    if not (0 <= q <= 1):
        raise ValueError(f"quantile: q must be in [0, 1], got {q}")
    if d.count == 0:
        return math.nan
    target = q * d.count
    xs, fs = _knots(d)
    if target <= 0:
        return float(xs[0])
    lo = int(np.searchsorted(fs, target, side="left"))
    lo = min(lo, fs.shape[0] - 1)
    if lo == 0:
        return float(xs[0])
    f0, f1, x0, x1 = float(fs[lo - 1]), float(fs[lo]), float(xs[lo - 1]), float(xs[lo])
    if f1 == f0 or x1 == x0:
        return x1
    return x0 + ((x1 - x0) * (target - f0)) / (f1 - f0)
