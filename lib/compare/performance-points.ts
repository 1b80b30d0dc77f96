import { isPerformanceRule, PerformanceMetric, type AlertRule, type PerformancePoint } from '../alerts';
import { HOUR_MS, layout, parseDuration, type EvaluationRow } from '../format';
import { performanceSeries } from '../labels/performance-window';
import type { PerformanceWindow } from '../labels/performance-window';
import type { Storage } from '../storage/storage';
import type { Config } from './config';

/**
 * The model's performance over each evaluated window (the rows' window ends), for the
 * performance rules that apply to it: one point per window end and reference the rules name
 * (resolved: see resolvePerformanceRules). Nothing is read for a model without such rules, or
 * with neither a labelled reference (for estimates) nor performance profiles (joined labels).
 */
export async function performancePoints(storage: Storage, model: string, config: Config, rules: readonly AlertRule[], rows: readonly EvaluationRow[]): Promise<PerformancePoint[]> {
  const references = new Set<string>();
  for (const rule of rules) if (isPerformanceRule(rule) && (rule.model === undefined || rule.model === model)) references.add(rule.reference ?? config.evaluation.references[0]);
  if (references.size === 0 || rows.length === 0) return [];
  // Estimates need only a labelled reference (its calibration), realised figures a label join: without either, nothing to judge.
  const calibrated = await Promise.all([...references].map((r) => storage.exists(layout.referencePerformance(model, r))));
  if (!calibrated.some(Boolean) && (await storage.list(layout.performanceProfilesPrefix(model))).length === 0) return [];
  const points: PerformancePoint[] = [];
  for (const row of evaluatedWindows(rows, parseDuration(config.evaluation.window))) {
    for (const reference of [...references].sort()) {
      // Realised figures are gated per rule (min_coverage), so the series computes them at any coverage.
      const series = await performanceSeries({ storage, model, fromMs: Date.parse(row.window_from), toMs: Date.parse(row.window_to), reference, threshold: config.performance.threshold, minCoverage: 0 });
      points.push(pointOf(model, reference, row, series.windows[0]));
    }
  }
  return points;
}

/**
 * One window per window end: the configured length where rows of several lengths end there (a
 * replay reads rows an earlier `--window` left), else the longest, so a re-run picks the same one.
 */
function evaluatedWindows(rows: readonly EvaluationRow[], configuredMs: number | undefined): EvaluationRow[] {
  const byEnd = new Map<string, EvaluationRow>();
  const rank = (r: EvaluationRow) => (r.window_hours * HOUR_MS === configuredMs ? Infinity : r.window_hours);
  for (const row of rows) {
    const seen = byEnd.get(row.window_to);
    if (!seen || rank(row) > rank(seen)) byEnd.set(row.window_to, row);
  }
  return [...byEnd.values()].sort((a, b) => Date.parse(a.window_to) - Date.parse(b.window_to));
}

function figures(source: object | null): PerformancePoint['realised'] {
  if (source === null) return null;
  const values = source as Record<string, unknown>;
  const out: NonNullable<PerformancePoint['realised']> = {};
  for (const metric of PerformanceMetric.options) {
    const v = values[metric];
    if (typeof v === 'number' || v === null) out[metric] = v;
  }
  return out;
}

function pointOf(model: string, reference: string, row: EvaluationRow, w: PerformanceWindow): PerformancePoint {
  const e = w.estimated;
  return {
    on: 'performance',
    model,
    reference,
    at: row.window_to,
    window_from: row.window_from,
    window_to: row.window_to,
    predictions: w.predictions,
    labelled: w.labelled,
    coverage: w.coverage,
    realised: figures(w.realised),
    estimated: figures(w.estimated),
    // Without at least two reference chunks the band collapses onto the estimate: no band then.
    estimated_roc_auc_band: e && e.roc_auc_upper > e.roc_auc_lower ? { lower: e.roc_auc_lower, upper: e.roc_auc_upper } : null,
  };
}
