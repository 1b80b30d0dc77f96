/**
 * Order traffic of a European web shop, by UTC hour: lowest at 03–04 (a quarter of the peak),
 * rising through the day, peaking at 20:00; Sundays busiest, Saturdays quietest.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Relative traffic per UTC hour, 1 at the evening peak. */
const DAILY = [
  0.55, 0.38, 0.29, 0.25, 0.25, 0.29, 0.38, 0.5, 0.6, 0.66, 0.7, 0.74,
  0.78, 0.76, 0.74, 0.74, 0.77, 0.82, 0.9, 0.97, 1.0, 0.95, 0.83, 0.7,
] as const;

/** Relative traffic per UTC weekday, Sunday first (Date#getUTCDay order). */
const WEEKLY = [1.16, 1.02, 0.98, 0.97, 0.99, 0.96, 0.92] as const;

const DAILY_MEAN = DAILY.reduce((a, b) => a + b, 0) / DAILY.length;
const WEEKLY_MEAN = WEEKLY.reduce((a, b) => a + b, 0) / WEEKLY.length;

/** Traffic relative to the daily peak at this UTC hour, in (0, 1]. */
export function dailyLevel(hourOfDay: number): number {
  return DAILY[hourOfDay];
}

/** Expected orders in the hour starting at `hourStartMs`, when the long-run mean is `meanPerHour`. */
export function expectedOrders(hourStartMs: number, meanPerHour: number): number {
  const date = new Date(hourStartMs);
  return (meanPerHour * DAILY[date.getUTCHours()] * WEEKLY[date.getUTCDay()]) / (DAILY_MEAN * WEEKLY_MEAN);
}

/** Parses an ISO timestamp that must fall on a whole UTC hour. */
export function parseHour(iso: string): number {
  const ms = /(Z|[+-]\d\d:\d\d)$/.test(iso) ? Date.parse(iso) : NaN; // no zone would mean local time
  if (!Number.isFinite(ms) || ms % HOUR_MS !== 0) throw new RangeError(`start must be an ISO timestamp on a whole UTC hour, got ${JSON.stringify(iso)}`);
  return ms;
}
