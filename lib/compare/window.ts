import { DAY_MS, HOUR_MS, parseDuration, parseTimestamp } from '../format';
import type { AvailableProfiles } from './load-window';

/** The longest window one request may compare: beyond it the answer would not come in seconds. */
export const MAX_WINDOW_MS = 400 * DAY_MS;

/** A window request that cannot be answered; `parameter` names the flag or query parameter at fault. */
export class WindowError extends Error {
  override readonly name = 'WindowError';
  constructor(
    readonly parameter: 'from' | 'to' | 'window',
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

/** The window a view shows: absolute (from, to) or relative (the last `window` before the anchor). */
export interface ResolvedWindow {
  fromMs: number;
  toMs: number;
  /** The relative length when the window is relative ("12h"), else undefined. */
  window?: string;
}

export interface WindowRequest {
  from?: string | null;
  to?: string | null;
  window?: string | null;
}

/**
 * Profiled hours starting more than this after now are implausible (a clock or unit error), not
 * data to anchor on: the default of config `ingest.max_future_skew` (see futureSkewMs).
 */
export const FUTURE_SKEW_MS = HOUR_MS;

/** The configured skew (`ingest.max_future_skew`, validated by the config schema) in ms. */
export function futureSkewMs(config: { ingest: { max_future_skew: string } }): number {
  return parseDuration(config.ingest.max_future_skew) ?? FUTURE_SKEW_MS;
}

/**
 * End of the model's latest *plausible* profiled hour: where a relative window ("the last 12 h")
 * ends, in the CLI and the dashboard alike. Hours starting after `nowMs + skewMs` (config
 * `ingest.max_future_skew`, default 1 h; one event dated 2999) are ignored and counted in `futureHours`. A store whose data stopped still
 * shows its last hours (the overview flags it as stale); a store without data anchors at the
 * current hour.
 */
export function windowAnchor(available: Pick<AvailableProfiles, 'hours'>, nowMs = Date.now(), skewMs = FUTURE_SKEW_MS): { anchorMs: number; latestDataMs: number | undefined; futureHours: number[] } {
  let latest = -Infinity;
  const futureHours: number[] = [];
  for (const h of available.hours) {
    if (h > nowMs + skewMs) futureHours.push(h);
    else if (h > latest) latest = h;
  }
  const latestDataMs = Number.isFinite(latest) ? latest + HOUR_MS : undefined;
  futureHours.sort((a, b) => a - b);
  return { anchorMs: latestDataMs ?? Math.floor(nowMs / HOUR_MS) * HOUR_MS, latestDataMs, futureHours };
}

/** "1 profiled hour after now + 1h ignored (2999-01-01T00:00Z)": what windowAnchor left out, for output. */
export function futureHoursNote(futureHours: readonly number[], skewMs = FUTURE_SKEW_MS): string {
  if (futureHours.length === 0) return '';
  const named = futureHours.slice(0, 3).map((h) => `${new Date(h).toISOString().slice(0, 16)}Z`);
  const more = futureHours.length > 3 ? `, … (${futureHours.length - 3} more)` : '';
  const n = futureHours.length;
  return `${n} profiled hour${n === 1 ? '' : 's'} after now + ${formatSkew(skewMs)} ignored (${named.join(', ')}${more}): timestamps in the future are a clock or unit error, not data to evaluate`;
}

const formatSkew = (ms: number) => (ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : ms % HOUR_MS === 0 ? `${ms / HOUR_MS}h` : `${ms / 60_000}m`);

function timeOf(value: string, parameter: 'from' | 'to'): number {
  const ms = parseTimestamp(value);
  if (ms === undefined) throw new WindowError(parameter, `not a timestamp (use ISO 8601, e.g. 2026-11-29T08:00:00Z); got "${value}"`);
  return ms;
}

function checkLength(ms: number, parameter: 'from' | 'window'): void {
  if (ms > MAX_WINDOW_MS) throw new WindowError(parameter, `a window may span at most ${MAX_WINDOW_MS / DAY_MS} days; got ${Math.round(ms / DAY_MS)} days`);
}

/**
 * The one reading of a window request, shared by every page, route and CLI command:
 * - `from` and `to`: absolute, widened to whole hours (`from` alone: up to the anchor);
 * - `window` (12h, 7d), optionally with `to`: the last `window` before `to`, else before the anchor
 *   (see windowAnchor);
 * - nothing: the config's evaluation window, relative.
 */
export function resolveWindow(query: WindowRequest, anchorMs: number, defaultWindow: string): ResolvedWindow {
  const { from, to } = query;
  if (from) {
    if (query.window) throw new WindowError('window', 'give either a window or from (and to), not both');
    const fromMs = Math.floor(timeOf(from, 'from') / HOUR_MS) * HOUR_MS;
    const toMs = to ? Math.ceil(timeOf(to, 'to') / HOUR_MS) * HOUR_MS : anchorMs;
    if (toMs <= fromMs) throw new WindowError('to', `must be after from (got from ${new Date(fromMs).toISOString()}, to ${new Date(toMs).toISOString()})`);
    checkLength(toMs - fromMs, 'from');
    return { fromMs, toMs };
  }
  const window = query.window || defaultWindow;
  const length = parseDuration(window);
  if (length === undefined && /^\d+\s*[hdw]$/.test(window.trim())) throw new WindowError('window', `a window may span at most ${MAX_WINDOW_MS / DAY_MS} days; got "${window}"`);
  if (length === undefined) throw new WindowError('window', `must be a whole number of hours, days or weeks, e.g. 12h or 7d; got "${window}"`);
  checkLength(length, 'window');
  const end = to ? Math.ceil(timeOf(to, 'to') / HOUR_MS) * HOUR_MS : anchorMs;
  return { fromMs: end - length, toMs: end, window };
}
