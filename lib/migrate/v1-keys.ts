import { layout } from '../format';

/**
 * Format 1.x kept one file per prediction hour; 2.0 packs each UTC day into one file (per raw
 * batch for raw data and ids). A `DayTarget` is one 2.0 key and the 1.x hour keys it replaces.
 */
export type PackKind = 'raw-parquet' | 'raw-ndjson' | 'labels' | 'ids' | 'hourly' | 'six-hourly';

export interface DayTarget {
  kind: PackKind;
  /** The 2.0 key written. */
  key: string;
  /** The 1.x keys merged into it, in hour order. */
  sources: string[];
  /** Start (epoch ms) of the hour of each source, same order. */
  hours: number[];
  /** Start (epoch ms) of the UTC day. */
  dayMs: number;
  /** The raw batch name (file name without the hour), for raw data, labels and ids. */
  batch?: string;
}

const HOUR_DIR = /\/hour=(\d{4}-\d{2}-\d{2}T\d{2})\/([^/]+)$/;
const HOUR_FILE = /\/day=\d{4}-\d{2}-\d{2}\/hour=(\d{4}-\d{2}-\d{2}T\d{2})\.parquet$/;

const hourMs = (label: string): number => Date.parse(`${label}:00:00Z`);
const dayStart = (ms: number): number => ms - (ms % 86_400_000);

/** The prefixes of a model under which format 1.x kept hour files. */
export function v1Prefixes(model: string): string[] {
  return [layout.rawPredictionsPrefix(model), layout.rawLabelsPrefix(model), layout.idsPrefix(model), layout.hourlyProfilesPrefix(model), layout.sixHourProfilesPrefix(model)];
}

/** A 1.x hour key (a raw batch, label batch, id list or hourly / 6-hourly profile): 2.0 never writes `hour=`. */
export function isV1HourKey(model: string, key: string): boolean {
  return v1Prefixes(model).some((p) => key.startsWith(p)) && (HOUR_DIR.test(key) || HOUR_FILE.test(key));
}

/**
 * Where one 1.x hour key goes in 2.0, or undefined for a key that is not a 1.x hour key. Keys
 * come from the layout functions, so names stay validated the same way as everywhere else.
 */
export function targetOf(model: string, key: string): Omit<DayTarget, 'sources' | 'hours'> & { hour: number } | undefined {
  const file = HOUR_FILE.exec(key);
  if (file) {
    const hour = hourMs(file[1]);
    if (!Number.isFinite(hour)) return undefined;
    if (key.startsWith(layout.hourlyProfilesPrefix(model))) return { kind: 'hourly', key: layout.hourlyProfile(model, hour), dayMs: dayStart(hour), hour };
    if (key.startsWith(layout.sixHourProfilesPrefix(model))) return { kind: 'six-hourly', key: layout.sixHourProfile(model, hour), dayMs: dayStart(hour), hour };
    return undefined;
  }
  const dir = HOUR_DIR.exec(key);
  if (!dir) return undefined;
  const hour = hourMs(dir[1]);
  if (!Number.isFinite(hour)) return undefined;
  const name = dir[2];
  const base = { dayMs: dayStart(hour), hour };
  if (key.startsWith(layout.rawPredictionsPrefix(model))) {
    if (name.endsWith('.parquet')) return { ...base, kind: 'raw-parquet', batch: name.slice(0, -'.parquet'.length), key: layout.rawPredictions(model, hour, name.slice(0, -'.parquet'.length), 'parquet') };
    if (name.endsWith('.ndjson.gz')) return { ...base, kind: 'raw-ndjson', batch: name.slice(0, -'.ndjson.gz'.length), key: layout.rawPredictions(model, hour, name.slice(0, -'.ndjson.gz'.length), 'ndjson.gz') };
    return undefined;
  }
  if (key.startsWith(layout.rawLabelsPrefix(model)) && name.endsWith('.ndjson.gz')) {
    const batch = name.slice(0, -'.ndjson.gz'.length);
    return { ...base, kind: 'labels', batch, key: layout.rawLabels(model, hour, batch).replace(/\.parquet$/, '.ndjson.gz') };
  }
  if (key.startsWith(layout.idsPrefix(model)) && name.endsWith('.ids.gz')) {
    const batch = name.slice(0, -'.ids.gz'.length);
    return { ...base, kind: 'ids', batch, key: layout.ids(model, hour, batch) };
  }
  return undefined;
}

export interface V1Listing {
  /** 2.0 keys to write, with their 1.x sources. */
  targets: DayTarget[];
  /** Every 1.x hour key found (all of them are removed once the 2.0 keys are written). */
  hourKeys: string[];
  /** 1.x-looking keys that map to nothing (an unknown file type): left alone, reported. */
  unknown: string[];
}

/** Group a model's 1.x hour keys by the 2.0 key each goes into. */
export function groupV1Keys(model: string, keys: readonly string[]): V1Listing {
  const byTarget = new Map<string, DayTarget>();
  const hourKeys: string[] = [];
  const unknown: string[] = [];
  for (const key of keys) {
    if (!isV1HourKey(model, key)) continue;
    const t = targetOf(model, key);
    if (!t) {
      unknown.push(key);
      continue;
    }
    hourKeys.push(key);
    const { hour, ...rest } = t;
    const target = byTarget.get(t.key) ?? { ...rest, sources: [], hours: [] };
    target.sources.push(key);
    target.hours.push(hour);
    byTarget.set(t.key, target);
  }
  for (const t of byTarget.values()) {
    const order = t.hours.map((_, i) => i).sort((a, b) => t.hours[a] - t.hours[b]);
    t.sources = order.map((i) => t.sources[i]);
    t.hours = order.map((i) => t.hours[i]);
  }
  return { targets: [...byTarget.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), hourKeys, unknown };
}
