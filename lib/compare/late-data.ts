import { DAY_MS, HOUR_MS, hourLabel, layout, parseHourLabel, parseProfileState, profiledHours } from '../format';
import type { Storage } from '../storage/storage';

/**
 * Late data is noticed in hours this recent, counted back from the last evaluated window end:
 * the evaluation state keeps a profile version per hour of this span (~720 entries, ~35 KB).
 * Rows arriving for an older hour reach its profile but no stored window (docs/format.md).
 */
export const LATE_DATA_LOOKBACK_MS = 30 * DAY_MS;

/** Hour label → storage version of the hour's profile, as the evaluation read it. */
export type ProfileVersions = Record<string, string>;

/**
 * The window ends whose window `[end - windowMs, end)` contains one of `hours`, i.e. the hour
 * ends in `(hour, hour + windowMs]`, limited to `[firstEnd, lastEnd]`; sorted, each once.
 */
export function affectedWindowEnds(hours: Iterable<number>, windowMs: number, firstEnd: number, lastEnd: number): number[] {
  const ends = new Set<number>();
  for (const hour of hours) {
    const from = Math.max(Math.floor(hour / HOUR_MS) * HOUR_MS + HOUR_MS, Math.ceil(firstEnd / HOUR_MS) * HOUR_MS);
    const to = Math.min(hour + windowMs, lastEnd);
    for (let end = from; end <= to; end += HOUR_MS) ends.add(end);
  }
  return [...ends].sort((a, b) => a - b);
}

/**
 * Hours in `[fromMs, beforeMs)` whose profile is not the version recorded: rewritten (late rows),
 * new (a profile written after the evaluation, for an hour it had already passed), or removed.
 */
export function changedHours(recorded: ProfileVersions, current: ReadonlyMap<number, string>, fromMs: number, beforeMs: number): number[] {
  const hours = new Set<number>();
  const inSpan = (h: number) => h >= fromMs && h < beforeMs;
  for (const [hour, version] of current) if (inSpan(hour) && recorded[hourLabel(hour)] !== version) hours.add(hour);
  for (const label of Object.keys(recorded)) {
    const hour = parseHourLabel(label);
    if (hour !== undefined && inSpan(hour) && !current.has(hour)) hours.add(hour);
  }
  return [...hours].sort((a, b) => a - b);
}

/**
 * The current version of each hour's profile: its token in the profile state (a hash of the
 * hour's summaries, format 2.0), one read for all hours. Read before the profiles themselves, so
 * a concurrent rewrite is seen next time.
 */
export async function profileVersions(storage: Storage, model: string, hours: readonly number[]): Promise<Map<number, string>> {
  const key = layout.profileState(model);
  const tokens = profiledHours(parseProfileState(await storage.read(key), key));
  const out = new Map<number, string>();
  for (const h of hours) {
    const token = tokens.get(h);
    if (token !== undefined) out.set(h, token);
  }
  return out;
}

/** The recorded form: hours from `fromMs` on, by label. */
export function recordVersions(current: ReadonlyMap<number, string>, fromMs: number): ProfileVersions {
  const out: ProfileVersions = {};
  for (const hour of [...current.keys()].sort((a, b) => a - b)) if (hour >= fromMs) out[hourLabel(hour)] = current.get(hour) as string;
  return out;
}

/** "late data in 2 hours: 2026-11-09T10:00Z, 2026-11-09T11:00Z" (at most five hours named). */
export function lateDataReason(hours: readonly number[]): string {
  if (hours.length === 0) return '';
  const named = hours.slice(0, 5).map((h) => `${new Date(h).toISOString().slice(0, 16)}Z`);
  const more = hours.length > 5 ? `, … (${hours.length - 5} more)` : '';
  return `late data in ${hours.length} hour${hours.length === 1 ? '' : 's'}: ${named.join(', ')}${more}`;
}
