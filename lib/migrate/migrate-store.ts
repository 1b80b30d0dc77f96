import { dayLabel, FORMAT_VERSION, hourLabel, hourToken, layout, MANIFEST_KEY, MODELS_PREFIX, type ProfileState } from '../format';
import type { Storage } from '../storage/storage';
import { convertEvaluationState, convertProfileState, readV1State, v1StateBackupKey } from './convert-states';
import { mergeIds, mergeNdjsonGz, mergeRawParquet, mergeSummaries, MigrateInputError, type Source } from './merge-files';
import { groupV1Keys, isV1HourKey, targetOf, v1Prefixes, type DayTarget, type PackKind } from './v1-keys';

export interface KindCount {
  hourFiles: number;
  hourBytes: number;
  dayFiles: number;
  dayBytes: number;
}

/** What migrating one model changes (or, dry run, would change). */
export interface ModelReport {
  model: string;
  /** Every file of the model, before and after. */
  filesBefore: number;
  filesAfter: number;
  kinds: Partial<Record<PackKind, KindCount>>;
  /** Days left out of the 2.0 profile state (not up to date in 1.x): the next `profile` recomputes them. */
  reprofileDays: string[];
  /** Keys under an hour directory that are no known 1.x file: left in place. */
  unknown: string[];
}

/** One model's 2.0 files written (or computed), its states ready to be written next. */
interface PackedModel {
  report: ModelReport;
  profileState: ProfileState;
  evaluationState: string | undefined;
  hourKeys: string[];
  written: Set<string>;
}

export interface MigrateOptions {
  /** Compute and report everything, write and delete nothing. */
  dryRun?: boolean;
  onProgress?: (model: string, done: number, total: number) => void;
  /** Tests only: stop as a crash would, before this step (nothing after it is done). */
  interruptBefore?: 'states' | 'manifest' | 'delete';
  /** Files merged at a time: S3 round trips dominate, DuckDB work is small per file. */
  concurrency?: number;
}

const KIND_ORDER: PackKind[] = ['raw-parquet', 'raw-ndjson', 'labels', 'ids', 'hourly', 'six-hourly'];

/**
 * Run `fn` over `items`, `concurrency` at a time. After a failure no new item starts, and the
 * error is thrown only once the running ones have finished: no write may land after we report.
 */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      try {
        await fn(items[next++]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
}

async function readSource(storage: Storage, key: string): Promise<Source> {
  const bytes = await storage.read(key);
  // Listed a moment ago: gone now means another process is changing the store under us.
  if (!bytes) throw new MigrateInputError(key, 'it was listed but can no longer be read; is another driftwatch running on this store?');
  return { key, bytes };
}

/** The day file of `target` and the bytes of its hour files. Raw Parquet hours are read one at a time: a batch's day can be large. */
async function merge(storage: Storage, target: DayTarget): Promise<{ bytes: Uint8Array; hourBytes: number; tokens?: string[] }> {
  if (target.kind === 'raw-parquet') return mergeRawParquet(target.sources, (key) => readSource(storage, key));
  const sources = await Promise.all(target.sources.map((key) => readSource(storage, key)));
  const hourBytes = sources.reduce((n, s) => n + s.bytes.byteLength, 0);
  switch (target.kind) {
    case 'raw-ndjson':
    case 'labels':
      return { ...mergeNdjsonGz(sources), hourBytes };
    case 'ids':
      return { ...mergeIds(sources), hourBytes };
    case 'hourly': {
      const packed = await mergeSummaries(sources);
      return { bytes: packed.bytes, hourBytes, tokens: packed.perSource.map((rows) => hourToken(rows)) };
    }
    case 'six-hourly':
      return { ...(await mergeSummaries(sources)), hourBytes };
  }
}

/**
 * Write the 2.0 day files of a model (each replacing its 1.x hour files, which stay) and compute
 * its 2.0 profile and evaluation states. Re-running it gives the same files: the hour files are
 * the only input, and they are deleted only after the manifest says 2.0.
 */
async function packModel(storage: Storage, model: string, options: MigrateOptions): Promise<PackedModel> {
  // Lock leases come and go with runs (this one holds some): not files of the model.
  const all = (await storage.list(`${MODELS_PREFIX}${model}/`)).filter((k) => !k.includes('/state/locks/'));
  const { targets, hourKeys, unknown } = groupV1Keys(model, all);
  targets.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.key < b.key ? -1 : 1));
  const kinds: Partial<Record<PackKind, KindCount>> = {};
  const tokens = new Map<string, string>();
  const written = new Set<string>();
  let done = 0;
  await pool(targets, options.concurrency ?? 8, async (target) => {
    const merged = await merge(storage, target);
    if (!options.dryRun) await storage.write(target.key, merged.bytes);
    written.add(target.key);
    merged.tokens?.forEach((token, i) => tokens.set(hourLabel(target.hours[i]), token));
    const count = (kinds[target.kind] ??= { hourFiles: 0, hourBytes: 0, dayFiles: 0, dayBytes: 0 });
    count.hourFiles += target.sources.length;
    count.hourBytes += merged.hourBytes;
    count.dayFiles += 1;
    count.dayBytes += merged.bytes.byteLength;
    options.onProgress?.(model, ++done, targets.length);
  });

  const rawByHour = new Map<string, string[]>();
  const batchesByDay = new Map<string, string[]>();
  for (const t of targets) {
    if (t.kind !== 'raw-parquet' && t.kind !== 'raw-ndjson') continue;
    const name = t.key.slice(t.key.lastIndexOf('/') + 1);
    batchesByDay.set(dayLabel(t.dayMs), [...(batchesByDay.get(dayLabel(t.dayMs)) ?? []), name]);
    for (const h of t.hours) rawByHour.set(hourLabel(h), [...(rawByHour.get(hourLabel(h)) ?? []), name]);
  }
  const v1 = await readV1State(storage, model);
  const { state, reprofile } = convertProfileState(v1.state, { rawByHour, batchesByDay, tokens });
  const kept = new Map<number, string>();
  for (const day of Object.values(state.days)) for (const [label, token] of Object.entries(day.hours)) kept.set(Date.parse(`${label}:00:00Z`), token);
  const evaluationState = await convertEvaluationState(storage, model, kept);
  const existing = new Set(all);
  const added = [...written].filter((k) => !existing.has(k)).length;
  return {
    report: { model, filesBefore: all.length, filesAfter: all.length - hourKeys.length + added - (existing.has(v1StateBackupKey(model)) ? 1 : 0), kinds, reprofileDays: reprofile, unknown },
    profileState: state,
    evaluationState,
    hourKeys,
    written,
  };
}

