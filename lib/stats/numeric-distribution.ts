import { cdfAt, type TDigest } from '../digest';

/**
 * What the numeric metrics need of a distribution: its piecewise-linear CDF as knots, its count
 * and its quantile function. A TDigest is one; exact samples are tested through the same path.
 */
export type NumericDistribution = Pick<TDigest, 'count' | 'knots' | 'valueAtRank'>;

/** P(X ≤ x) (or P(X < x) when `strict`) as a proportion. */
export function proportionAtOrBelow(d: NumericDistribution, x: number, strict = false): number {
  const { xs, fs } = d.knots();
  if (xs.length === 0) return NaN;
  return cdfAt(xs, fs, x, strict) / d.count;
}

/**
 * Quantile at the rational level k/den. The level is formed as a count (count·k/den) and snapped
 * to the nearest integer when it is one up to rounding, so 11/20 of 50,000 is exactly 27,500.
 */
export function quantileAtLevel(d: NumericDistribution, k: number, den: number): number {
  const target = (d.count * k) / den;
  const nearest = Math.round(target);
  const snapped = Math.abs(target - nearest) <= 1e-9 * Math.max(1, target) ? nearest : target;
  return d.valueAtRank(Math.min(d.count, snapped));
}

/** Mean and standard deviation of the piecewise-linear distribution (uniform between knots). */
export function meanAndStd(d: NumericDistribution): { mean: number; std: number } {
  const { xs, fs } = d.knots();
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const total = fs[n - 1];
  // Centre on a rough location first: E[(X−c)²] keeps precision for data far from zero.
  const c = (xs[0] + xs[n - 1]) / 2;
  let m1 = 0;
  let m2 = 0;
  for (let i = 1; i < n; i++) {
    const mass = fs[i] - fs[i - 1];
    if (mass === 0) continue;
    const a = xs[i - 1] - c;
    const b = xs[i] - c;
    m1 += (mass * (a + b)) / 2;
    m2 += (mass * (a * a + a * b + b * b)) / 3;
  }
  m1 /= total;
  m2 /= total;
  return { mean: m1 + c, std: Math.sqrt(Math.max(0, m2 - m1 * m1)) };
}
