import { DAY_MS, dayLabel, hourOfKey, layout, parseHourLabel, SIX_HOURS_MS, WEEK_MS, weekStart, type FeatureKind, type SummaryRow } from '../format';
import { readSummaryParquetMany, writeSummaryParquetGroups } from '../duckdb';
import type { Storage } from '../storage/storage';
import { mergeSummaries } from '../summary';

/**
 * Rollups (docs/format.md): per feature, the day's hourly summaries merged into the day and into
 * its four 6-hour blocks, and the week's daily rollups into the week. `fresh` holds hours
 * recomputed in this run (so they are not read back); the day's other hours, and the week's other
 * days, come from storage. A day or week whose data is still arriving gets a rollup of what is
 * there, replaced later. Work goes week by week: at most a week of hourly rows is in memory.
 */
export async function rollUpDays(
  storage: Storage,
  model: string,
  days: readonly number[],
  fresh: ReadonlyMap<number, SummaryRow[]>,
  kinds: ReadonlyMap<string, FeatureKind>,
): Promise<void> {
  const byWeek = new Map<number, number[]>();
  for (const day of [...days].sort((a, b) => a - b)) {
    const week = weekStart(day);
    byWeek.set(week, [...(byWeek.get(week) ?? []), day]);
  }
  for (const [week, weekDays] of byWeek) {
    const groups: SummaryRow[][] = [];
    const keys: string[] = [];
    const dayRows = new Map<number, SummaryRow[]>();
    for (const day of weekDays) {
      const hours = await dayHours(storage, model, day, fresh);
      const rolled = rollUp(model, day, DAY_MS, hours, kinds);
      dayRows.set(day, rolled);
      groups.push(rolled);
      keys.push(layout.dailyProfile(model, day));
      for (let block = day; block < day + DAY_MS; block += SIX_HOURS_MS) {
        const inBlock = hours.filter((r) => r.period_start >= block && r.period_start < block + SIX_HOURS_MS);
        if (inBlock.length === 0) continue;
        groups.push(rollUp(model, block, SIX_HOURS_MS, inBlock, kinds));
        keys.push(layout.sixHourProfile(model, block));
      }
    }
    groups.push(rollUp(model, week, WEEK_MS, await weekDayRows(storage, model, week, dayRows), kinds));
    keys.push(layout.weeklyProfile(model, week));
    const files = await writeSummaryParquetGroups(groups);
    for (let i = 0; i < keys.length; i++) await storage.write(keys[i], files[i]);
  }
}

/** The week's daily rollups: the ones just made, the others read from storage. */
async function weekDayRows(storage: Storage, model: string, week: number, made: ReadonlyMap<number, SummaryRow[]>): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  const stored: Promise<Uint8Array | undefined>[] = [];
  for (let day = week; day < week + WEEK_MS; day += DAY_MS) {
    const mine = made.get(day);
    if (mine) rows.push(...mine);
    else stored.push(storage.read(layout.dailyProfile(model, day)));
  }
  const bytes = (await Promise.all(stored)).filter((b): b is Uint8Array => b !== undefined && b.length > 0);
  for (const file of await readSummaryParquetMany(bytes)) rows.push(...file);
  return rows;
}

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

/** One row per feature over [start, start + length); rows of a kind other than the model's current one are left out. */
export function rollUp(model: string, start: number, length: number, parts: readonly SummaryRow[], kinds: ReadonlyMap<string, FeatureKind>): SummaryRow[] {
  const byFeature = new Map<string, SummaryRow[]>();
  for (const row of [...parts].sort((a, b) => a.period_start - b.period_start)) {
    const kind = kinds.get(row.feature);
    if (kind !== undefined && row.kind !== kind) continue;
    let list = byFeature.get(row.feature);
    if (!list) byFeature.set(row.feature, (list = []));
    if (list.length === 0 || list[0].kind === row.kind) list.push(row);
  }
  const out: SummaryRow[] = [];
  for (const [feature, rows] of byFeature) out.push(mergeSummaries({ model, feature, period_start: start, period_end: start + length, chunk: -1 }, rows));
  return out;
}
