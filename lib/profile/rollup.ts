import { DAY_MS, layout, SIX_HOURS_MS, WEEK_MS, weekStart, type FeatureKind, type SummaryRow } from '../format';
import { readSummaryParquetMany, writeSummaryParquetGroups } from '../duckdb';
import type { Storage } from '../storage/storage';
import { mergeSummaries } from '../summary';

/**
 * Rollups (docs/format.md): per feature, the day's hourly summaries merged into the day and into
 * its 6-hour blocks (one pack per day), and the week's daily rollups into the week. `fresh` holds
 * the hourly rows of days recomputed in this run (so they are not read back); other days' hours,
 * and the week's other days, come from storage. A day or week whose data is still arriving gets a
 * rollup of what is there, replaced later. Work goes week by week: at most a week of hourly rows
 * is in memory.
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
  // Files of many weeks go out together: one COPY and parallel writes instead of ~15 small ones a week.
  let groups: SummaryRow[][] = [];
  let keys: string[] = [];
  let pendingRows = 0;
  const flush = async (): Promise<void> => {
    await writeKeys(storage, keys, await writeSummaryParquetGroups(groups));
    groups = [];
    keys = [];
    pendingRows = 0;
  };
  for (const [week, weekDays] of byWeek) {
    const dayRows = new Map<number, SummaryRow[]>();
    for (const day of weekDays) {
      const hours = await dayHours(storage, model, day, fresh);
      const rolled = rollUp(model, day, DAY_MS, hours, kinds);
      dayRows.set(day, rolled);
      groups.push(rolled);
      keys.push(layout.dailyProfile(model, day));
      const blocks: SummaryRow[] = [];
      const dayTotal = rolled.reduce((most, r) => Math.max(most, r.rows), 0);
      for (let block = day; block < day + DAY_MS && dayTotal >= MIN_BLOCK_DAY_ROWS; block += SIX_HOURS_MS) {
        const inBlock = hours.filter((r) => r.period_start >= block && r.period_start < block + SIX_HOURS_MS);
        if (inBlock.length > 0) blocks.push(...rollUp(model, block, SIX_HOURS_MS, inBlock, kinds));
      }
      if (blocks.length > 0) {
        groups.push(blocks);
        keys.push(layout.sixHourProfile(model, day));
      } else await storage.delete(layout.sixHourProfile(model, day));
      pendingRows += rolled.length + blocks.length;
    }
    const weekly = rollUp(model, week, WEEK_MS, await weekDayRows(storage, model, week, dayRows), kinds);
    groups.push(weekly);
    keys.push(layout.weeklyProfile(model, week));
    pendingRows += weekly.length;
    if (pendingRows >= FLUSH_ROWS) await flush();
  }
  if (groups.length > 0) await flush();
}

/**
 * A day with fewer rows gets no 6-hour blocks: they save merging up to 23 hours of a day in a
 * window, which costs nothing when the day is small, and on sparse data (two rows an hour) they
 * were a quarter of the store's files and bytes. Windows then read such a day's hours.
 */
export const MIN_BLOCK_DAY_ROWS = 2_000;

/** Summary rows of rollups held before they are written (a dense feature-day is ~14 KB). */
const FLUSH_ROWS = 20_000;

/** Storage writes in flight at once: one file at a time left the disk (or S3) idle between fsyncs. */
const WRITE_CONCURRENCY = 8;

/** Write `files[i]` to `keys[i]`, a few at a time. */
export async function writeKeys(storage: Storage, keys: readonly string[], files: readonly Uint8Array[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const i = next++;
      await storage.write(keys[i], files[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, keys.length) }, worker));
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

/** The day's hourly rows: just computed, or read from its pack. */
async function dayHours(storage: Storage, model: string, day: number, fresh: ReadonlyMap<number, SummaryRow[]>): Promise<SummaryRow[]> {
  const mine = fresh.get(day);
  if (mine) return mine;
  const bytes = await storage.read(layout.hourlyProfile(model, day));
  if (!bytes || bytes.length === 0) return [];
  const [rows] = await readSummaryParquetMany([bytes]);
  return rows.filter((r) => r.period_start >= day && r.period_start < day + DAY_MS);
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
