import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TempSpace, withConnection, writeSummaryParquetGroups } from '../duckdb';
import { DAY_MS, HOUR_MS, hourLabel, hourOfKey, layout, ModelName, parseHourLabel, type FeatureKind, type ModelMeta, type SummaryRow } from '../format';
import { DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
import { ProfileAccumulator } from './accumulator';
import { kindsOf, readModelMeta, updateModelMeta, writeModelMeta } from './model-store';
import type { ProgressFn } from './options';
import { runProfilePass } from './profile-pass';
import { readProfileState, sameKeys, writeProfileState, type ProfileState } from './profile-state';
import { localFileOf } from './local-file';
import { describeRawParquet, discoverNdjson, discoverParquet, hourGroupSql, modelFeatures, ndjsonMapRelation, ndjsonPass, ndjsonRelation, parquetPass, parquetRelation, sampleNdjson } from './raw-sources';
import { findDamagedRawBatch, parquetFooterRows, type RawBatchFile } from './profile-raw-rows';
import { rollUpDays } from './rollup';

export interface ProfileModelOptions {
  storage: Storage;
  model: string;
  onProgress?: ProgressFn;
}

export interface ProfileModelResult {
  /** Hours recomputed (their hourly profile replaced). */
  hours: number;
  /** Days whose rollup was rewritten. */
  days: number;
  hourStarts: number[];
  dayStarts: number[];
}

/**
 * A batch is profiled with one scan per raw format: at most this many hours (a week: its
 * summaries, up to ~40 KB per numeric feature-hour, are held until written) or raw bytes.
 */
const MAX_BATCH_HOURS = 168;
const MAX_BATCH_BYTES = 256 << 20;

/**
 * Raw predictions → hourly summaries and daily rollups, incrementally: an hour is recomputed,
 * from all of its raw batches, only when its set of raw batches changed since the last run
 * (profile-state.json); the days of recomputed hours are rolled up again.
 */
export async function profileModel(options: ProfileModelOptions): Promise<ProfileModelResult> {
  const { storage, onProgress } = options;
  const model = ModelName.parse(options.model);
  const state = await readProfileState(storage, model);
  const rawByHour = await listRaw(storage, model);
  const changed = [...rawByHour.keys()].filter((h) => !sameKeys(state.hours[hourLabel(h)], rawByHour.get(h)!.map(baseName))).sort((a, b) => a - b);
  const result: ProfileModelResult = { hours: 0, days: 0, hourStarts: [], dayStarts: [] };
  let meta = await readModelMeta(storage, model);
  const pendingDays = new Set(state.pending_days);
  const fresh = new Map<number, SummaryRow[]>();

  // An hour with a damaged raw batch is left out (and stays due); the others are profiled, then it is reported.
  const damaged: DamagedFileError[] = [];
  let start = 0;
  while (start < changed.length) {
    let batch: BatchResult;
    try {
      batch = await profileBatch(storage, model, meta, changed, start, rawByHour);
    } catch (error) {
      const hour = error instanceof DamagedFileError ? changed.indexOf(parseHourLabel(hourOfKey(error.key) ?? '') ?? NaN) : -1;
      if (hour < start) throw error;
      damaged.push(error as DamagedFileError);
      changed.splice(hour, 1);
      continue;
    }
    const { hours, summaries, meta: after } = batch;
    meta = after;
    const files = await writeSummaryParquetGroups(hours.map((h) => summaries.get(h)!));
    for (let i = 0; i < hours.length; i++) {
      await storage.write(layout.hourlyProfile(model, hours[i]), files[i]);
      state.hours[hourLabel(hours[i])] = rawByHour.get(hours[i])!.map(baseName);
      pendingDays.add(dayOf(hours[i]));
      fresh.set(hours[i], summaries.get(hours[i])!);
    }
    await saveState(storage, model, state, pendingDays);
    result.hours += hours.length;
    result.hourStarts.push(...hours);
    start += hours.length;
    onProgress?.({ stage: 'hours', done: start, total: changed.length });
    // Days before the next hour to profile are complete for this run: roll them up now.
    const next = start < changed.length ? dayOf(changed[start]) : Infinity;
    const due = [...pendingDays].filter((d) => d < next).sort((a, b) => a - b);
    if (due.length > 0 && meta) {
      await rollUpDays(storage, model, due, fresh, kindsOf(meta));
      for (const d of due) {
        pendingDays.delete(d);
        result.dayStarts.push(d);
      }
      for (const h of [...fresh.keys()]) if (dayOf(h) < next) fresh.delete(h);
      await saveState(storage, model, state, pendingDays);
      onProgress?.({ stage: 'days', done: result.dayStarts.length });
    }
  }
  if (pendingDays.size > 0 && meta) {
    const due = [...pendingDays].sort((a, b) => a - b);
    await rollUpDays(storage, model, due, fresh, kindsOf(meta));
    result.dayStarts.push(...due);
    await saveState(storage, model, state, new Set());
  }
  result.days = result.dayStarts.length;
  if (damaged.length > 0) throw damagedBatches(damaged, storage.url);
  return result;
}

/** One error for the damaged raw batches of a run: the first, naming the others. */
function damagedBatches(damaged: readonly DamagedFileError[], storeUrl: string): DamagedFileError {
  if (damaged.length === 1) return damaged[0];
  const others = damaged.slice(1).map((e) => e.key).join(', ');
  return new DamagedFileError(damaged[0].key, `${damaged[0].reason}; also damaged: ${others}; their hours were not profiled, the others were`, storeUrl);
}

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
/** State keeps batch file names only: the hour is the state's key, the prefix is the model's. */
const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

async function saveState(storage: Storage, model: string, state: ProfileState, pendingDays: Set<number>): Promise<void> {
  state.pending_days = [...pendingDays].sort((a, b) => a - b);
  await writeProfileState(storage, model, state);
}

/** Raw batch keys by prediction hour. */
async function listRaw(storage: Storage, model: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(model))) {
    if (!key.endsWith('.ndjson.gz') && !key.endsWith('.parquet')) continue;
    const hour = parseHourLabel(hourOfKey(key) ?? '');
    if (hour === undefined) continue;
    let list = out.get(hour);
    if (!list) out.set(hour, (list = []));
    list.push(key);
  }
  return out;
}

