import { cdfDifferences } from './cdf-walk';
import type { NumericDistribution } from './numeric-distribution';

/**
 * Wasserstein-1 (earth mover's) distance ∫|F_ref − F_live| dx, integrated exactly over the
 * piecewise-linear CDFs: in the units of the feature.
 */
export function wassersteinDistance(reference: NumericDistribution, live: NumericDistribution): number {
  return cdfDifferences(reference, live).wasserstein;
}
