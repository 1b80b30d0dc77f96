import { failedCount, type EvaluationRow, type SummaryRow, type Verdict } from '../format';
import { compareFailedRates } from '../stats';
import { summaryDigest } from '../summary';
import type { Defaults, FeatureSettings } from './config';
import { featureMetrics, type MetricName } from './feature-metrics';
import { METRIC_CEILING, minRowsForVerdict, thresholdAt, type Threshold } from './thresholds';
import { unitHint } from './unit-hint';

export type { Verdict };

/** The order people read verdicts in: failing, drift, ok, not monitored. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { failing: 0, drift: 1, ok: 2, not_monitored: 3 };

/** One feature against one reference over one window: a stored evaluation row without its window, plus what views need. */
export interface FeatureComparison extends Omit<EvaluationRow, 'model' | 'reference' | 'window_from' | 'window_to' | 'window_hours'> {
  /** Set when the requested metric override does not apply to this feature, saying what is shown instead. */
  metric_note?: string;
  /** Valid live values a drift verdict needs at this reference's size; null when no window size is enough. */
  min_rows: number | null;
  /** Set when the window is too small for a drift verdict: "47 rows: a verdict needs at least 120". */
  insufficient?: string;
  /** The strength of the verdict: the test at these sizes (KS for numbers, χ² for categories) and its p-value (null where undefined). */
  test: 'ks' | 'chi2';
  p_value: number | null;
  /** Set when the metric passed its threshold but the test found no difference, so no drift verdict was given. */
  noise?: string;
  /** Why the feature is not monitored for drift by default: "identifier: 100% of its 9,000 values are distinct; …". */
  notice?: string;
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
  const alpha = defaults.drift_alpha;
  const limit = thresholdAt(threshold, metric, reference.count, live.count, alpha);
  const monitored = settings.drift !== false;
  // No drift verdict where the test at these sizes finds no difference: the distance is then sampling noise.
  const test = live.kind === 'numeric' ? 'ks' : 'chi2';
  const pValue = values[test === 'ks' ? 'ks_pvalue' : 'chi2_pvalue'] ?? null;
  const significant = pValue === null || pValue <= alpha;
  const drift = value !== null && value > limit && significant && monitored;
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
    min_rows: minRowsForVerdict(threshold, metric, reference.count),
    test,
    p_value: pValue,
  };
  if (value !== null && value > limit && !significant && monitored) {
    comparison.noise = `${metric} ${value.toFixed(3)} is above its threshold ${limit.toFixed(3)}, but the ${test === 'ks' ? 'KS' : 'χ²'} test at ${reference.count.toLocaleString('en-US')} vs ${live.count.toLocaleString('en-US')} values finds no difference (p = ${pValue?.toPrecision(2)} > ${alpha}): sampling noise, no drift verdict`;
  }
  if (unseen_categories.length > 0) comparison.unseen_categories = unseen_categories;
  if (monitored) {
    if (comparison.min_rows === null) {
      comparison.insufficient = `no window is large enough for a verdict on ${metric}: its threshold stays above ${METRIC_CEILING[metric]}, the most ${metric} can reach (set a threshold in config.yaml, or add a larger reference)`;
    } else if (live.count < comparison.min_rows) {
      comparison.insufficient = `${live.count} ${live.count === 1 ? 'row' : 'rows'}: a verdict needs at least ${comparison.min_rows}`;
    }
  }
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