/**
 * Delete a model's 1.x hour keys and the kept 1.x state. A key is deleted only when its 2.0
 * file exists (known written, else checked), so a 1.x file written after the migration (an old
 * driftwatch still running somewhere) is kept and reported, never lost.
 */
export async function removeV1Keys(storage: Storage, model: string, written?: ReadonlySet<string>, concurrency = 16): Promise<{ removed: number; kept: string[] }> {
  const keys = (await Promise.all(v1Prefixes(model).map((p) => storage.list(p)))).flat().filter((k) => isV1HourKey(model, k));
  const present = new Map<string, Promise<boolean>>();
  const kept: string[] = [];
  let removed = 0;
  await pool(keys, concurrency, async (key) => {
    const target = targetOf(model, key)?.key;
    if (target === undefined) return;
    if (!present.has(target)) present.set(target, written?.has(target) ? Promise.resolve(true) : storage.exists(target));
    if (!(await present.get(target))) {
      kept.push(key);
      return;
    }
    await storage.delete(key);
    removed++;
  });
  await storage.delete(v1StateBackupKey(model));
  return { removed, kept: kept.sort() };
}

/** 1.x hour keys still in a model (after an interrupted migrate): none in a finished 2.0 store. */
export async function leftoverV1Keys(storage: Storage, model: string): Promise<string[]> {
  const keys = (await Promise.all(v1Prefixes(model).map((p) => storage.list(p)))).flat();
  return keys.filter((k) => isV1HourKey(model, k) && targetOf(model, k) !== undefined);
}

async function writeManifestVersion(storage: Storage): Promise<void> {
  const bytes = await storage.read(MANIFEST_KEY);
  const manifest = bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>) : {};
  await storage.write(MANIFEST_KEY, `${JSON.stringify({ ...manifest, version: FORMAT_VERSION }, null, 2)}\n`);
}

/**
 * Convert a 1.x store to 2.0 in four steps, each finished for every model before the next
 * begins: (1) write every 2.0 day file, (2) the 2.0 profile and evaluation states (the 1.x
 * profile state is kept aside first), (3) the manifest, (4) delete the 1.x hour files. A crash
 * before (3) leaves a 1.x store that a re-run converts again from the same hour files; after (3),
 * a re-run only finishes (4). A damaged input stops at (1), with nothing deleted.
 */
export async function migrateStore(storage: Storage, models: readonly string[], options: MigrateOptions = {}): Promise<ModelReport[]> {
  const packed: PackedModel[] = [];
  for (const model of models) packed.push(await packModel(storage, model, options));
  if (options.dryRun || options.interruptBefore === 'states') return packed.map((p) => p.report);
  for (const p of packed) {
    const stateKey = layout.profileState(p.report.model);
    const v1 = await storage.read(stateKey);
    // Keep the 1.x state before replacing it: a re-run after a crash from here on needs it.
    if (v1 && (JSON.parse(new TextDecoder().decode(v1)) as { version?: unknown }).version === 1) await storage.write(v1StateBackupKey(p.report.model), v1);
    await storage.write(stateKey, JSON.stringify(p.profileState));
    if (p.evaluationState !== undefined) await storage.write(layout.evaluationState(p.report.model), p.evaluationState);
  }
  if (options.interruptBefore === 'manifest') return packed.map((p) => p.report);
  await writeManifestVersion(storage);
  if (options.interruptBefore === 'delete') return packed.map((p) => p.report);
  for (const p of packed) {
    const { kept } = await removeV1Keys(storage, p.report.model, p.written, options.concurrency);
    p.report.unknown.push(...kept.map((k) => `${k} (kept: its 2.0 file is missing)`));
  }
  return packed.map((p) => p.report);
}
