import { DAY_MS, HOUR_MS, layout, parseProfileState, profiledHours, ProfileStateError, SIX_HOURS_MS, WEEK_MS, weekStart, type SummaryRow } from '../format';
import { DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
import { mergeSummaries } from '../summary';
import { ProfileCache, type SummaryDecoder } from './profile-cache';

export type { SummaryDecoder } from './profile-cache';

export interface WindowPlan {
  from: number;
  to: number;
  weeks: number[];
  days: number[];
  blocks: number[];
  hours: number[];
}

/** Start times of the profiles a model has, per rollup level. */
export interface AvailableProfiles {
  weeks: ReadonlySet<number>;
  days: ReadonlySet<number>;
  /** 6-hour blocks. */
  blocks: ReadonlySet<number>;
  hours: ReadonlySet<number>;
}

const LEVELS = [
  { name: 'weeks', ms: WEEK_MS, aligned: (t: number) => weekStart(t) === t },
  { name: 'days', ms: DAY_MS, aligned: (t: number) => t % DAY_MS === 0 },
  { name: 'blocks', ms: SIX_HOURS_MS, aligned: (t: number) => t % SIX_HOURS_MS === 0 },
] as const;

/**
 * Which stored summaries cover [from, to) with the fewest files: from the start, the longest
 * rollup (week, day, 6 hours) that begins there, fits in the window and exists; else the hour.
 * A 30-day window then merges ~15 summaries instead of ~53 (days and hours only) or 720.
 * Bounds are widened to whole hours.
 */
export function planWindow(fromMs: number, toMs: number, available: AvailableProfiles): WindowPlan {
  const from = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(toMs / HOUR_MS) * HOUR_MS;
  const plan: WindowPlan = { from, to, weeks: [], days: [], blocks: [], hours: [] };
  let t = from;
  while (t < to) {
    const level = LEVELS.find((l) => l.aligned(t) && t + l.ms <= to && available[l.name].has(t));
    if (level) {
      plan[level.name].push(t);
      t += level.ms;
    } else {
      if (available.hours.has(t)) plan.hours.push(t);
      t += HOUR_MS;
    }
  }
  return plan;
}

/** The storage keys of a plan's summaries (a day pack once, however many of its hours or blocks the plan takes). */
export function planKeys(model: string, plan: WindowPlan): string[] {
  return [...new Set(planFiles(model, plan).map((f) => f.key))];
}

/**
 * The plan's periods, oldest first, each with the file that holds it: weeks and days have a file
 * each; hours and 6-hour blocks are rows of their day's pack (format 2.0), so several periods
 * name the same key and are told apart by `startMs`.
 */
export function planFiles(model: string, plan: WindowPlan): { key: string; startMs: number; endMs: number; packed: boolean }[] {
  return [
    ...plan.weeks.map((t) => ({ key: layout.weeklyProfile(model, t), startMs: t, endMs: t + WEEK_MS, packed: false })),
    ...plan.days.map((t) => ({ key: layout.dailyProfile(model, t), startMs: t, endMs: t + DAY_MS, packed: false })),
    ...plan.blocks.map((t) => ({ key: layout.sixHourProfile(model, t), startMs: t, endMs: t + SIX_HOURS_MS, packed: true })),
    ...plan.hours.map((t) => ({ key: layout.hourlyProfile(model, t), startMs: t, endMs: t + HOUR_MS, packed: true })),
  ].sort((a, b) => a.startMs - b.startMs);
}

/**
 * Start times of the hourly profiles and rollups a model has. Hours come from the profile state
 * (its index of profiled hours: one read, not one listing entry per hour); a 6-hour block is
 * there when its day has a block pack and an hour in the block; days and weeks are listed.
 */
export async function availableProfiles(storage: Storage, model: string): Promise<AvailableProfiles & { hours: Set<number> }> {
  const stateKey = layout.profileState(model);
  const [stateBytes, blockPacks, daily, weekly] = await Promise.all([
    storage.read(stateKey),
    storage.list(layout.sixHourProfilesPrefix(model)),
    storage.list(layout.dailyProfilesPrefix(model)),
    storage.list(layout.weeklyProfilesPrefix(model)),
  ]);
  let state;
  try {
    state = parseProfileState(stateBytes, stateKey);
  } catch (error) {
    // The state is the index of the model's hours: a damaged one is a damaged file (a 503 naming it), not a 500.
    if (error instanceof ProfileStateError) throw new DamagedFileError(stateKey, error.message.replace(`${stateKey} is `, ''), storage.url);
    throw error;
  }
  const hours = new Set(profiledHours(state).keys());
  // Days whose rollups are still due (profile saves the hours first, then rolls up): their day and
  // block files, and their week's, may be older than their hours, so windows read the hours.
  const pending = new Set(state.pending_days);
  const pendingWeeks = new Set([...pending].map((d) => weekStart(d)));
  const byDate = (keys: string[], field: 'day' | 'week'): Set<number> => {
    const out = new Set<number>();
    const pattern = new RegExp(`${field}=(\\d{4}-\\d{2}-\\d{2})\\.parquet$`);
    for (const key of keys) {
      const m = pattern.exec(key);
      if (m) out.add(Date.parse(`${m[1]}T00:00:00Z`));
    }
    return out;
  };
  const blockDays = byDate(blockPacks, 'day');
  const blocks = new Set<number>();
  for (const h of hours) {
    const day = Math.floor(h / DAY_MS) * DAY_MS;
    if (blockDays.has(day) && !pending.has(day)) blocks.add(Math.floor(h / SIX_HOURS_MS) * SIX_HOURS_MS);
  }
  const days = new Set([...byDate(daily, 'day')].filter((d) => !pending.has(d)));
  const weeks = new Set([...byDate(weekly, 'week')].filter((w) => !pendingWeeks.has(w)));
  return { hours, blocks, days, weeks };
}

/** One stored summary file of a window: its period and the model's rows in it (the most of any feature). */
export interface WindowPart {
  startMs: number;
  endMs: number;
  rows: number;
}

export interface LoadedWindow {
  plan: WindowPlan;
  /** Feature → the merged summary of the window. */
  features: Map<string, SummaryRow>;
  /** The files merged, oldest first: data coverage at the resolution the window was planned at. */
  parts: WindowPart[];
  /** With `keepParts`: feature → its summary in each part that has it (each row carries its period). */
  featureParts?: Map<string, SummaryRow[]>;
}

/**
 * Merge every feature's stored summaries over [from, to) (never re-reading raw data); `only`
 * limits the merge to some features, `available` reuses a listing across many windows.
 */
export async function loadWindow(
  storage: Storage,
  model: string,
  fromMs: number,
  toMs: number,
  decode: SummaryDecoder,
  cache?: ProfileCache,
  options: { only?: ReadonlySet<string>; available?: AvailableProfiles; keepParts?: boolean } = {},
): Promise<LoadedWindow> {
  const plan = planWindow(fromMs, toMs, options.available ?? (await availableProfiles(storage, model)));
  const planned = planFiles(model, plan);
  const keys = [...new Set(planned.map((f) => f.key))];
  const loaded = await (cache ?? new ProfileCache()).load(storage, keys, decode);
  const byKey = new Map(keys.map((k, i) => [k, loaded[i]]));
  const byFeature = new Map<string, SummaryRow[]>();
  const parts: WindowPart[] = [];
  for (const file of planned) {
    let most = 0;
    const all = byKey.get(file.key) ?? [];
    // A pack holds every hour (or block) of its day: take the rows of this period.
    const rows = file.packed ? all.filter((r) => r.period_start === file.startMs && r.period_end === file.endMs) : all;
    for (const row of rows) {
      if (row.rows > most) most = row.rows;
      if (options.only && !options.only.has(row.feature)) continue;
      let list = byFeature.get(row.feature);
      if (!list) byFeature.set(row.feature, (list = []));
      list.push(row);
    }
    parts.push({ startMs: file.startMs, endMs: file.endMs, rows: most });
  }
  const features = new Map<string, SummaryRow>();
  for (const [feature, rows] of byFeature) {
    features.set(feature, mergeSummaries({ model, feature, period_start: plan.from, period_end: plan.to }, rows));
  }
  return { plan, features, parts, ...(options.keepParts ? { featureParts: byFeature } : {}) };
}
