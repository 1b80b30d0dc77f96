/**
 * Timestamps in events and data files: ISO 8601 with or without a zone (no zone means UTC, e.g.
 * `2018-10-30 18:00:00.000`), or epoch seconds / milliseconds (numbers below 1e11 are seconds).
 * Everything is held as epoch milliseconds, UTC.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Rollup periods (docs/format.md): 6-hour blocks start at 00, 06, 12, 18 UTC; weeks on Monday 00:00 UTC. */
export const SIX_HOURS_MS = 6 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: Mondays are 4 days past a multiple of 7 days. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;

/** Start of the Monday-to-Sunday UTC week holding `ms`. */
export function weekStart(ms: number): number {
  return Math.floor((ms - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;
}

const ISO_NO_ZONE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** Epoch ms of a timestamp, or undefined when it is not one (the caller names the field). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  }
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseTimestamp(Number(s));
  const local = ISO_NO_ZONE.exec(s);
  if (local) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = local;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, Math.floor(Number(`0.${frac}`) * 1000));
    // Date.UTC rolls 2019-02-30 into March: reject dates that do not round-trip.
    const check = new Date(ms);
    if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || check.getUTCHours() !== +h || check.getUTCMinutes() !== +mi || check.getUTCSeconds() !== +sec) return undefined;
    return ms;
  }
  const zoned = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(s);
  if (!zoned) return undefined;
  // The written date and time must exist (no 30 February, no hour 24, no second 60) whatever the zone.
  const [, y, mo, d, h, mi, sec = '0'] = zoned;
  const written = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec));
  if (written.getUTCFullYear() !== +y || written.getUTCMonth() !== +mo - 1 || written.getUTCDate() !== +d || written.getUTCHours() !== +h || written.getUTCMinutes() !== +mi || written.getUTCSeconds() !== +sec) return undefined;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Start of the UTC hour containing `ms`. */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** `2026-11-29T08` — the hour partition label used in storage keys. */
export function hourLabel(hourStartMs: number): string {
  return new Date(hourStartMs).toISOString().slice(0, 13);
}

/** `2026-11-29` — the day partition label. */
export function dayLabel(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function parseHourLabel(label: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(label)) return undefined;
  const ms = Date.parse(`${label}:00:00Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

export function isoHour(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Window lengths like `12h`, `7d`, `90m` (whole hours only), in ms. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0 || !Number.isSafeInteger(n) || n > 100_000) return undefined;
  return n * (m[2] === 'h' ? HOUR_MS : m[2] === 'd' ? DAY_MS : 7 * DAY_MS);
}
