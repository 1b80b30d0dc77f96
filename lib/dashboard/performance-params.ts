// Pure: proxy.ts may check performance page URLs with these before any storage is touched.
import { HOUR_MS, parseDuration, parseTimestamp } from '../format';
import { ApiError, MAX_TREND_POINTS, referenceParam, resolveWindow } from './params';

/** Metrics the performance chart can plot; the estimate has the first five, realised all. */
export const PERFORMANCE_METRICS = ['roc_auc', 'accuracy', 'precision', 'recall', 'f1', 'average_precision', 'log_loss', 'brier'] as const;
export type PerformanceMetric = (typeof PERFORMANCE_METRICS)[number];
export const DEFAULT_PERFORMANCE_METRIC: PerformanceMetric = 'roc_auc';
/** The route's default: the last 30 days of data (as `driftwatch performance`), one window unless `step` is given. */
export const DEFAULT_PERFORMANCE_WINDOW = '30d';
/** The page's default step: one point a day. */
export const DEFAULT_PAGE_STEP = '1d';
/** Parameters of GET /api/models/{model}/performance. */
export const PERFORMANCE_PARAMS = ['window', 'from', 'to', 'step', 'reference', 'metric'] as const;

export function performanceMetricParam(value: string | null | undefined): PerformanceMetric {
  if (value === null || value === undefined || value === '') return DEFAULT_PERFORMANCE_METRIC;
  if (!(PERFORMANCE_METRICS as readonly string[]).includes(value)) throw new ApiError(400, `metric: must be one of ${PERFORMANCE_METRICS.join(', ')}; got "${value}"`);
  return value as PerformanceMetric;
}

/** A step in whole hours, or undefined (one window) when absent. */
export function performanceStepParam(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms % HOUR_MS !== 0) throw new ApiError(400, `step: must be a whole number of hours, days or weeks, e.g. 1d; got "${value}"`);
  return ms;
}

/** At most MAX_TREND_POINTS windows of `stepMs` in [fromMs, toMs). */
export function checkWindowCount(fromMs: number, toMs: number, stepMs: number | undefined): number {
  const count = stepMs === undefined ? 1 : Math.ceil((toMs - fromMs) / stepMs);
  if (count > MAX_TREND_POINTS) throw new ApiError(400, `step: ${count} windows requested, at most ${MAX_TREND_POINTS}: widen the step or shorten the window`);
  return count;
}

/**
 * The problem with a performance page URL's parameters (the API's message), or undefined: its
 * `metric` is a performance metric, not a drift one, and it has a `step`. For proxy.ts.
 */
export function performancePageProblem(search: URLSearchParams): string | undefined {
  try {
    const get = (name: string) => search.get(name);
    referenceParam(get('reference'), 'reference');
    performanceMetricParam(get('metric'));
    performanceStepParam(get('step'));
    // As proxy.ts: `from` alone is checked against an anchor just after it (only the view knows the data).
    const from = get('from') === null ? undefined : parseTimestamp(get('from'));
    const anchor = from !== undefined && get('to') === null ? Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS : Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    resolveWindow({ from: get('from'), to: get('to'), window: get('window') }, anchor, DEFAULT_PERFORMANCE_WINDOW);
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}
