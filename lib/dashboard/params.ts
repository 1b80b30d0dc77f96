import { z } from 'zod';
// Pure modules only: proxy.ts validates page URLs with these checks, before any storage is touched.
import { CategoricalMetric, NumericMetric } from '../compare/config';
import { resolveWindow as resolveCompareWindow, WindowError, type ResolvedWindow, type WindowRequest } from '../compare/window';
export { MAX_WINDOW_MS, type ResolvedWindow } from '../compare/window';
import { FeatureName, ModelName, parseDuration, ReferenceName } from '../format';

/** An error an API route maps to an HTTP status: 400 names the parameter, 404 the missing thing. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 410 | 413 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** Window presets of the pickers; any whole number of hours, days or weeks is accepted. */
export const WINDOW_PRESETS = ['1h', '6h', '12h', '24h', '7d', '30d'] as const;
/** The most windows one trend request may compute. */
export const MAX_TREND_POINTS = 2000;

export const Metric = z.union([NumericMetric, CategoricalMetric]);

/**
 * The segments of a URL path, percent-decoded. Malformed encoding (`%c0%ae`, an overlong `.`;
 * a lone `%`) is a 400 that names the segment, not a URIError deep in a route (a 500).
 */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((raw) => {
      try {
        return decodeURIComponent(raw);
      } catch {
        throw new ApiError(400, `path: "${raw}" is not valid percent-encoding (malformed UTF-8 or a stray %)`);
      }
    });
}

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

/**
 * The window of a view (lib/compare's resolveWindow: the same reading as the CLI's), with its
 * errors as 400s that name the parameter.
 */
export function resolveWindow(query: WindowRequest, anchorMs: number, defaultWindow: string): ResolvedWindow {
  try {
    return resolveCompareWindow(query, anchorMs, defaultWindow);
  } catch (e) {
    if (e instanceof WindowError) throw new ApiError(400, e.message);
    throw e;
  }
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
