import { z } from 'zod';
import { NumericMetric, CategoricalMetric } from '../compare';
import { DAY_MS, FeatureName, HOUR_MS, ModelName, parseDuration, parseTimestamp, ReferenceName } from '../format';

/** An error an API route maps to an HTTP status: 400 names the parameter, 404 the missing thing. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 404 | 413 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** Window presets of the pickers; any whole number of hours, days or weeks is accepted. */
export const WINDOW_PRESETS = ['1h', '6h', '12h', '24h', '7d', '30d'] as const;
/** The longest window one request may compare: beyond it the answer would not come in seconds. */
export const MAX_WINDOW_MS = 400 * DAY_MS;
/** The most windows one trend request may compute. */
export const MAX_TREND_POINTS = 2000;

export const Metric = z.union([NumericMetric, CategoricalMetric]);

/** A path segment as a model name: validated before it can become part of a storage key. */
export function modelParam(value: string): string {
  const checked = ModelName.safeParse(value);
  if (!checked.success) throw new ApiError(400, `model: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return checked.data;
}

export function featureParam(value: string, name = 'feature'): string {
  const checked = FeatureName.safeParse(value);
  if (!checked.success) throw new ApiError(400, `${name}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return checked.data;
}

export function referenceParam(value: string | null | undefined, fallback: string): string {
  if (value === null || value === undefined || value === '') return fallback;
  const checked = ReferenceName.safeParse(value);
  if (!checked.success) throw new ApiError(400, `reference: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return checked.data;
}

export function metricParam(value: string | null | undefined): z.infer<typeof Metric> | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const checked = Metric.safeParse(value);
  if (!checked.success) throw new ApiError(400, `metric: must be one of ${[...NumericMetric.options, ...CategoricalMetric.options.filter((m) => m !== 'js' && m !== 'psi')].join(', ')}; got "${value}"`);
  return checked.data;
}

export function durationParam(value: string | null | undefined, name: string, fallback: string): number {
  const text = value === null || value === undefined || value === '' ? fallback : value;
  const ms = parseDuration(text);
  if (ms === undefined) throw new ApiError(400, `${name}: must be a whole number of hours, days or weeks, e.g. 12h or 7d; got "${text}"`);
  return ms;
}

function timeParam(value: string, name: string): number {
  const ms = parseTimestamp(value);
  if (ms === undefined) throw new ApiError(400, `${name}: not a timestamp (use ISO 8601, e.g. 2026-11-29T08:00:00Z); got "${value}"`);
  return ms;
}

/** The window a view shows: absolute (from, to) or relative (the last `window` before the anchor). */
export interface ResolvedWindow {
  fromMs: number;
  toMs: number;
  /** The relative length when the window is relative ("12h"), else undefined. */
  window?: string;
}

/**
 * `from` and `to` (ISO) make an absolute window; `window` (12h, 7d) a relative one that ends at
 * `anchorMs`: the end of the model's latest profiled hour, so a store whose data stopped still
 * shows its last hours (the overview flags it as stale). Bounds are whole hours.
 */
export function resolveWindow(query: { from?: string | null; to?: string | null; window?: string | null }, anchorMs: number, defaultWindow: string): ResolvedWindow {
  const { from, to } = query;
  if (from || to) {
    if (!from || !to) throw new ApiError(400, `${from ? 'to' : 'from'}: give both from and to, or neither (and a window such as 12h)`);
    if (query.window) throw new ApiError(400, 'window: give either a window or from and to, not both');
    const fromMs = Math.floor(timeParam(from, 'from') / HOUR_MS) * HOUR_MS;
    const toMs = Math.ceil(timeParam(to, 'to') / HOUR_MS) * HOUR_MS;
    if (toMs <= fromMs) throw new ApiError(400, 'to: must be after from');
    checkLength(toMs - fromMs, 'from');
    return { fromMs, toMs };
  }
  const window = query.window || defaultWindow;
  const length = durationParam(window, 'window', defaultWindow);
  checkLength(length, 'window');
  return { fromMs: anchorMs - length, toMs: anchorMs, window };
}

function checkLength(ms: number, name: string): void {
  if (ms > MAX_WINDOW_MS) throw new ApiError(400, `${name}: a window may span at most ${MAX_WINDOW_MS / DAY_MS} days; got ${Math.round(ms / DAY_MS)} days`);
}

/** A page's `searchParams` as Next passes them. */
export type PageSearch = Record<string, string | string[] | undefined>;

/** The first value of a page query parameter (a repeated one keeps its first, like the browser). */
export function firstParam(search: PageSearch, name: string): string | undefined {
  const v = search[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The view state of a page's URL, for links to other pages that keep it (`drop` leaves some out). */
export function viewSearch(search: PageSearch, drop: readonly string[] = []): string {
  const kept = ['window', 'from', 'to', 'reference', 'metric'].filter((k) => !drop.includes(k));
  return new URLSearchParams(kept.flatMap((k) => (firstParam(search, k) ? [[k, firstParam(search, k) as string]] : []))).toString();
}

/** The view state every page and view route reads: window, reference (default: the first configured), metric. */
export interface ViewQuery {
  from?: string | null;
  to?: string | null;
  window?: string | null;
  reference?: string;
  metric?: z.infer<typeof Metric>;
}

/** Validate the view state from a query string (`get` reads one parameter) against the config's defaults. */
export function viewQuery(get: (name: string) => string | null | undefined, defaultReference: string): ViewQuery {
  return { from: get('from'), to: get('to'), window: get('window'), reference: referenceParam(get('reference'), defaultReference), metric: metricParam(get('metric')) };
}
