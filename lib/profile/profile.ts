import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TempSpace, withConnection, writeSummaryParquetGroups } from '../duckdb';
import { DAY_MS, dayLabel, dayOfKey, HOUR_MS, hourLabel, layout, ModelName, type FeatureKind, type ModelMeta, type SummaryRow } from '../format';
import { DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
import { ProfileAccumulator } from './accumulator';
import { kindsOf, readModelMeta, updateModelMeta, writeModelMeta } from './model-store';
import type { ProgressFn } from './options';
import { runProfilePass } from './profile-pass';
import { hourToken, readProfileState, sameKeys, writeProfileState, type ProfileState } from './profile-state';
import { localFileOf } from './local-file';
import { describeRawParquet, discoverNdjson, discoverParquet, hourGroupSql, modelFeatures, ndjsonMapRelation, ndjsonPass, ndjsonRelation, parquetPass, parquetRelation, sampleNdjson } from './raw-sources';
import { findDamagedNdjsonBatch, findDamagedRawBatch, parquetFooterRows, type RawBatchFile } from './profile-raw-rows';
import { rollUpDays, writeKeys } from './rollup';

export interface ProfileModelOptions {
  storage: Storage;
  model: string;
  onProgress?: ProgressFn;
}

export interface ProfileModelResult {
  /**
   * Hours whose summaries changed (new, different, or gone). Their day was recomputed whole from
   * its raw batches and its pack written again; hours of it whose data did not change are not counted.
   */
  hours: number;
  /** Days whose rollup was rewritten. */
  days: number;
  hourStarts: number[];
  dayStarts: number[];
}

/**
 * A batch is profiled with one scan per raw format: at most this many days, or days until this
 * many raw bytes (their summaries, up to ~40 KB per numeric feature-hour, are held until
 * written). Bytes bound a dense store's batch: 1 M rows × 56 features a month is ~10 MB a day,
 * so a day a batch (peak RSS 545 MiB; 704 MiB at 16 MB, 1,015 MiB at 64 MB, for 6% less CPU);
 * sparse days are small and go together.
 */
const MAX_BATCH_DAYS = 366;
const MAX_BATCH_BYTES = 8 << 20;

/**
 * Raw predictions → hourly summaries (one pack per day) and rollups, incrementally: a day is
 * recomputed, from all of its raw batches, only when its set of raw batches changed since the
 * last run (profile-state.json); its rollups are made again. Work and files follow the days and
 * rows the data has, not the hours it spans (format 2.0, docs/format.md).
 */
export async function profileModel(options: ProfileModelOptions): Promise<ProfileModelResult> {
  const { storage, onProgress } = options;
  const model = ModelName.parse(options.model);
  const state = await readProfileState(storage, model);
  const rawByDay = await listRaw(storage, model);
  const changed = [...rawByDay.keys()].filter((d) => !sameKeys(state.days[dayLabel(d)]?.batches, rawByDay.get(d)!.map(baseName))).sort((a, b) => a - b);
  const result: ProfileModelResult = { hours: 0, days: 0, hourStarts: [], dayStarts: [] };
  let meta = await readModelMeta(storage, model);
  const pendingDays = new Set(state.pending_days);
  const fresh = new Map<number, SummaryRow[]>();

  // A day with a damaged raw batch is left out (and stays due); the others are profiled, then it is reported.
  const damaged: DamagedFileError[] = [];
  let start = 0;
  let doneDays = 0;
  const total = changed.length;
  while (start < changed.length) {
    let batch: BatchResult;
    try {
      batch = await profileBatch(storage, model, meta, changed, start, rawByDay);
    } catch (error) {
      const day = error instanceof DamagedFileError ? changed.indexOf(dayOfKey(error.key) ?? NaN) : -1;
      if (day < start) throw error;
      damaged.push(error as DamagedFileError);
      changed.splice(day, 1);
      continue;
    }
    const { days, hoursByDay, meta: after } = batch;
    meta = after;
    const withRows = days.filter((d) => hoursByDay.get(d)!.size > 0);
    const files = await writeSummaryParquetGroups(withRows.map((d) => [...hoursByDay.get(d)!.values()].flat()));
    await writeKeys(storage, withRows.map((day) => layout.hourlyProfile(model, day)), files);
    for (const day of days) {
      const hours = hoursByDay.get(day)!;
      if (hours.size === 0) await storage.delete(layout.hourlyProfile(model, day));
      // Reported: the hours whose summaries changed (new, different, or gone), not every hour of the day read again.
      const before = state.days[dayLabel(day)]?.hours ?? {};
      const tokens: Record<string, string> = {};
      for (const [hour, rows] of hours) {
        tokens[hourLabel(hour)] = hourToken(rows);
        if (before[hourLabel(hour)] !== tokens[hourLabel(hour)]) result.hourStarts.push(hour);
      }
      for (const label of Object.keys(before)) if (!(label in tokens)) result.hourStarts.push(Date.parse(`${label}:00:00Z`));
      state.days[dayLabel(day)] = { batches: rawByDay.get(day)!.map(baseName), hours: tokens };
      pendingDays.add(day);
      fresh.set(day, [...hours.values()].flat());
    }
    await saveState(storage, model, state, pendingDays);
    start += days.length;
    doneDays += days.length;
    onProgress?.({ stage: 'days', done: doneDays, total });
    // Days before the next day to profile are complete for this run: roll them up now.
    const next = start < changed.length ? changed[start] : Infinity;
    const due = [...pendingDays].filter((d) => d < next).sort((a, b) => a - b);
    if (due.length > 0 && meta) {
      await rollUpDays(storage, model, due, fresh, kindsOf(meta));
      for (const d of due) {
        pendingDays.delete(d);
        result.dayStarts.push(d);
      }
      for (const d of [...fresh.keys()]) if (d < next) fresh.delete(d);
      await saveState(storage, model, state, pendingDays);
    }
  }
  if (pendingDays.size > 0 && meta) {
    const due = [...pendingDays].sort((a, b) => a - b);
    await rollUpDays(storage, model, due, fresh, kindsOf(meta));
    result.dayStarts.push(...due);
    await saveState(storage, model, state, new Set());
  }
  result.hourStarts.sort((a, b) => a - b);
  result.hours = result.hourStarts.length;
  result.days = result.dayStarts.length;
  if (damaged.length > 0) throw damagedBatches(damaged, storage.url);
  return result;
}

/** One error for the damaged raw batches of a run: the first, naming the others. */
function damagedBatches(damaged: readonly DamagedFileError[], storeUrl: string): DamagedFileError {
  if (damaged.length === 1) return damaged[0];
  const others = damaged.slice(1).map((e) => e.key).join(', ');
  return new DamagedFileError(damaged[0].key, `${damaged[0].reason}; also damaged: ${others}; their days were not profiled, the others were`, storeUrl);
}

/** State keeps batch file names only: the day is the state's key, the prefix is the model's. */
const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

async function saveState(storage: Storage, model: string, state: ProfileState, pendingDays: Set<number>): Promise<void> {
  state.pending_days = [...pendingDays].sort((a, b) => a - b);
  await writeProfileState(storage, model, state);
}

/** Raw batch keys by prediction day. */
async function listRaw(storage: Storage, model: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(model))) {
    if (!key.endsWith('.ndjson.gz') && !key.endsWith('.parquet')) continue;
    const day = dayOfKey(key);
    if (day === undefined) continue;
    let list = out.get(day);
    if (!list) out.set(day, (list = []));
    list.push(key);
  }
  return out;
}

