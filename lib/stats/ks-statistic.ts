import { cdfDifferences } from './cdf-walk';
import type { NumericDistribution } from './numeric-distribution';
import { kolmogorovSf } from './special-functions';

export interface KsResult {
  /** sup |F_ref − F_live|, in [0, 1]. */
  statistic: number;
  /** Asymptotic two-sided p-value: Kolmogorov Q(√(n·m/(n+m))·D) (scipy's kstwobign). */
  pValue: number;
}

/** Two-sample Kolmogorov–Smirnov from two piecewise-linear CDFs. */
export function ksTest(reference: NumericDistribution, live: NumericDistribution): KsResult {
  return ksFromStatistic(cdfDifferences(reference, live).ks, reference.count, live.count);
}

/** The KS result for a statistic already computed (by `cdfDifferences`). */
export function ksFromStatistic(statistic: number, na: number, nb: number): KsResult {
  if (Number.isNaN(statistic)) return { statistic: NaN, pValue: NaN };
  return { statistic, pValue: kolmogorovSf(Math.sqrt((na * nb) / (na + nb)) * statistic) };
}
