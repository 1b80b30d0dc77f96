import { areaDistance, hellingerDistance, jensenShannonDistance, populationStabilityIndex } from './binned-distances';
import { cdfDifferences } from './cdf-walk';
import { ksFromStatistic } from './ks-statistic';
import { meanAndStd, type NumericDistribution } from './numeric-distribution';
import { referenceDecileBins, sharedBins } from './shared-bins';

export interface NumericMetrics {
  area: number;
  ks: number;
  ks_pvalue: number;
  wasserstein: number;
  /** Wasserstein divided by the reference's standard deviation (NaN when that is 0). */
  wasserstein_norm: number;
  psi: number;
  js: number;
  hellinger: number;
}

/** Every numeric drift metric of live against reference, from their summaries alone. */
export function compareNumeric(reference: NumericDistribution, live: NumericDistribution): NumericMetrics {
  if (reference.count === 0 || live.count === 0) {
    return { area: NaN, ks: NaN, ks_pvalue: NaN, wasserstein: NaN, wasserstein_norm: NaN, psi: NaN, js: NaN, hellinger: NaN };
  }
  const shared = sharedBins(reference, live);
  const deciles = referenceDecileBins(reference, live);
  const walk = cdfDifferences(reference, live);
  const ks = ksFromStatistic(walk.ks, reference.count, live.count);
  const wasserstein = walk.wasserstein;
  const { std } = meanAndStd(reference);
  return {
    area: areaDistance(shared.reference, shared.live),
    ks: ks.statistic,
    ks_pvalue: ks.pValue,
    wasserstein,
    wasserstein_norm: std > 0 ? wasserstein / std : wasserstein === 0 ? 0 : NaN,
    psi: populationStabilityIndex(deciles.reference, deciles.live),
    js: jensenShannonDistance(shared.reference, shared.live),
    hellinger: hellingerDistance(shared.reference, shared.live),
  };
}
