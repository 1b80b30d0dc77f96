import { formatTime } from './alert-message';
import { isPerformanceRule, type AlertEventKind, type AlertRule, type PerformanceAlertRule, type PerformanceMetric, type PerformancePoint, type PerformanceSource } from './schemas';

/** config.yaml's default `performance.min_coverage`, for a rule that was not resolved against a config. */
const DEFAULT_MIN_COVERAGE = 0.5;
/** The reference most comparisons use; naming it in every message would only add noise (as in alert-message.ts). */
const DEFAULT_REFERENCE = 'test';

const METRIC_LABELS: Record<PerformanceMetric, string> = {
  roc_auc: 'ROC AUC',
  average_precision: 'average precision',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
  accuracy: 'accuracy',
  log_loss: 'log loss',
  brier: 'Brier score',
  positive_rate: 'positive rate',
};

export interface PerformanceJudgement {
  kind: 'breach' | 'clear' | 'neutral';
  source: PerformanceSource;
  metric: PerformanceMetric;
  value: number | null;
  /** The bound crossed (breach), else `below` when the rule has one, else `above`. */
  threshold: number;
  band?: { lower: number; upper: number };
  coverage: number | null;
  /** Why the point is neutral, when it is. */
  neutral?: string;
  message: (kind: AlertEventKind, streak: number, since: string, firedAt?: string) => string;
}

/** The feature part of a performance alert's identity, e.g. "estimated roc_auc": one alert per rule, model and reference. */
export function performanceFeature(rule: PerformanceAlertRule): string {
  return `${rule.source} ${rule.metric}`;
}

/**
 * Performance rules as the alert step applies them: an absent reference becomes the first
 * configured one (not every reference, as for drift rules: the estimate needs one calibration),
 * an absent `min_coverage` of a realised rule the config's `performance.min_coverage`.
 */
export function resolvePerformanceRules(rules: readonly AlertRule[], defaults: { reference: string; minCoverage: number }): AlertRule[] {
  return rules.map((rule) => {
    if (!isPerformanceRule(rule)) return rule;
    const resolved: PerformanceAlertRule = { ...rule, reference: rule.reference ?? defaults.reference };
    if (rule.source === 'realised') resolved.min_coverage = rule.min_coverage ?? defaults.minCoverage;
    return resolved;
  });
}

/**
 * A missing figure, or a realised one on too few labels, is neutral: it says nothing about
 * whether the model got better or worse, so the alert neither fires nor resolves on it.
 */
export function judgePerformance(rule: PerformanceAlertRule, point: PerformancePoint): PerformanceJudgement {
  const figures = rule.source === 'estimated' ? point.estimated : point.realised;
  const value = figures?.[rule.metric] ?? null;
  const band = rule.source === 'estimated' && rule.metric === 'roc_auc' && point.estimated_roc_auc_band ? point.estimated_roc_auc_band : undefined;
  const minCoverage = rule.min_coverage ?? DEFAULT_MIN_COVERAGE;
  const low = value !== null && rule.below !== undefined && value < rule.below;
  const high = value !== null && rule.above !== undefined && value > rule.above;
  const threshold = high ? (rule.above as number) : (rule.below ?? (rule.above as number));
  let kind: PerformanceJudgement['kind'] = low || high ? 'breach' : 'clear';
  let neutral: string | undefined;
  if (value === null) neutral = `no ${rule.source} ${rule.metric} for the window`;
  else if (rule.source === 'realised' && (point.coverage === null || point.coverage < minCoverage)) neutral = `label coverage ${percent(point.coverage ?? 0)} under ${percent(minCoverage)}`;
  if (neutral) kind = 'neutral';
  return {
    kind,
    source: rule.source,
    metric: rule.metric,
    value,
    threshold,
    ...(band ? { band } : {}),
    coverage: point.coverage,
    ...(neutral ? { neutral } : {}),
    message: (eventKind, streak, since, firedAt) => performanceMessage(rule, point, { value: value as number, threshold, band, low, high }, eventKind, streak, since, firedAt),
  };
}

interface Figure {
  value: number;
  threshold: number;
  band: { lower: number; upper: number } | undefined;
  low: boolean;
  high: boolean;
}

/**
 * Two decimals, more only where two decimals would print the value equal to the threshold
 * ("0.90 below 0.90" reads as a bug): a person reads "0.87", not "0.8712".
 */
function decimalsFor(value: number, threshold: number): number {
  let d = 2;
  while (d < 4 && value.toFixed(d) === threshold.toFixed(d)) d++;
  return d;
}

/** Whole percents rounded down ("99%", not "100%", for 99.6% labelled), tenths under 10%. */
function percent(share: number): string {
  return share < 0.1 ? `${Number((share * 100).toFixed(1))}%` : `${Math.floor(share * 100 + 1e-9)}%`;
}

function rangeText(rule: PerformanceAlertRule, d: number): string {
  if (rule.below !== undefined && rule.above !== undefined) return `within ${rule.below.toFixed(d)}–${rule.above.toFixed(d)}`;
  return rule.below !== undefined ? `at or above ${rule.below.toFixed(d)}` : `at or below ${(rule.above as number).toFixed(d)}`;
}

function evaluations(n: number): string {
  return `${n} evaluation${n === 1 ? '' : 's'}`;
}

/**
 * One sentence for a phone notification, e.g. "car-loan: estimated ROC AUC 0.87 (band 0.85–0.89)
 * below 0.90 for 2 evaluations, since 2026-11-29 08:00 UTC". Realised figures say how many
 * predictions their labels cover; an estimate names its reference when it is not the usual one.
 */
function performanceMessage(rule: PerformanceAlertRule, point: PerformancePoint, f: Figure, kind: AlertEventKind, streak: number, since: string, firedAt?: string): string {
  const d = decimalsFor(f.value, f.threshold);
  const what = `${rule.source} ${METRIC_LABELS[rule.metric]}`;
  const detail =
    rule.source === 'estimated'
      ? f.band
        ? ` (band ${f.band.lower.toFixed(d)}–${f.band.upper.toFixed(d)})`
        : ''
      : ` (labels for ${percent(point.coverage ?? 0)} of ${point.predictions.toLocaleString('en-US')} predictions)`;
  const reference = rule.source === 'estimated' && point.reference !== DEFAULT_REFERENCE ? ` vs reference ${point.reference}` : '';
  const subject = `${point.model}${reference}: ${what}`;
  if (kind === 'firing') {
    const crossed = f.low ? `below ${f.threshold.toFixed(d)}` : `above ${f.threshold.toFixed(d)}`;
    return `${subject} ${f.value.toFixed(d)}${detail} ${crossed} for ${evaluations(streak)}, since ${formatTime(since)}`;
  }
  const fired = firedAt ? `; had been firing since ${formatTime(firedAt)}` : '';
  return `${subject} back to ${f.value.toFixed(d)}${detail}, ${rangeText(rule, d)} for ${evaluations(streak)} since ${formatTime(since)}${fired}`;
}
