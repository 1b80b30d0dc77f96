import type { MetricName, SummaryRow } from '../format';
import {
  areaDistance,
  compareCategorical,
  compareNumeric,
  hellingerDistance,
  jensenShannonDistance,
  ksTest,
  meanAndStd,
  populationStabilityIndex,
  referenceDecileBins,
  sharedBins,
  wassersteinDistance,
} from '../stats';
import { summaryCategories, summaryDigest } from '../summary';

export type { MetricName };

export interface FeatureMetrics {
  /** Metric values; null where a metric does not apply or a side has no valid values. */
  values: Record<MetricName, number | null> & Record<string, number | null>;
  unseen_categories: string[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Every drift metric between two summaries of the same feature (numeric or categorical). */
export function featureMetrics(reference: SummaryRow, live: SummaryRow): FeatureMetrics {
  if (reference.kind === 'numeric') {
    const m = compareNumeric(summaryDigest(reference), summaryDigest(live));
    return {
      values: {
        area: finite(m.area),
        ks: finite(m.ks),
        ks_pvalue: finite(m.ks_pvalue),
        wasserstein: finite(m.wasserstein),
        wasserstein_norm: finite(m.wasserstein_norm),
        psi: finite(m.psi),
        js: finite(m.js),
        hellinger: finite(m.hellinger),
        linf: null,
      },
      unseen_categories: [],
    };
  }
  const c = compareCategorical(summaryCategories(reference), summaryCategories(live));
  return {
    values: {
      area: null,
      ks: null,
      wasserstein_norm: null,
      hellinger: null,
      chi2: finite(c.chi2),
      chi2_pvalue: finite(c.chi2_pvalue),
      js: finite(c.js),
      psi: finite(c.psi),
      linf: finite(c.linf),
      unseen_rate: finite(c.unseen_rate),
    },
    unseen_categories: c.unseen_categories,
  };
}

/**
 * One metric only: threshold calibration compares every reference chunk with the rest, and needs
 * just the metric that drives the verdict, not all seven.
 */
export function metricValue(reference: SummaryRow, live: SummaryRow, metric: MetricName): number | null {
  if (reference.kind !== 'numeric' || metric === 'linf') return featureMetrics(reference, live).values[metric] ?? null;
  const r = summaryDigest(reference);
  const l = summaryDigest(live);
  if (r.count === 0 || l.count === 0) return null;
  switch (metric) {
    case 'area':
    case 'js':
    case 'hellinger': {
      const bins = sharedBins(r, l);
      const f = metric === 'area' ? areaDistance : metric === 'js' ? jensenShannonDistance : hellingerDistance;
      return finite(f(bins.reference, bins.live));
    }
    case 'psi': {
      const bins = referenceDecileBins(r, l);
      return finite(populationStabilityIndex(bins.reference, bins.live));
    }
    case 'ks':
      return finite(ksTest(r, l).statistic);
    case 'wasserstein_norm': {
      const { std } = meanAndStd(r);
      return std > 0 ? finite(wassersteinDistance(r, l) / std) : null;
    }
  }
}