interface BatchResult {
  days: number[];
  /** Day → its hours (start → summary rows), in time order; empty for a day whose batches hold no rows. */
  hoursByDay: Map<number, Map<number, SummaryRow[]>>;
  meta: ModelMeta | undefined;
}

/**
 * The raw files of the next days (up to the batch limits), in place for a local store, else
 * copied to a temporary directory, and profiled.
 */
async function profileBatch(storage: Storage, model: string, meta: ModelMeta | undefined, changed: readonly number[], start: number, rawByDay: Map<number, string[]>): Promise<BatchResult> {
  const space = new TempSpace('profile');
  try {
    const days: number[] = [];
    const json: RawBatchFile[] = [];
    const parquet: RawBatchFile[] = [];
    let bytes = 0;
    for (let i = start; i < changed.length && days.length < MAX_BATCH_DAYS && bytes < MAX_BATCH_BYTES; i++) {
      days.push(changed[i]);
      for (const [j, key] of rawByDay.get(changed[i])!.entries()) {
        const isJson = key.endsWith('.ndjson.gz');
        let path: string;
        const local = await localFileOf(storage, key);
        if (local) {
          path = local.path;
          bytes += local.bytes;
        } else {
          const data = await storage.read(key);
          if (!data) continue;
          const sub = join(await space.dirFor(data.length), `day=${dayLabel(changed[i])}`);
          await mkdir(sub, { recursive: true });
          path = join(sub, `${j}${isJson ? '.ndjson.gz' : '.parquet'}`);
          await writeFile(path, data);
          bytes += data.length;
        }
        if (isJson) json.push({ path, key });
        else parquet.push({ path, key });
      }
    }
    return await withConnection((connection) => profileFiles(connection, storage, model, meta, days, json, parquet));
  } finally {
    await space.close();
  }
}

