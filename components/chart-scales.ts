import { wallClock, utcOffsetLabel } from './format';
import type { TimeZoneMode } from './url-state';

/**
 * Pure axis helpers for the dashboard's charts: log-x ticks, the log-x default, round time ticks.
 * No React here, so the rules are unit-tested (test/unit/dashboard/chart-scales.test.ts).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Powers of ten from the decade at or below `lo` to the decade at or above `hi`: the axis always spans the data. */
export function logTicks(lo: number, hi: number, maxTicks = 12): number[] {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const a = Math.floor(Math.log10(Math.min(lo, hi)) + 1e-9);
  let b = Math.ceil(Math.log10(Math.max(lo, hi)) - 1e-9);
  if (b === a) b = a + 1;
  const every = Math.max(1, Math.ceil((b - a) / (maxTicks - 1)));
  // The last tick must be at or above hi, so round the top decade up to the stride.
  b = a + Math.ceil((b - a) / every) * every;
  const out: number[] = [];
  for (let k = a; k <= b; k += every) out.push(Number(`1e${k}`));
  return out;
}

export interface SourceRange {
  min: number | null;
  max: number | null;
  p50: number | null;
  p99: number | null;
}

/** Decades a heavy tail must span (p99/p50 or max/min) before a log axis is the default. */
export const HEAVY_TAIL_DECADES = 3;

/**
 * Log-x by default only for heavy-tailed positive features: every value above 0, not a score in
 * [0, 1], and p99/p50 or max/min (over all sources together) spanning ≥ 3 decades.
 */
export function defaultLogX(sources: readonly SourceRange[]): boolean {
  const known = sources.filter((s) => s.min !== null && s.max !== null);
  if (known.length === 0) return false;
  const min = Math.min(...known.map((s) => s.min!));
  const max = Math.max(...known.map((s) => s.max!));
  if (!(min > 0) || max <= 1) return false;
  const spread = 10 ** HEAVY_TAIL_DECADES;
  if (max / min >= spread) return true;
  return known.some((s) => s.p50 !== null && s.p99 !== null && s.p50 > 0 && s.p99 / s.p50 >= spread);
}

/** Tick steps for time axes: whole hours, then whole days, then weeks. */
const TIME_STEPS_MS = [1, 2, 3, 6, 12].map((h) => h * HOUR_MS).concat([1, 2, 7].map((d) => d * DAY_MS));

/** The smallest round step that puts at most `maxTicks` ticks in [fromMs, toMs]. */
export function timeStep(fromMs: number, toMs: number, maxTicks = 9): number {
  const span = Math.max(0, toMs - fromMs);
  const gaps = Math.max(1, maxTicks - 1);
  return TIME_STEPS_MS.find((s) => span / s <= gaps) ?? Math.ceil(span / gaps / (7 * DAY_MS)) * 7 * DAY_MS;
}

/** Offset of the shown zone from UTC at `ms` (the browser's zone for "local"). */
function offsetMs(ms: number, tz: TimeZoneMode): number {
  return tz === 'utc' ? 0 : -new Date(ms).getTimezoneOffset() * 60_000;
}

/**
 * Tick instants on round hours or days of the shown zone: 00:00, 06:00, 12:00 … for a 6 h step,
 * midnights for day steps (so in local time they are local midnights).
 */
export function timeTicks(fromMs: number, toMs: number, tz: TimeZoneMode = 'utc', maxTicks = 9): { ticks: number[]; stepMs: number } {
  if (!(toMs > fromMs)) return { ticks: [], stepMs: HOUR_MS };
  const stepMs = timeStep(fromMs, toMs, maxTicks);
  const ticks: number[] = [];
  const off = offsetMs(fromMs, tz);
  // Multiples of the step in wall-clock time since the epoch: 00/06/12/18 h, midnights (weeks: Thursdays).
  let wall = Math.ceil((fromMs + off) / stepMs) * stepMs;
  for (let i = 0; i < 1000; i++, wall += stepMs) {
    // Re-read the offset at each tick so local ticks stay on round wall-clock hours across DST changes.
    const t = wall - offsetMs(wall - off, tz);
    if (t > toMs) break;
    if (t >= fromMs) ticks.push(t);
  }
  return { ticks, stepMs };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 9" at midnight or for day steps, else "06:00". */
export function timeTickLabel(ms: number, stepMs: number, tz: TimeZoneMode = 'utc'): string {
  const w = wallClock(ms, tz);
  const day = `${MONTHS[w.month - 1]} ${w.day}`;
  if (stepMs >= DAY_MS || (w.hour === 0 && w.minute === 0)) return day;
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/** "time (UTC)" or "time (UTC+1)": the axis title says which clock the ticks read. */
export function timeAxisTitle(ms: number, tz: TimeZoneMode): string {
  return `time (${tz === 'utc' ? 'UTC' : `local, ${utcOffsetLabel(ms)}`})`;
}

/** "24h", "7d", "2w" in milliseconds; undefined when it is not such a duration. */
export function durationMs(text: string | null | undefined): number | undefined {
  const m = /^(\d+)([hdw])$/.exec(text ?? '');
  if (!m) return undefined;
  return Number(m[1]) * { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS }[m[2] as 'h' | 'd' | 'w'];
}

/** Trend span shown by default around a window. */
export const TREND_SPAN_MS = 7 * DAY_MS;

/**
 * The range a trend plots for a window [fromMs, toMs]: a week (or 1.5× the window) ending at the
 * window end for a relative window; for an absolute one (e.g. opened from an alert) it also shows
 * a third of the span after the window, clipped at the latest data, so the alert has context on both sides.
 */
export function trendRange(fromMs: number, toMs: number, options: { relative: boolean; latestMs?: number | null }): { fromMs: number; toMs: number } {
  const span = Math.max(TREND_SPAN_MS, Math.ceil((1.5 * (toMs - fromMs)) / HOUR_MS) * HOUR_MS);
  let end = toMs;
  if (!options.relative) {
    end = toMs + Math.round(span / 3 / HOUR_MS) * HOUR_MS;
    if (options.latestMs !== undefined && options.latestMs !== null) end = Math.max(toMs, Math.min(end, options.latestMs));
  }
  const start = Math.min(end - span, fromMs);
  return { fromMs: start, toMs: end };
}

/** A dragged range [a, b] (either order) as whole hours, at least one hour long. */
export function wholeHourRange(a: number, b: number): { fromMs: number; toMs: number } {
  const lo = Math.floor(Math.min(a, b) / HOUR_MS) * HOUR_MS;
  const hi = Math.max(lo + HOUR_MS, Math.ceil(Math.max(a, b) / HOUR_MS) * HOUR_MS);
  return { fromMs: lo, toMs: hi };
}
