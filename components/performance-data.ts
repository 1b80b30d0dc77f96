import type { PerformanceSeries, PerformanceWindow } from '@/lib/labels';

/**
 * Pure helpers of the performance page: what the chart plots for a metric, which window is
 * selected by default. No React here, so the rules are unit-tested (test/unit/dashboard/performance-data.test.ts).
 */
export type { PerformanceSeries, PerformanceWindow };

export const PERFORMANCE_METRIC_NAMES = ['roc_auc', 'accuracy', 'precision', 'recall', 'f1', 'average_precision', 'log_loss', 'brier'] as const;
export type PerformanceMetricName = (typeof PERFORMANCE_METRIC_NAMES)[number];

export const METRIC_LABELS: Record<PerformanceMetricName, string> = {
  roc_auc: 'ROC AUC',
  accuracy: 'accuracy',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
  average_precision: 'average precision',
  log_loss: 'log loss',
  brier: 'Brier score',
};

export function performanceMetricOf(value: string | null | undefined): PerformanceMetricName {
  return (PERFORMANCE_METRIC_NAMES as readonly string[]).includes(value ?? '') ? (value as PerformanceMetricName) : 'roc_auc';
}

/** The realised figure of a metric, or null (not covered, or undefined at the threshold). */
export function realisedValue(w: PerformanceWindow, metric: PerformanceMetricName): number | null {
  const v = w.realised?.[metric as keyof NonNullable<PerformanceWindow['realised']>];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The estimate of a metric, or null: no estimate, or one the estimate does not give (log loss, Brier, average precision). */
export function estimatedValue(w: PerformanceWindow, metric: PerformanceMetricName): number | null {
  const v = w.estimated?.[metric as keyof NonNullable<PerformanceWindow['estimated']>];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface ChartRow {
  /** Middle of the window (ms): where its point is drawn. */
  t: number;
  from: string;
  realised: number | null;
  estimated: number | null;
  /** [lower, upper] of the estimate (ROC AUC only), or null. */
  band: [number, number] | null;
  /** Label coverage in percent, 0–100; null without predictions. */
  coverage: number | null;
}

export function chartRows(windows: readonly PerformanceWindow[], metric: PerformanceMetricName): ChartRow[] {
  return windows.map((w) => ({
    t: (Date.parse(w.from) + Date.parse(w.to)) / 2,
    from: w.from,
    realised: realisedValue(w, metric),
    estimated: estimatedValue(w, metric),
    band: metric === 'roc_auc' && w.estimated ? [w.estimated.roc_auc_lower, w.estimated.roc_auc_upper] : null,
    coverage: w.coverage === null ? null : 100 * w.coverage,
  }));
}

/** The metric axis: [0, 1] metrics zoomed to the data (and the reference's level) with a margin; log loss from 0. */
export function metricDomain(rows: readonly ChartRow[], metric: PerformanceMetricName, referenceLevel: number | null): [number, number] {
  const values = rows.flatMap((r) => [r.realised, r.estimated, ...(r.band ?? [])]).filter((v): v is number => v !== null);
  if (referenceLevel !== null && metric === 'roc_auc') values.push(referenceLevel);
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (metric === 'log_loss') return [0, Math.ceil(hi * 11) / 10 || 1];
  const pad = Math.max(0.01, (hi - lo) * 0.15);
  return [Math.max(0, Math.floor((lo - pad) * 100) / 100), Math.min(1, Math.ceil((hi + pad) * 100) / 100)];
}

/** The window shown in detail: the one named (by its `from`), else the latest with realised figures, else the latest with predictions, else the last. */
export function selectedWindow(windows: readonly PerformanceWindow[], from: string | null | undefined): PerformanceWindow | undefined {
  if (from) {
    const ms = Date.parse(from);
    const named = windows.find((w) => Date.parse(w.from) === ms);
    if (named) return named;
  }
  return windows.findLast((w) => w.realised !== null) ?? windows.findLast((w) => w.predictions > 0) ?? windows.at(-1);
}

type EmptyKind = 'no-labels-added' | 'no-predictions' | 'no-labels' | 'no-reference-labels';

/**
 * What the page says when the figures are missing everywhere; empty when some window has them.
 * `labelsAdded`: the model has performance profiles, which `labels add` writes first.
 */
export function emptyStates(s: PerformanceSeries, model: string, labelsAdded = true): { kind: EmptyKind; message: string }[] {
  const out: { kind: EmptyKind; message: string }[] = [];
  const predictions = s.windows.reduce((n, w) => n + w.predictions, 0);
  const addLabels = `\`driftwatch labels add --model ${model} --file labels.csv\``;
  if (!labelsAdded)
    out.push({
      kind: 'no-labels-added',
      message: `No labels have been added for ${model} yet, so there are no performance figures: add them with ${addLabels} (their ids must match the predictions' ids: \`ingest --id-col\` or \`--id-start\`).`,
    });
  else if (predictions === 0) out.push({ kind: 'no-predictions', message: 'No predictions in this range: pick another window, or check that the pipeline profiled these hours.' });
  else if (s.windows.every((w) => w.labelled === 0))
    out.push({
      kind: 'no-labels',
      message: `No labels yet for these predictions: realised figures appear once labels arrive (${addLabels}) and cover at least ${Math.round(100 * s.min_coverage)}% of a window's predictions. Until then the estimate stands alone.`,
    });
  if (s.reference_roc_auc === null)
    out.push({
      kind: 'no-reference-labels',
      message: `Reference "${s.reference}" has no labels, so there is no estimate before labels arrive and no reference level on the chart. Add a reference with its labels: \`driftwatch reference add --model ${model} --name ${s.reference} --file reference.parquet --score-col <score column> --label-col <label column>\`.`,
    });
  return out;
}
