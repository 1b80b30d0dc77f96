import { z } from 'zod';
import { HOUR_MS, layout, parseDuration } from '../format';
import type { Storage } from '../storage/storage';
import type { FeatureComparison } from './compare-feature';
import { compareModel, ReferenceCache } from './compare-model';
import type { Config } from './config';
import { availableProfiles, type SummaryDecoder } from './load-window';
import { ProfileCache } from './profile-cache';

/** One stored evaluation: one feature, one reference, one window (the trend the dashboard plots). */
export interface EvaluationRow extends FeatureComparison {
  model: string;
  reference: string;
  window_from: string;
  window_to: string;
  window_hours: number;
}

/** The JSON evaluation files of format 1.0–1.1. */
const LEGACY_EVALUATIONS_FORMAT = 'driftwatch-evaluations/1';

/** How evaluation files are written and read: Parquet (lib/duckdb's `evaluationParquet`), JSON in tests. */
export interface EvaluationCodec {
  encode: (rows: readonly EvaluationRow[]) => Promise<Uint8Array>;
  decode: (bytes: Uint8Array) => Promise<EvaluationRow[]>;
}

const EvaluationState = z.object({ last_window_end: z.number().int().nullable() });

export interface EvaluateOptions {
  storage: Storage;
  model: string;
  config: Config;
  decode: SummaryDecoder;
  evaluations: EvaluationCodec;
  /** Evaluate windows ending up to this time (default: the end of the latest hour with data). */
  atMs?: number;
  /** Window length; default config.evaluation.window. */
  windowMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluateResult {
  /** Window ends evaluated in this run (epoch ms), in order. */
  windowEnds: number[];
  rows: EvaluationRow[];
}

/**
 * The scheduled step: for every hour end not yet evaluated, up to `at`, compare the window ending
 * there with each configured reference and store the rows, one file per day. Idempotent: a re-run
 * evaluates nothing new; missed hours are caught up.
 */
export async function evaluateModel(options: EvaluateOptions): Promise<EvaluateResult> {
  const { storage, model, config, decode } = options;
  const windowMs = options.windowMs ?? (parseDuration(config.evaluation.window) as number);
  const available = await availableProfiles(storage, model);
  if (available.hours.size === 0) return { windowEnds: [], rows: [] };
  const firstHour = Math.min(...available.hours);
  const latestEnd = Math.max(...available.hours) + HOUR_MS;
  const atMs = Math.floor((options.atMs ?? latestEnd) / HOUR_MS) * HOUR_MS;
  const state = await readState(storage, model);
  // Only whole windows: a window that starts before the first data holds a few hours of one part
  // of the day, and daily seasonality alone makes it differ from the reference.
  const start = state.last_window_end === null ? firstHour + windowMs : state.last_window_end + HOUR_MS;
  const windowEnds: number[] = [];
  for (let t = start; t <= atMs; t += HOUR_MS) windowEnds.push(t);

  const cache = new ReferenceCache();
  // Sliding windows share most files; the bound keeps memory flat over long catch-ups.
  const profiles = new ProfileCache({ maxBytes: 128 << 20 });
  const rows: EvaluationRow[] = [];
  for (const [i, end] of windowEnds.entries()) {
    for (const reference of config.evaluation.references) {
      const result = await compareModel({ storage, model, fromMs: end - windowMs, toMs: end, reference, config, decode, cache, profiles });
      for (const f of result.features) {
        rows.push({ ...f, model, reference, window_from: result.from, window_to: result.to, window_hours: windowMs / HOUR_MS });
      }
    }
    options.onProgress?.(i + 1, windowEnds.length);
  }
  await storeRows(storage, model, rows, options.evaluations);
  if (windowEnds.length > 0) {
    await storage.write(layout.evaluationState(model), JSON.stringify({ last_window_end: windowEnds[windowEnds.length - 1] }));
  }
  return { windowEnds, rows };
}

async function readState(storage: Storage, model: string): Promise<z.infer<typeof EvaluationState>> {
  const bytes = await storage.read(layout.evaluationState(model));
  return bytes === undefined ? { last_window_end: null } : EvaluationState.parse(JSON.parse(new TextDecoder().decode(bytes)));
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
