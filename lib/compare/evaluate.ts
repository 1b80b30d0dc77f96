import { z } from 'zod';
import { HOUR_MS, layout, parseDuration, type EvaluationRow } from '../format';
import type { Storage } from '../storage/storage';
import { compareModel, ReferenceCache } from './compare-model';
import type { Config } from './config';
import { affectedWindowEnds, changedHours, LATE_DATA_LOOKBACK_MS, lateDataReason, profileVersions, recordVersions } from './late-data';
import { availableProfiles, type SummaryDecoder } from './load-window';
import { ProfileCache } from './profile-cache';
import { futureSkewMs, windowAnchor } from './window';

/** The JSON evaluation files of format 1.0–1.1. */
const LEGACY_EVALUATIONS_FORMAT = 'driftwatch-evaluations/1';

/** How evaluation files are written and read: Parquet (lib/duckdb's `evaluationParquet`), JSON in tests. */
export interface EvaluationCodec {
  encode: (rows: readonly EvaluationRow[]) => Promise<Uint8Array>;
  decode: (bytes: Uint8Array) => Promise<EvaluationRow[]>;
}

/**
 * models/<model>/state/evaluation-state.json. `profile_versions` and `alerts_replay_from` came
 * with format 1.3: a state without them is read as it is, and gains them at the next run.
 */
const EvaluationState = z.object({
  last_window_end: z.number().int().nullable(),
  /** Hour label → version of its hourly profile when last read, for the late-data look-back. */
  profile_versions: z.record(z.string(), z.string()).optional(),
  /** Earliest re-evaluated window end whose alerts are still to be replayed (a crash between the two steps). */
  alerts_replay_from: z.number().int().nullable().optional(),
  /**
   * First window end of a run whose alert step has not finished yet: set with the state, cleared
   * after the alert step (alertsApplied). Still set at the next run means that run was killed in
   * between, and its windows' alerts are recomputed (a replay from there).
   */
  alerts_pending_from: z.number().int().nullable().optional(),
});
type EvaluationState = z.infer<typeof EvaluationState>;

