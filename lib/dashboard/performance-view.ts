import 'server-only';
import { availableProfiles, futureSkewMs, windowAnchor } from '../compare';
import { DAY_MS, layout } from '../format';
import { performanceSeries, PerformanceFileError, type PerformanceSeries } from '../labels';
import type { DashboardContext } from './context';
import { ApiError, resolveWindow, type ViewQuery } from './params';
import { checkWindowCount, DEFAULT_PERFORMANCE_WINDOW } from './performance-params';
import { listReferences, requireModel } from './store-reads';

export interface PerformanceViewQuery extends Pick<ViewQuery, 'from' | 'to' | 'window' | 'reference'> {
  /** Consecutive windows of this length; undefined: the whole window as one. */
  stepMs?: number;
}

/** The series of `performanceSeries`, its errors as the API's: a damaged profile is a 503 naming its key. */
async function series(ctx: DashboardContext, model: string, reference: string, fromMs: number, toMs: number, stepMs: number | undefined): Promise<PerformanceSeries> {
  try {
    return await performanceSeries({ storage: ctx.storage, model, fromMs, toMs, stepMs, reference, threshold: ctx.config.performance.threshold, minCoverage: ctx.config.performance.min_coverage });
  } catch (error) {
    if (error instanceof PerformanceFileError) throw new ApiError(503, `${error.message}: run \`driftwatch doctor --store ${ctx.storage.url}\` to repair it`);
    if (error instanceof SyntaxError) throw new ApiError(503, `${layout.referencePerformance(model, reference)} is damaged (not valid JSON): add the reference again with --label-col`);
    throw error;
  }
}

/**
 * GET /api/models/{model}/performance: `driftwatch performance --json` for the window of the
 * request (the compare route's reading; default the last 30 days of data), one window or one
 * per `stepMs`.
 */
export async function performanceView(ctx: DashboardContext, model: string, query: PerformanceViewQuery, nowMs = Date.now()): Promise<PerformanceSeries> {
  await requireModel(ctx.storage, model, ctx.files);
  const reference = query.reference ?? ctx.config.evaluation.references[0];
  const references = await listReferences(ctx.storage, model);
  if (!references.includes(reference)) throw new ApiError(404, `model "${model}" has no reference "${reference}"${references.length ? ` (references: ${references.join(', ')})` : ''}`);
  const { anchorMs } = windowAnchor(await availableProfiles(ctx.storage, model), nowMs, futureSkewMs(ctx.config));
  const resolved = resolveWindow(query, anchorMs, DEFAULT_PERFORMANCE_WINDOW);
  checkWindowCount(resolved.fromMs, resolved.toMs, query.stepMs);
  return series(ctx, model, reference, resolved.fromMs, resolved.toMs, query.stepMs);
}

/** The latest figures the overview and the model page show, with a link to the performance page. */
export interface PerformanceSummary {
  reference: string;
  reference_roc_auc: number | null;
  /** The latest day (of the 7 before the view's end) with an estimate. */
  estimated: { from: string; to: string; predictions: number; roc_auc: number; roc_auc_lower: number; roc_auc_upper: number } | null;
  /** The latest day (of those 7) whose labels cover it enough for realised figures. */
  realised: { from: string; to: string; labelled: number; coverage: number; roc_auc: number } | null;
  /** Why there is no estimate, when there is none. */
  estimate_note?: string;
}

/** Days the summary looks back over, one window a day. */
const SUMMARY_DAYS = 7;

/**
 * The model's latest estimate and realised ROC AUC, from one performanceSeries over the 7 days
 * before `toMs`. Null at once (a listing and an existence check) when the model has neither
 * performance profiles (no labels joined) nor a labelled reference (no estimate). A damaged file leaves the summary out rather than the model's row.
 */
export async function performanceSummary(ctx: DashboardContext, model: string, toMs: number): Promise<PerformanceSummary | null> {
  const reference = ctx.config.evaluation.references[0];
  // Nothing to show without joined labels and without a labelled reference (estimates need only the latter).
  const [profiles, calibrated] = await Promise.all([ctx.storage.list(layout.performanceProfilesPrefix(model)), ctx.storage.exists(layout.referencePerformance(model, reference))]);
  if (profiles.length === 0 && !calibrated) return null;
  let s: PerformanceSeries;
  try {
    s = await series(ctx, model, reference, toMs - SUMMARY_DAYS * DAY_MS, toMs, DAY_MS);
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
  const estimated = s.windows.findLast((w) => w.estimated !== null);
  const realised = s.windows.findLast((w) => w.realised !== null);
  const out: PerformanceSummary = {
    reference,
    reference_roc_auc: s.reference_roc_auc,
    estimated: estimated?.estimated ? { from: estimated.from, to: estimated.to, predictions: estimated.predictions, roc_auc: estimated.estimated.roc_auc, roc_auc_lower: estimated.estimated.roc_auc_lower, roc_auc_upper: estimated.estimated.roc_auc_upper } : null,
    realised: realised?.realised ? { from: realised.from, to: realised.to, labelled: realised.labelled, coverage: realised.coverage ?? 0, roc_auc: realised.realised.roc_auc } : null,
  };
  if (!out.estimated) {
    const note = s.windows.findLast((w) => w.predictions > 0)?.estimate_note ?? s.windows.at(-1)?.estimate_note;
    if (note) out.estimate_note = note;
  }
  return out;
}
