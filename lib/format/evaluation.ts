import type { FeatureKind } from './summary';

/** The distances a verdict can be driven by (docs/metrics.md). */
export type MetricName = 'area' | 'ks' | 'wasserstein_norm' | 'psi' | 'js' | 'hellinger' | 'linf';

/** 'not_monitored': drift monitoring is off for the feature (`drift: false`) and it is not failing. */
export type Verdict = 'ok' | 'drift' | 'failing' | 'not_monitored';

/** Who set a threshold: the business (config), the reference's calibration, or the materiality floor. */
export type ThresholdSource = 'config' | 'reference' | 'floor';

/**
 * One stored evaluation (docs/format.md, "Evaluations"): one feature against one reference over
 * one window. The trend the dashboard plots and the points alert rules read.
 */
export interface EvaluationRow {
  model: string;
  reference: string;
  window_from: string;
  window_to: string;
  window_hours: number;
  name: string;
  type: FeatureKind;
  /** Rows of the live window (valid and failed). */
  count: number;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  metrics: Record<string, number | null>;
  /** The metric that drives the verdict, its value, and its threshold at this window's size. */
  metric: MetricName;
  value: number | null;
  threshold: number;
  threshold_source: ThresholdSource;
  verdict: Verdict;
  hint?: string;
  unseen_categories?: string[];
}