/**
 * Profile one batch. New features (struct fields, map keys) are added to model.json first and
 * the batch is read again with them, so no hour is written without a feature its data has.
 */
async function profileFiles(connection: DuckDBConnection, storage: Storage, model: string, initial: ModelMeta | undefined, days: number[], jsonFiles: RawBatchFile[], parquet: RawBatchFile[]): Promise<BatchResult> {
  const json = jsonFiles.map((f) => f.path);
  // An NDJSON batch that cannot be read (a truncated gzip) is named by its key, like a Parquet one:
  // its day stays due and the other days are profiled, instead of every run failing on it.
  const jsonDamage = <T>(read: () => Promise<T>): Promise<T> =>
    read().catch(async (error: unknown) => {
      throw (await findDamagedNdjsonBatch(connection, jsonFiles, storage.url)) ?? error;
    });
  let meta = initial ?? updateModelMeta(undefined, model, {}).meta;
  let dirty = !initial;
  const learn = (found: Map<string, FeatureKind>, score: string | null): void => {
    const update = updateModelMeta(meta, model, { found, score });
    meta = update.meta;
    dirty ||= update.changed;
  };
  const pq = parquet.length > 0 ? parquetRelation(parquet.map((f) => f.path)) : null;
  const pqColumns = pq ? await namingDamage(connection, storage, parquet, () => describeRawParquet(connection, pq)) : null;
  if (pq && pqColumns) {
    const { found, score } = await namingDamage(connection, storage, parquet, () => discoverParquet(connection, pq, meta, pqColumns, meta.columns.score));
    learn(found, score);
  }
  if (json.length > 0 && (meta.features.length === 0 || (await jsonDamage(() => sampleNdjson(connection, json, meta))))) {
    const { found, score } = await jsonDamage(() => discoverNdjson(connection, ndjsonMapRelation(json), meta));
    learn(found, score);
  }
  if (dirty && meta.features.length > 0) await writeModelMeta(storage, meta);
  const acc = new ProfileAccumulator(modelFeatures(meta));
  // Groups are hours counted from the batch's first day: rows of a day file belong to its day.
  const baseHour = Math.min(...days) / HOUR_MS;
  if (pq && pqColumns) {
    const pass = parquetPass(pq, hourGroupSql('ts', baseHour), meta, pqColumns);
    await namingDamage(connection, storage, parquet, async () => {
      const expected = await parquetFooterRows(connection, parquet);
      const read = await runProfilePass(connection, pass, acc);
      if (read !== expected) throw new Error(`profile read ${read} of the ${expected} rows of days ${days.map(dayLabel).join(', ')}`);
    });
  }
  if (json.length > 0) await jsonDamage(() => runProfilePass(connection, ndjsonPass(ndjsonRelation(json, meta), `__hour - ${baseHour}`, meta), acc));
  const hoursByDay = new Map<number, Map<number, SummaryRow[]>>(days.map((d) => [d, new Map()]));
  for (const g of acc.groupIds().sort((a, b) => a - b)) {
    const hour = (baseHour + g) * HOUR_MS;
    // A row outside the days of its file (written by another producer) has no day pack here.
    const day = hoursByDay.get(dayOf(hour));
    if (day) day.set(hour, acc.summaries(g, { model, period_start: hour, period_end: hour + HOUR_MS, chunk: -1 }));
  }
  return { days, hoursByDay, meta };
}

/** Run a read of raw Parquet batches; when it fails, a DamagedFileError naming the batch that is damaged, if one is. */
async function namingDamage<T>(connection: DuckDBConnection, storage: Storage, files: readonly RawBatchFile[], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw (await findDamagedRawBatch(connection, files, storage.url)) ?? error;
  }
}

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
