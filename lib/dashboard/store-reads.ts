import 'server-only';
import { AlertEvent, AlertStates, type AlertState } from '../alerts';
import { readEvaluations } from '../compare';
import { evaluationParquet, readEvaluationsOfFeature } from '../duckdb';
import { DAY_MS, layout, ModelMeta, type EvaluationRow } from '../format';
import { listModels } from '../profile/model-store';
import { StorageError, StorageKeyError, type Storage } from '../storage';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import { ApiError } from './params';
import { isParseDamage, type VersionedFiles } from './versioned-file';

/** Models with a model.json, by name. */
export const listModelNames = listModels;

/** The model's description, or a 404 naming the models there are; parsed once per version with `files`. */
export async function requireModel(storage: Storage, model: string, files?: VersionedFiles): Promise<ModelMeta> {
  const key = layout.model(model);
  const parse = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : ModelMeta.parse(JSON.parse(new TextDecoder().decode(bytes))));
  const meta = files ? await files.get(storage, key, parse) : await parseOrDamaged(storage, key, parse);
  if (!meta) {
    const known = await listModelNames(storage);
    throw new ApiError(404, `no model "${model}" in this store${known.length ? ` (models: ${known.join(', ')})` : ''}`);
  }
  return meta;
}

/** Read and parse one small file; a parse failure is a DamagedFileError naming its key. */
async function parseOrDamaged<T>(storage: Storage, key: string, parse: (bytes: Uint8Array | undefined) => T): Promise<T> {
  const bytes = await storage.read(key);
  try {
    return parse(bytes);
  } catch (error) {
    throw isParseDamage(error) ? new DamagedFileError(key, damageReason(error), storage.url) : error;
  }
}

/** Any error of reading a file, except the store's own (I/O, bad key), as a DamagedFileError naming `key`. */
function damaged(error: unknown, key: string, storeUrl: string): unknown {
  if (error instanceof DamagedFileError || error instanceof StorageError || error instanceof StorageKeyError) return error;
  const reason = (error as { reason?: unknown }).reason;
  return new DamagedFileError(key, typeof reason === 'string' ? reason : damageReason(error), storeUrl);
}

/**
 * Damaged files a tolerant read skipped (the overview shows a model with what it can read, and
 * names the rest); without one, a damaged file fails the read.
 */
export type DamagedKeys = Set<string>;

/** 404 for a feature the model does not have. */
export function requireFeature(meta: ModelMeta, feature: string): ModelMeta['features'][number] {
  const found = meta.features.find((f) => f.name === feature);
  if (!found) throw new ApiError(404, `model "${meta.name}" has no feature "${feature}"`);
  return found;
}

