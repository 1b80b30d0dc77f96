import { failedCount, type SummaryRow } from '../format';
import { compareFailedRates } from '../stats';
import { summaryDigest } from '../summary';
import type { Defaults, FeatureSettings } from './config';
import { featureMetrics, type MetricName } from './feature-metrics';
import { thresholdAt, type Threshold } from './thresholds';
import { unitHint } from './unit-hint';

/** 'not_monitored': drift monitoring is off for the feature (`drift: false`) and it is not failing. */
export type Verdict = 'ok' | 'drift' | 'failing' | 'not_monitored';

/** The order people read verdicts in: failing, drift, ok, not monitored. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { failing: 0, drift: 1, ok: 2, not_monitored: 3 };

export interface FeatureComparison {
  name: string;
  type: 'numeric' | 'categorical';
  /** Rows of the live window (valid and failed). */
  count: number;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  metrics: Record<string, number | null>;
  /** The metric that drives the verdict, its value, and its threshold at this window's size. */
  metric: MetricName;
  value: number | null;
  threshold: number;
  threshold_source: Threshold['source'];
  verdict: Verdict;
  hint?: string;
  unseen_categories?: string[];
  /** Set when the requested metric override does not apply to this feature, saying what is shown instead. */
  metric_note?: string;
}

/**
 * Compare one feature's live window with its reference. "failing" (failed rate significantly and
 * materially above the reference's) takes precedence over "drift" (the chosen metric above its
 * threshold). `threshold` is resolved by the caller (config, or referenceThreshold).
 */
export function compareFeature(
  reference: SummaryRow,
  live: SummaryRow,
  metric: MetricName,
  threshold: Threshold,
  defaults: Defaults,
  settings: Partial<FeatureSettings> = {},
): FeatureComparison {
  const { values, unseen_categories } = featureMetrics(reference, live);
  const failed = compareFailedRates(failedCount(reference), reference.rows, failedCount(live), live.rows, defaults.failed_rate_alpha);
  const minIncrease = settings.failed_rate_min_increase ?? defaults.failed_rate_min_increase;
  const failing = failed.significant && failed.difference >= minIncrease;
  const value = values[metric] ?? null;
  const limit = thresholdAt(threshold, metric, reference.count, live.count);
  const monitored = settings.drift !== false;
  const drift = value !== null && value > limit && monitored;
  const comparison: FeatureComparison = {
    name: live.feature,
    type: live.kind,
    count: live.rows,
    failed_rate: live.rows > 0 ? failed.live_rate : null,
    reference_failed_rate: reference.rows > 0 ? failed.reference_rate : null,
    metrics: values,
    metric,
    value,
    threshold: limit,
    threshold_source: threshold.source,
    verdict: failing ? 'failing' : drift ? 'drift' : monitored ? 'ok' : 'not_monitored',
  };
  if (unseen_categories.length > 0) comparison.unseen_categories = unseen_categories;
  const hint =
    live.kind === 'numeric'
      ? unitHint(summaryDigest(reference), summaryDigest(live))
      : unseen_categories.length > 0
        ? `new categor${unseen_categories.length === 1 ? 'y' : 'ies'} not in the reference: ${unseen_categories.slice(0, 5).join(', ')}`
        : undefined;
  if (failing) comparison.hint = `failed values ${(failed.live_rate * 100).toFixed(1)}% vs ${(failed.reference_rate * 100).toFixed(1)}% in the reference${hint ? `; ${hint}` : ''}`;
  else if (hint) comparison.hint = hint;
  return comparison;
}
