import { DAY_MS, HOUR_MS, hourOfKey, layout, parseHourLabel, type SummaryRow } from '../format';
import type { Storage } from '../storage/storage';
import { mergeSummaries } from '../summary';

/** Decodes profile files (Parquet) into summary rows, several at once; lib/duckdb provides the real one. */
export type SummaryDecoder = (files: readonly Uint8Array[]) => Promise<SummaryRow[][]>;

export interface WindowPlan {
  from: number;
  to: number;
  days: number[];
  hours: number[];
}

/**
 * Which stored summaries cover [from, to): whole UTC days inside the window come from daily
 * rollups (when one exists), the rest from hourly profiles. Bounds are widened to whole hours.
 */
export function planWindow(fromMs: number, toMs: number, dailyAvailable: ReadonlySet<number>, hourlyAvailable: ReadonlySet<number>): WindowPlan {
  const from = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(toMs / HOUR_MS) * HOUR_MS;
  const days: number[] = [];
  const hours: number[] = [];
  let t = from;
  while (t < to) {
    if (t % DAY_MS === 0 && t + DAY_MS <= to && dailyAvailable.has(t)) {
      days.push(t);
      t += DAY_MS;
    } else {
      if (hourlyAvailable.has(t)) hours.push(t);
      t += HOUR_MS;
    }
  }
  return { from, to, days, hours };
}

/** Start times of the hourly and daily profiles a model has. */
export async function availableProfiles(storage: Storage, model: string): Promise<{ hours: Set<number>; days: Set<number> }> {
  const [hourly, daily] = await Promise.all([storage.list(layout.hourlyProfilesPrefix(model)), storage.list(layout.dailyProfilesPrefix(model))]);
  const hours = new Set<number>();
  for (const key of hourly) {
    const label = hourOfKey(key);
    const ms = label === undefined ? undefined : parseHourLabel(label);
    if (ms !== undefined) hours.add(ms);
  }
  const days = new Set<number>();
  for (const key of daily) {
    const m = /day=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(key);
    if (m) days.add(Date.parse(`${m[1]}T00:00:00Z`));
  }
  return { hours, days };
}

export interface LoadedWindow {
  plan: WindowPlan;
  /** Feature → the merged summary of the window. */
  features: Map<string, SummaryRow>;
}

/** Decoded profile files by key, shared across the windows of one evaluation run. */
export type ProfileCache = Map<string, Promise<SummaryRow[]>>;

/** Merge every feature's stored summaries over [from, to) (never re-reading raw data). */
export async function loadWindow(storage: Storage, model: string, fromMs: number, toMs: number, decode: SummaryDecoder, cache?: ProfileCache): Promise<LoadedWindow> {
  const available = await availableProfiles(storage, model);
  const plan = planWindow(fromMs, toMs, available.days, available.hours);
  const keys = [...plan.days.map((d) => layout.dailyProfile(model, d)), ...plan.hours.map((h) => layout.hourlyProfile(model, h))];
  // Cached files are shared; the rest are read and decoded together, in one query.
  const missing = keys.filter((key) => !cache?.has(key));
  const decoded = (async () => {
    const bytes = await Promise.all(missing.map((key) => storage.read(key)));
    const present = bytes.map((b, i) => [missing[i], b] as const).filter((pair): pair is readonly [string, Uint8Array] => pair[1] !== undefined);
    const rows = await decode(present.map(([, b]) => b));
    return new Map(present.map(([key], i) => [key, rows[i]]));
  })();
  for (const key of missing) cache?.set(key, decoded.then((m) => m.get(key) ?? []));
  const fresh = await decoded;
  const files = await Promise.all(keys.map((key) => fresh.get(key) ?? cache?.get(key) ?? Promise.resolve([])));
  const byFeature = new Map<string, SummaryRow[]>();
  for (const rows of files) {
    for (const row of rows) byFeature.set(row.feature, [...(byFeature.get(row.feature) ?? []), row]);
  }
  const features = new Map<string, SummaryRow>();
  for (const [feature, rows] of byFeature) {
    features.set(feature, mergeSummaries({ model, feature, period_start: plan.from, period_end: plan.to }, rows));
  }
  return { plan, features };
}