/** Names of the model's references (test, train, …). */
export async function listReferences(storage: Storage, model: string): Promise<string[]> {
  const names = new Set<string>();
  for (const key of await storage.list(layout.referencesPrefix(model))) {
    const m = /\/references\/([^/]+)\/profile\.parquet$/.exec(key);
    if (m) names.add(m[1]);
  }
  // test first, then train, then the rest by name: the order of the legend everywhere.
  const rank = (n: string) => (n === 'test' ? 0 : n === 'train' ? 1 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Days (epoch ms) that have an evaluations file, ascending. */
async function evaluationDays(storage: Storage, model: string): Promise<number[]> {
  const days = new Set<number>();
  for (const key of await storage.list(layout.evaluationsPrefix(model))) {
    // .json: written by format 1.0–1.1, still read.
    const m = /day=(\d{4}-\d{2}-\d{2})\.(parquet|json)$/.exec(key);
    if (m) days.add(Date.parse(`${m[1]}T00:00:00Z`));
  }
  return [...days].sort((a, b) => a - b);
}

interface EvaluationFile {
  rows: EvaluationEntry[];
  byFeature: Map<string, EvaluationEntry[]>;
}

/**
 * Parsed evaluation files by key and version, indexed by feature: a day at 200 features is
 * ~5,000 rows of JSON, and a 30-day trend of one feature needs 720 of 150,000.
 */
const evaluationFiles = new Map<string, { version: string | undefined; file: Promise<EvaluationFile>; ready?: boolean }>();
const MAX_EVALUATION_FILES = 800;

async function indexEvaluations(rows: Promise<EvaluationRow[]>): Promise<EvaluationFile> {
  const file: EvaluationFile = { rows: [], byFeature: new Map() };
  for (const row of await rows) {
    const entry = { row, end: Date.parse(row.window_to) };
    file.rows.push(entry);
    let list = file.byFeature.get(row.name);
    if (!list) file.byFeature.set(row.name, (list = []));
    list.push(entry);
  }
  return file;
}

/** The version of a day's evaluations: of its Parquet file, else of the legacy JSON one ('legacy …'). */
async function evaluationsVersion(storage: Storage, model: string, day: number): Promise<string> {
  const current = await storage.version(layout.evaluations(model, day));
  return current !== undefined ? current : `legacy ${await storage.version(layout.legacyEvaluations(model, day))}`;
}

async function readEvaluationsCached(storage: Storage, model: string, day: number, known?: string): Promise<EvaluationFile> {
  const key = `${storage.url}|${layout.evaluations(model, day)}`;
  const version = known ?? (await evaluationsVersion(storage, model, day));
  const hit = evaluationFiles.get(key);
  if (hit && hit.version === version) {
    evaluationFiles.delete(key);
    evaluationFiles.set(key, hit);
    return hit.file;
  }
  const dayKey = version.startsWith('legacy ') ? layout.legacyEvaluations(model, day) : layout.evaluations(model, day);
  const file = indexEvaluations(
    readEvaluations(storage, model, day, evaluationParquet).catch((error: unknown) => {
      throw damaged(error, dayKey, storage.url);
    }),
  );
  const entry: { version: string; file: Promise<EvaluationFile>; ready?: boolean } = { version, file };
  evaluationFiles.delete(key);
  evaluationFiles.set(key, entry);
  file.then(() => (entry.ready = true), () => evaluationFiles.delete(key));
  while (evaluationFiles.size > MAX_EVALUATION_FILES) evaluationFiles.delete(evaluationFiles.keys().next().value as string);
  return file;
}

/**
 * Decode whole, one after the other, the days a feature read found undecoded (unless someone does
 * already): one at a time, so that requests meanwhile get the thread between chunks. Errors
 * surface on a later read.
 */
async function decodeWholeLater(storage: Storage, model: string, days: readonly { day: number; version: string }[]): Promise<void> {
  for (const { day, version } of days) {
    const hit = evaluationFiles.get(`${storage.url}|${layout.evaluations(model, day)}`);
    if (hit && hit.version === version) continue;
    await readEvaluationsCached(storage, model, day, version).catch(() => undefined);
  }
}

/** A stored evaluation row and its window end (epoch ms), parsed once per file. */
export interface EvaluationEntry {
  row: EvaluationRow;
  end: number;
}

/**
 * Stored evaluation rows whose window ends in [fromMs, toMs] (all when omitted), of one feature or
 * all, oldest file first. A damaged day fails the read, or with `skipped` is left out and named there.
 */
export async function readEvaluationEntries(storage: Storage, model: string, fromMs = -Infinity, toMs = Infinity, feature?: string, skipped?: DamagedKeys): Promise<EvaluationEntry[]> {
  // Day d holds the windows ending in (d, d + 1 day].
  const days = (await evaluationDays(storage, model)).filter((d) => d + DAY_MS >= fromMs && d < toMs);
  const tolerate = <T>(read: Promise<T>, empty: T): Promise<T> =>
    skipped === undefined
      ? read
      : read.catch((error: unknown) => {
          if (!(error instanceof DamagedFileError)) throw error;
          skipped.add(error.key);
          return empty;
        });
  const perDay =
    feature === undefined
      ? (await Promise.all(days.map((d) => tolerate(readEvaluationsCached(storage, model, d), { rows: [], byFeature: new Map() })))).map((f) => f.rows)
      : skipped === undefined
        ? await readFeatureEntries(storage, model, days, feature)
        : await Promise.all(days.map(async (d) => (await tolerate(readFeatureEntries(storage, model, [d], feature), [[]]))[0]));
  const out: EvaluationEntry[] = [];
  for (const entries of perDay) {
    for (const entry of entries) {
      if (entry.end >= fromMs && entry.end <= toMs) out.push(entry);
    }
  }
  return out;
}

/**
 * One feature's rows of each day, by file version: from the whole file when it is decoded already,
 * else decoded for this feature alone (~50 ms for 31 days, where the whole files take 1–2 s) and
 * kept; the whole files are then decoded in the background, for the trends of the other features.
 */
const featureEntries = new Map<string, { version: string; entries: Promise<EvaluationEntry[]> }>();
const MAX_FEATURE_ENTRIES = 20_000;

async function readFeatureEntries(storage: Storage, model: string, days: readonly number[], feature: string): Promise<EvaluationEntry[][]> {
  const versions = await Promise.all(days.map((d) => evaluationsVersion(storage, model, d)));
  const result: Promise<EvaluationEntry[]>[] = [];
  const missing: { day: number; key: string; version: string; index: number }[] = [];
  for (let i = 0; i < days.length; i++) {
    const fileKey = `${storage.url}|${layout.evaluations(model, days[i])}`;
    const whole = evaluationFiles.get(fileKey);
    const key = `${fileKey}|${feature}`;
    const hit = featureEntries.get(key);
    if (whole && whole.version === versions[i] && whole.ready) result.push(whole.file.then((f) => f.byFeature.get(feature) ?? []));
    else if (hit && hit.version === versions[i]) {
      featureEntries.delete(key);
      featureEntries.set(key, hit);
      result.push(hit.entries);
    } else if (versions[i].startsWith('legacy ')) result.push(readEvaluationsCached(storage, model, days[i], versions[i]).then((f) => f.byFeature.get(feature) ?? []));
    else {
      missing.push({ day: days[i], key, version: versions[i], index: i });
      result.push(Promise.resolve([]));
    }
  }
  if (missing.length > 0) {
    const decoded = (async () => {
      const bytes = await Promise.all(missing.map((m) => storage.read(layout.evaluations(model, m.day))));
      const present = missing.map((_, j) => j).filter((j) => bytes[j] !== undefined);
      const rows = await readEvaluationsOfFeature(present.map((j) => bytes[j] as Uint8Array), feature).catch((error: unknown) => {
        const index = (error as { fileIndex?: unknown }).fileIndex;
        throw typeof index === 'number' ? damaged(error, layout.evaluations(model, missing[present[index]].day), storage.url) : error;
      });
      const byMissing: EvaluationEntry[][] = missing.map(() => []);
      present.forEach((j, k) => (byMissing[j] = rows[k].map((row) => ({ row, end: Date.parse(row.window_to) }))));
      return byMissing;
    })();
    missing.forEach((m, j) => {
      const entries = decoded.then((all) => all[j]);
      featureEntries.set(m.key, { version: m.version, entries });
      entries.catch(() => featureEntries.delete(m.key));
      result[m.index] = entries;
    });
    while (featureEntries.size > MAX_FEATURE_ENTRIES) featureEntries.delete(featureEntries.keys().next().value as string);
    decoded.then(
      () => setTimeout(() => void decodeWholeLater(storage, model, missing), 0),
      () => undefined,
    );
  }
  return Promise.all(result);
}

/** `readEvaluationEntries` as rows. */
export async function readEvaluationRange(storage: Storage, model: string, fromMs = -Infinity, toMs = Infinity, feature?: string): Promise<EvaluationRow[]> {
  return (await readEvaluationEntries(storage, model, fromMs, toMs, feature)).map((e) => e.row);
}

/** Hysteresis state per alert (rule × feature × reference). */
export async function readAlertStates(storage: Storage, model: string, files?: VersionedFiles): Promise<AlertState[]> {
  const parse = (bytes: Uint8Array | undefined) => (bytes === undefined ? [] : Object.values(AlertStates.parse(JSON.parse(new TextDecoder().decode(bytes)))));
  return files ? files.get(storage, layout.alertState(model), parse) : parseOrDamaged(storage, layout.alertState(model), parse);
}

/** Every stored alert event of a model, newest first; a damaged day fails the read, or with `skipped` is left out and named there. */
export async function readAllAlertEvents(storage: Storage, model: string, files?: VersionedFiles, skipped?: DamagedKeys): Promise<AlertEvent[]> {
  const keys = (await storage.list(layout.alertsPrefix(model))).filter((k) => k.endsWith('.json'));
  const parse = (bytes: Uint8Array | undefined): AlertEvent[] => {
    if (!bytes) return [];
    const json = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SyntaxError('not an object with "events"');
    return AlertEvent.array().parse((json as { events?: unknown }).events ?? []);
  };
  const perDay = await Promise.all(
    keys.map(async (k) => {
      const read = files ? files.get(storage, k, parse) : parseOrDamaged(storage, k, parse);
      if (skipped === undefined) return read;
      return read.catch((error: unknown) => {
        if (!(error instanceof DamagedFileError)) throw error;
        skipped.add(error.key);
        return [];
      });
    }),
  );
  const events: AlertEvent[] = perDay.flat();
  return events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id.localeCompare(b.id)));
}
