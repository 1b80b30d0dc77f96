/**
 * Sums kept exactly per hour for a regression model; windows add them. `sumAbsPct` is Σ|e|/|y| as
 * a fraction over the `pctCount` rows whose actual y is not 0 (the percentage error of y = 0 is
 * undefined, so those rows are left out of MAPE only).
 */
export interface RegressionSums {
  n: number;
  sumAbs: number;
  sumSq: number;
  sumAbsPct: number;
  pctCount: number;
}

export interface RegressionMetrics {
  mae: number | null;
  rmse: number | null;
  /** A fraction (0.12 = 12%), null when every actual was 0 or there are no rows. */
  mape: number | null;
}

export function regressionMetrics(sums: RegressionSums): RegressionMetrics {
  for (const key of ['n', 'sumAbs', 'sumSq', 'sumAbsPct', 'pctCount'] as const) {
    const v = sums[key];
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`regressionMetrics: ${key} must be finite and ≥ 0, got ${v}`);
  }
  if (sums.pctCount > sums.n) throw new RangeError(`regressionMetrics: pctCount (${sums.pctCount}) exceeds n (${sums.n})`);
  const { n } = sums;
  return {
    mae: n > 0 ? sums.sumAbs / n : null,
    rmse: n > 0 ? Math.sqrt(sums.sumSq / n) : null,
    mape: sums.pctCount > 0 ? sums.sumAbsPct / sums.pctCount : null,
  };
}