interface BatchResult {
  hours: number[];
  summaries: Map<number, SummaryRow[]>;
  meta: ModelMeta | undefined;
}

/**
 * The raw files of the next hours (up to the batch limits), in place for a local store, else
 * copied to a temporary directory as `hour=<label>/<n>.<ext>`, and profiled.
 */
async function profileBatch(storage: Storage, model: string, meta: ModelMeta | undefined, changed: readonly number[], start: number, rawByHour: Map<number, string[]>): Promise<BatchResult> {
  const space = new TempSpace('profile');
  try {
    const hours: number[] = [];
    const json: string[] = [];
    const parquet: RawBatchFile[] = [];
    let bytes = 0;
    for (let i = start; i < changed.length && hours.length < MAX_BATCH_HOURS && bytes < MAX_BATCH_BYTES; i++) {
      hours.push(changed[i]);
      for (const [j, key] of rawByHour.get(changed[i])!.entries()) {
        const isJson = key.endsWith('.ndjson.gz');
        let path: string;
        const local = await localFileOf(storage, key);
        if (local) {
          path = local.path;
          bytes += local.bytes;
        } else {
          const data = await storage.read(key);
          if (!data) continue;
          const sub = join(await space.dirFor(data.length), `hour=${hourLabel(changed[i])}`);
          await mkdir(sub, { recursive: true });
          path = join(sub, `${j}${isJson ? '.ndjson.gz' : '.parquet'}`);
          await writeFile(path, data);
          bytes += data.length;
        }
        if (isJson) json.push(path);
        else parquet.push({ path, key });
      }
    }
    return await withConnection((connection) => profileFiles(connection, storage, model, meta, hours, json, parquet));
  } finally {
    await space.close();
  }
}

/**
 * Profile one batch. New features (struct fields, map keys) are added to model.json first and
 * the batch is read again with them, so no hour is written without a feature its data has.
 */
async function profileFiles(connection: DuckDBConnection, storage: Storage, model: string, initial: ModelMeta | undefined, hours: number[], json: string[], parquet: RawBatchFile[]): Promise<BatchResult> {
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
  if (json.length > 0 && (meta.features.length === 0 || (await sampleNdjson(connection, json, meta)))) {
    const { found, score } = await discoverNdjson(connection, ndjsonMapRelation(json), meta);
    learn(found, score);
  }
  if (dirty && meta.features.length > 0) await writeModelMeta(storage, meta);
  const acc = new ProfileAccumulator(modelFeatures(meta));
  const group = hourGroupSql(hours.map(hourLabel));
  if (pq && pqColumns) {
    const pass = parquetPass(pq, group, meta, pqColumns);
    await namingDamage(connection, storage, parquet, async () => {
      const expected = await parquetFooterRows(connection, parquet);
      const read = await runProfilePass(connection, pass, acc);
      if (read !== expected) throw new Error(`profile read ${read} of the ${expected} rows of hours ${hours.map(hourLabel).join(', ')}`);
    });
  }
  if (json.length > 0) await runProfilePass(connection, ndjsonPass(ndjsonRelation(json, meta), group, meta), acc);
  const summaries = new Map<number, SummaryRow[]>();
  hours.forEach((hour, g) => summaries.set(hour, acc.summaries(g, { model, period_start: hour, period_end: hour + HOUR_MS, chunk: -1 })));
  return { hours, summaries, meta };
}

/** Run a read of raw Parquet batches; when it fails, a DamagedFileError naming the batch that is damaged, if one is. */
async function namingDamage<T>(connection: DuckDBConnection, storage: Storage, files: readonly RawBatchFile[], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw (await findDamagedRawBatch(connection, files, storage.url)) ?? error;
  }
}
