import { DAY_MS, dayLabel, hourOfKey, layout, parseHourLabel, type FeatureKind, type SummaryRow } from '../format';
import { readSummaryParquetMany, writeSummaryParquetGroups } from '../duckdb';
import type { Storage } from '../storage/storage';
import { mergeSummaries } from '../summary';

/**
 * Daily rollups: per feature, the merge of the day's hourly summaries. `fresh` holds hours
 * recomputed in this run (so they are not read back); the day's other hours come from storage.
 * A day whose hours are still arriving gets a rollup of the hours so far, replaced later.
 */
export async function rollUpDays(
  storage: Storage,
  model: string,
  days: readonly number[],
  fresh: ReadonlyMap<number, SummaryRow[]>,
  kinds: ReadonlyMap<string, FeatureKind>,
): Promise<void> {
  for (let start = 0; start < days.length; start += DAYS_PER_WRITE) {
    const slice = days.slice(start, start + DAYS_PER_WRITE);
    const groups: SummaryRow[][] = [];
    for (const day of slice) groups.push(rollUpDay(model, day, await dayHours(storage, model, day, fresh), kinds));
    const files = await writeSummaryParquetGroups(groups);
    for (let i = 0; i < slice.length; i++) await storage.write(layout.dailyProfile(model, slice[i]), files[i]);
  }
}

/** Days rolled up per write: keeps at most a week of hourly rows in memory. */
const DAYS_PER_WRITE = 7;

async function dayHours(storage: Storage, model: string, day: number, fresh: ReadonlyMap<number, SummaryRow[]>): Promise<SummaryRow[]> {
  const prefix = `${layout.hourlyProfilesPrefix(model)}day=${dayLabel(day)}/`;
  const rows: SummaryRow[] = [];
  const stored: string[] = [];
  for (const key of await storage.list(prefix)) {
    const hour = parseHourLabel(hourOfKey(key) ?? '');
    if (hour === undefined || hour < day || hour >= day + DAY_MS) continue;
    const mine = fresh.get(hour);
    if (mine) rows.push(...mine);
    else stored.push(key);
  }
  const bytes = await Promise.all(stored.map(async (key) => (await storage.read(key)) ?? new Uint8Array()));
  for (const file of await readSummaryParquetMany(bytes.filter((b) => b.length > 0))) rows.push(...file);
  return rows;
}

/** One row per feature; rows of a kind other than the model's current one are left out. */
export function rollUpDay(model: string, day: number, hourly: readonly SummaryRow[], kinds: ReadonlyMap<string, FeatureKind>): SummaryRow[] {
  const byFeature = new Map<string, SummaryRow[]>();
  for (const row of [...hourly].sort((a, b) => a.period_start - b.period_start)) {
    const kind = kinds.get(row.feature);
    if (kind !== undefined && row.kind !== kind) continue;
    let list = byFeature.get(row.feature);
    if (!list) byFeature.set(row.feature, (list = []));
    if (list.length === 0 || list[0].kind === row.kind) list.push(row);
  }
  const out: SummaryRow[] = [];
  for (const [feature, rows] of byFeature) out.push(mergeSummaries({ model, feature, period_start: day, period_end: day + DAY_MS, chunk: -1 }, rows));
  return out;
}
