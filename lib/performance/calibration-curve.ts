import type { TDigest } from '../digest';

export interface CalibrationBin {
  lower: number;
  upper: number;
  /** Mean score of the labelled rows in the bin; null for an empty bin. */
  meanScore: number | null;
  /** Share of positives among the labelled rows in the bin; null for an empty bin. */
  positiveRate: number | null;
  /** Labelled rows in the bin (from the digests: fractional where a centroid straddles an edge). */
  count: number;
}

/**
 * Reliability curve from the class-conditional digests, in equal-width bins over [min, max] of
 * the labelled scores (scikit-learn's strategy='uniform'). Equal width rather than quantiles:
 * bins stay put from window to window, so two windows' curves compare bin by bin, and a score
 * that is mostly one value (0 or 1) does not collapse quantile edges. Every bin is returned.
 */
export function calibrationCurve(pos: TDigest, neg: TDigest, bins = 10): CalibrationBin[] {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`calibrationCurve: bins must be a positive integer, got ${bins}`);
  if (!(pos.count + neg.count > 0)) throw new RangeError('calibrationCurve: both digests are empty (no labelled scores in the window)');
  const lo = Math.min(pos.count > 0 ? pos.min : Infinity, neg.count > 0 ? neg.min : Infinity);
  const hi = Math.max(pos.count > 0 ? pos.max : -Infinity, neg.count > 0 ? neg.max : -Infinity);
  const width = (hi - lo) / bins;
  const posMass = new Float64Array(bins);
  const negMass = new Float64Array(bins);
  const moment = new Float64Array(bins);
  spread(pos, lo, width, posMass, moment);
  spread(neg, lo, width, negMass, moment);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const count = posMass[b] + negMass[b];
    const has = count > 0;
    out.push({
      lower: lo + b * width,
      upper: b === bins - 1 ? hi : lo + (b + 1) * width,
      meanScore: has ? moment[b] / count : null,
      positiveRate: has ? posMass[b] / count : null,
      count,
    });
  }
  return out;
}

/** Adds a digest's mass and first moment per bin, spreading each centroid as its CDF does. */
function spread(d: TDigest, lo: number, width: number, mass: Float64Array, moment: Float64Array): void {
  if (d.count === 0) return;
  const bins = mass.length;
  const binOf = (x: number) => (width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width))) : 0);
  const { xs, fs } = d.knots();
  for (let k = 0; k + 1 < xs.length; k++) {
    const w = fs[k + 1] - fs[k];
    if (!(w > 0)) continue;
    const x0 = xs[k];
    const x1 = xs[k + 1];
    if (x1 === x0) {
      const b = binOf(x0);
      mass[b] += w;
      moment[b] += w * x0;
      continue;
    }
    for (let b = binOf(x0); b <= binOf(x1); b++) {
      const a = Math.max(x0, lo + b * width);
      const c = b === bins - 1 ? x1 : Math.min(x1, lo + (b + 1) * width);
      if (c <= a) continue;
      const part = (w * (c - a)) / (x1 - x0);
      mass[b] += part;
      moment[b] += (part * (a + c)) / 2;
    }
  }
}
