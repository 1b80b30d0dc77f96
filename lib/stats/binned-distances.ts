/**
 * Distances between two probability vectors over the same bins (numeric shared bins or
 * categories). Inputs are proportions that each sum to 1; docs/metrics.md gives the formulas.
 */

/** Proportions below this are floored in PSI, so an empty bin costs a large but finite amount. */
export const PSI_FLOOR = 1e-4;

/** Σ|p−q| / Σmax(p,q): 0 for identical, 1 for disjoint distributions. */
export function areaDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let diff = 0;
  let union = 0;
  for (let i = 0; i < p.length; i++) {
    diff += Math.abs(p[i] - q[i]);
    union += Math.max(p[i], q[i]);
  }
  return union > 0 ? diff / union : 0;
}

/** Jensen–Shannon distance, base 2 (the square root of the divergence): in [0, 1]. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) divergence += 0.5 * p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) divergence += 0.5 * q[i] * Math.log2(q[i] / m);
  }
  return Math.sqrt(Math.max(0, Math.min(1, divergence)));
}

/** Hellinger distance sqrt(1 − Σ√(p·q)): in [0, 1]. */
export function hellingerDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt(p[i] * q[i]);
  return Math.sqrt(Math.max(0, 1 - bc));
}

/** Population stability index Σ(q−p)·ln(q/p), proportions floored at PSI_FLOOR. */
export function populationStabilityIndex(reference: ArrayLike<number>, live: ArrayLike<number>): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = Math.max(reference[i], PSI_FLOOR);
    const q = Math.max(live[i], PSI_FLOOR);
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

/** max |p−q|. */
export function lInfinityDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) d = Math.max(d, Math.abs(p[i] - q[i]));
  return d;
}
