import { DAY_MS, HOUR_MS, parseDuration, parseTimestamp } from '../format';

/** Config `ingest.earliest` and `ingest.max_future_skew` (lib/compare/config.ts), as written. */
export interface TimeLimitSettings {
  earliest: string;
  max_future_skew: string;
}

export const DEFAULT_TIME_LIMITS: TimeLimitSettings = { earliest: '2000-01-01', max_future_skew: '1h' };

/** The plausible range of prediction times for one ingest run, fixed at its start. */
export interface TimeLimits {
  earliestMs: number;
  latestMs: number;
  nowMs: number;
  settings: TimeLimitSettings;
}

export function timeLimits(settings: TimeLimitSettings = DEFAULT_TIME_LIMITS, nowMs = Date.now()): TimeLimits {
  const earliestMs = parseTimestamp(settings.earliest);
  const skewMs = parseDuration(settings.max_future_skew);
  if (earliestMs === undefined) throw new Error(`ingest.earliest: "${settings.earliest}" is not a date`);
  if (skewMs === undefined) throw new Error(`ingest.max_future_skew: "${settings.max_future_skew}" is not a duration like 1h`);
  return { earliestMs, latestMs: nowMs + skewMs, nowMs, settings };
}

/** Dates JavaScript (and the store's ISO 8601 keys) can hold: ±8.64e15 ms around 1970. */
const MAX_DATE_MS = 8.64e15;

/** Why a prediction time is implausible, or undefined when it is within the limits. */
export function implausibleTime(ms: number, limits: TimeLimits, written: unknown): string | undefined {
  if (Number.isFinite(ms) && ms >= limits.earliestMs && ms <= limits.latestMs) return undefined;
  const shown = typeof written === 'string' ? written.slice(0, 80) : JSON.stringify(written);
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return `timestamp ${shown} is out of the range of dates (year 275760 at most)`;
  if (ms < limits.earliestMs) return `timestamp ${shown} is before the earliest plausible date ${limits.settings.earliest} (config ingest.earliest)`;
  if (ms > limits.latestMs) {
    return `timestamp ${shown} is ${span(ms - limits.nowMs)} after the time of ingest (limit: ${limits.settings.max_future_skew}; config ingest.max_future_skew)`;
  }
  return undefined;
}

/** A distance in time, in the largest whole unit: `973 years`, `3 days`, `2 hours`, `5 minutes`. */
export function span(ms: number): string {
  const units: [number, string][] = [[365.25 * DAY_MS, 'year'], [DAY_MS, 'day'], [HOUR_MS, 'hour'], [60_000, 'minute']];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return `${Math.max(0, Math.round(ms / 1000))} seconds`;
}