export interface EvaluateOptions {
  storage: Storage;
  model: string;
  config: Config;
  decode: SummaryDecoder;
  evaluations: EvaluationCodec;
  /** Evaluate windows ending up to this time (default: the end of the latest plausible hour with data, see windowAnchor). */
  atMs?: number;
  /** The current time, for telling implausible future hours (tests). */
  nowMs?: number;
  /** Window length; default config.evaluation.window. */
  windowMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Reevaluation {
  /** Window ends evaluated before and again in this run (epoch ms), in order. */
  windowEnds: number[];
  windows: number;
  /** Hours whose profile changed after the windows containing them were evaluated. */
  hours: number[];
  /** e.g. "late data in 1 hour: 2026-11-09T10:00Z"; empty when nothing was re-evaluated. */
  reason: string;
}

/** Window ends left out because they lie beyond `evaluation.max_catch_up` before the last one evaluated. */
export interface CatchUpSkip {
  /** How many window ends were skipped. */
  windows: number;
  /** They all end before this instant (epoch ms): the first window end evaluated. */
  beforeMs: number;
  /** The limit, as configured (e.g. "30d"). */
  limit: string;
}

export interface EvaluateResult {
  /** Set when the run skipped window ends beyond the catch-up limit. */
  skipped?: CatchUpSkip;
  /** Profiled hours after now + ingest.max_future_skew, left out of the evaluation (see windowAnchor). */
  futureHours: number[];
  /** Window ends evaluated for the first time in this run (epoch ms), in order. */
  windowEnds: number[];
  /** Rows of every window evaluated in this run, new and re-evaluated. */
  rows: EvaluationRow[];
  reevaluated: Reevaluation;
  /**
   * Alerts must be replayed from this window end (runAlertStep's `replayFrom`, then
   * `alertsReplayed`): the earliest re-evaluated window of this or an interrupted earlier run.
   */
  alertsReplayFrom: number | null;
  /**
   * Set when an earlier run stored windows but was stopped before its alert step finished: replay
   * the alerts from here too (runAlertStep's `replayFrom`, then alertsApplied).
   */
  alertsPendingFrom: number | null;
}

/**
 * The scheduled step: for every hour end not yet evaluated, up to `at`, compare the window ending
 * there with each configured reference and store the rows, one file per day. Windows containing
 * an hour whose profile changed since it was read (late data, within LATE_DATA_LOOKBACK_MS) are
 * evaluated again and their rows replaced. Idempotent: a re-run evaluates nothing new.
 */
export async function evaluateModel(options: EvaluateOptions): Promise<EvaluateResult> {
  const { storage, model, config, decode } = options;
  const windowMs = options.windowMs ?? (parseDuration(config.evaluation.window) as number);
  const available = await availableProfiles(storage, model);
  const state = await readState(storage, model);
  const pendingReplay = state.alerts_replay_from ?? null;
  const alertsPendingFrom = state.alerts_pending_from ?? null;
  const nothing: Reevaluation = { windowEnds: [], windows: 0, hours: [], reason: '' };
  const anchor = windowAnchor(available, options.nowMs ?? Date.now(), futureSkewMs(config));
  const futureHours = anchor.futureHours;
  const future = new Set(futureHours);
  const hours = [...available.hours].filter((h) => !future.has(h)).sort((a, b) => a - b);
  if (hours.length === 0 || anchor.latestDataMs === undefined) return { windowEnds: [], rows: [], reevaluated: nothing, alertsReplayFrom: pendingReplay, alertsPendingFrom, futureHours };
  const firstHour = hours[0];
  const atMs = Math.floor((options.atMs ?? anchor.latestDataMs) / HOUR_MS) * HOUR_MS;
  // Only whole windows: a window that starts before the first data holds a few hours of one part
  // of the day, and daily seasonality alone makes it differ from the reference.
  const firstEnd = firstHour + windowMs;
  const lastEnd = state.last_window_end;
  let start = lastEnd === null ? firstEnd : lastEnd + HOUR_MS;
  const catchUpMs = parseDuration(config.evaluation.max_catch_up) as number;
  // A clock error (one event dated 2999) must not make a run walk millions of hours.
  const earliest = atMs - catchUpMs + HOUR_MS;
  let skipped: CatchUpSkip | undefined;
  if (start < earliest) {
    skipped = { windows: Math.round((earliest - start) / HOUR_MS), beforeMs: earliest, limit: config.evaluation.max_catch_up };
    start = earliest;
  }
  const windowEnds: number[] = [];
  for (let t = start; t <= atMs; t += HOUR_MS) windowEnds.push(t);
  const newLastEnd = windowEnds.length > 0 ? windowEnds[windowEnds.length - 1] : lastEnd;

  // Versions are read before any profile, so a profile rewritten meanwhile differs next time.
  const trackFrom = (lastEnd ?? newLastEnd ?? atMs) - LATE_DATA_LOOKBACK_MS;
  const versions = await profileVersions(storage, model, hours.filter((h) => h >= trackFrom));
  // A state of format ≤ 1.2 has no versions: this run records them, later runs compare.
  const late = lastEnd === null || state.profile_versions === undefined ? [] : changedHours(state.profile_versions, versions, trackFrom, lastEnd);
  const again = lastEnd === null ? [] : affectedWindowEnds(late, windowMs, firstEnd, lastEnd);

  const ends = [...again, ...windowEnds];
  const cache = new ReferenceCache();
  // Sliding windows share most files; the bound keeps memory flat over long catch-ups.
  const profiles = new ProfileCache({ maxBytes: 128 << 20 });
  const rows: EvaluationRow[] = [];
  for (const [i, end] of ends.entries()) {
    for (const reference of config.evaluation.references) {
      const result = await compareModel({ storage, model, fromMs: end - windowMs, toMs: end, reference, config, decode, cache, profiles });
      for (const f of result.features) {
        rows.push({ ...f, model, reference, window_from: result.from, window_to: result.to, window_hours: windowMs / HOUR_MS });
      }
    }
    options.onProgress?.(i + 1, ends.length);
  }
  await storeRows(storage, model, rows, options.evaluations);

  const alertsReplayFrom = again.length === 0 ? pendingReplay : Math.min(again[0], pendingReplay ?? Infinity);
  const next: EvaluationState = {
    last_window_end: newLastEnd,
    profile_versions: newLastEnd === null ? {} : recordVersions(versions, newLastEnd - LATE_DATA_LOOKBACK_MS),
    alerts_replay_from: alertsReplayFrom,
    alerts_pending_from: windowEnds.length === 0 ? alertsPendingFrom : Math.min(windowEnds[0], alertsPendingFrom ?? Infinity),
  };
  if (JSON.stringify(next) !== JSON.stringify(state)) await writeState(storage, model, next);
  return { windowEnds, rows, reevaluated: { windowEnds: again, windows: again.length, hours: late, reason: lateDataReason(late) }, alertsReplayFrom, alertsPendingFrom, futureHours, ...(skipped ? { skipped } : {}) };
}

/** After runAlertStep has replayed from `from`: clear the mark unless an earlier replay is still due. */
export async function alertsReplayed(storage: Storage, model: string, from: number): Promise<void> {
  const state = await readState(storage, model);
  const pending = state.alerts_replay_from ?? null;
  if (pending === null || pending < from) return;
  await writeState(storage, model, { ...state, alerts_replay_from: null });
}

/** After the alert step: the windows of this run (and any interrupted earlier one) have their alerts. */
export async function alertsApplied(storage: Storage, model: string): Promise<void> {
  const state = await readState(storage, model);
  if ((state.alerts_pending_from ?? null) !== null) await writeState(storage, model, { ...state, alerts_pending_from: null });
}

async function readState(storage: Storage, model: string): Promise<EvaluationState> {
  const key = layout.evaluationState(model);
  const bytes = await storage.read(key);
  if (bytes === undefined) return { last_window_end: null };
  const parsed = EvaluationState.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  if (!parsed.success) throw new Error(`${key} is not a valid evaluation state (${parsed.error.issues[0]?.message}); delete it to evaluate every hour again`);
  return parsed.data;
}

async function writeState(storage: Storage, model: string, state: EvaluationState): Promise<void> {
  await storage.write(layout.evaluationState(model), JSON.stringify(state));
}

/** Rows are grouped by the day of their window end; each day file is replaced whole. */
async function storeRows(storage: Storage, model: string, rows: EvaluationRow[], codec: EvaluationCodec): Promise<void> {
  const byDay = new Map<number, EvaluationRow[]>();
  for (const row of rows) {
    const end = Date.parse(row.window_to) - 1;
    const day = end - (end % (24 * HOUR_MS));
    byDay.set(day, [...(byDay.get(day) ?? []), row]);
  }
  for (const [day, dayRows] of byDay) {
    const existing = await readEvaluations(storage, model, day, codec);
    const replaced = new Set(dayRows.map((r) => `${r.reference}|${r.window_to}|${r.window_hours}`));
    const kept = existing.filter((r) => !replaced.has(`${r.reference}|${r.window_to}|${r.window_hours}`));
    await storage.write(layout.evaluations(model, day), await codec.encode([...kept, ...dayRows]));
    await storage.delete(layout.legacyEvaluations(model, day));
  }
}

export async function readEvaluations(storage: Storage, model: string, dayMs: number, codec: EvaluationCodec): Promise<EvaluationRow[]> {
  const bytes = await storage.read(layout.evaluations(model, dayMs));
  if (bytes !== undefined) return codec.decode(bytes);
  const legacy = await storage.read(layout.legacyEvaluations(model, dayMs));
  if (legacy === undefined) return [];
  const parsed = JSON.parse(new TextDecoder().decode(legacy)) as { format?: string; rows?: EvaluationRow[] };
  if (parsed.format !== LEGACY_EVALUATIONS_FORMAT) throw new Error(`${layout.legacyEvaluations(model, dayMs)} is not a ${LEGACY_EVALUATIONS_FORMAT} file`);
  return parsed.rows ?? [];
}
