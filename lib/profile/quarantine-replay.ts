import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '../duckdb';
import { layout } from '../format';
import type { QuarantineEntry } from '../format/quarantine';
import type { Storage } from '../storage/storage';
import { ingest } from './ingest';
import { validateLine } from '../collector/validate';
import { listModels, readModelMeta } from './model-store';
import type { IngestResult } from './options';
import { parseQuarantine, quarantinedBytes, readQuarantine, rewriteQuarantine } from './quarantine';
import { timeLimits, type TimeLimitSettings } from './time-limits';

export interface ReplayOptions {
  storage: Storage;
  model: string;
  /** The quarantine object to replay. */
  key: string;
  timeLimits?: TimeLimitSettings;
  /** Config `ingest.dedupe_window` (default 7d). */
  dedupeWindow?: string;
  nowMs?: number;
}

export interface ReplayResult {
  key: string;
  /** Entries whose original bytes were kept, and were ingested again. */
  replayed: number;
  /** … of which these landed (accepted) and were removed from the quarantine. */
  landed: number;
  /** … and these were rejected again (kept, with the new reason). */
  rejected: number;
  /** Entries over the cap (only a summary kept): they cannot be replayed and stay. */
  unrecoverable: number;
  /** Table entries that are CSV lines DuckDB could not split (not rows): they stay until fixed at the source. */
  unsplit: number;
  /** The ingest of the replayed lines, when there were any. */
  ingest?: IngestResult;
}

/**
 * Ingest the kept lines of a quarantine object again (after a fix: a wider time limit, a model
 * renamed in the config, …) through the same path as the original file; the ones that land leave
 * the quarantine, the rest stay with their new reason. Replaying twice changes nothing more.
 */
export async function replayQuarantine(options: ReplayOptions): Promise<ReplayResult> {
  const { storage, model, key } = options;
  const file = await readQuarantine(storage, key);
  if (!file) throw new Error(`no quarantine object ${key}`);
  const kind = file.header?.kind ?? 'events';
  const replayable: QuarantineEntry[] = [];
  const kept: QuarantineEntry[] = [];
  let unsplit = 0;
  for (const entry of file.entries) {
    const bytes = quarantinedBytes(entry);
    const csvLine = bytes !== undefined && kind === 'table' && !isJsonObject(bytes);
    if (csvLine) unsplit++;
    (bytes && !csvLine ? replayable : kept).push(entry);
  }
  const result: ReplayResult = { key, replayed: replayable.length, landed: 0, rejected: 0, unrecoverable: kept.length - unsplit, unsplit };
  if (replayable.length === 0) return result;

  const meta = await readModelMeta(storage, model);
  const again = await withTempDir('quarantine-replay', async (dir) => {
    // Line i of the replay file is entry i: the replay's own rejections map back by line number.
    const path = join(dir, kind === 'events' ? 'replay.ndjson' : 'replay-table.ndjson');
    await writeFile(path, Buffer.concat(replayable.flatMap((e) => [quarantinedBytes(e)!, Buffer.from('\n')])));
    const columns = kind === 'table' && meta ? { idCol: meta.columns.id ?? undefined, timestampCol: meta.columns.timestamp ?? undefined, scoreCol: meta.columns.score ?? undefined, labelCol: meta.columns.label ?? undefined } : {};
    return ingest({ storage, model, file: path, sourceName: `replay of ${key}`, timeLimits: options.timeLimits, dedupeWindow: options.dedupeWindow, nowMs: options.nowMs, ...columns });
  });
  result.ingest = again;
  const stillRejected = new Map<number, string>();
  for (const k of again.quarantineKeys) {
    const bytes = await storage.read(k);
    if (bytes) for (const e of parseQuarantine(k, bytes).entries) stillRejected.set(e.line, e.reason);
    if (k !== key) await storage.delete(k);
  }
  replayable.forEach((entry, i) => {
    const reason = stillRejected.get(i + 1);
    if (reason === undefined) return;
    kept.push({ ...entry, reason });
  });
  result.rejected = [...stillRejected.keys()].filter((l) => l >= 1 && l <= replayable.length).length;
  result.landed = replayable.length - result.rejected;
  kept.sort((a, b) => a.line - b.line);
  await rewriteQuarantine(storage, { ...file, entries: kept });
  return result;
}

/** Table rows are kept as JSON objects of their columns; a CSV line DuckDB rejected is kept as it was. */
function isJsonObject(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Quarantine objects of a model, oldest name first. */
export async function listQuarantine(storage: Storage, model: string): Promise<string[]> {
  return (await storage.list(layout.quarantinePrefix(model))).filter((k) => k.endsWith('.ndjson'));
}

/** The collector's store-level quarantine (events of unknown or unparseable models), oldest day first. */
export async function listCollectorQuarantine(storage: Storage): Promise<string[]> {
  return (await storage.list(layout.collectorQuarantinePrefix())).filter((k) => k.endsWith('.ndjson')).sort();
}

export interface CollectorReplayOptions {
  storage: Storage;
  /** A `collector/quarantine/day=…/….ndjson` object. */
  key: string;
  timeLimits?: TimeLimitSettings;
  dedupeWindow?: string;
  nowMs?: number;
}

export interface CollectorReplayResult {
  key: string;
  /** Entries whose original bytes were kept and were judged again. */
  replayed: number;
  /** … of which these landed in their model's raw area and left the quarantine, by model. */
  landed: Record<string, number>;
  /** … and these were rejected again (kept, with the new reason). */
  rejected: number;
  /** Entries over the cap (only a summary kept): they cannot be replayed and stay. */
  unrecoverable: number;
}

/**
 * Judge the kept events of a collector quarantine object again (after the model they name was
 * created): each event whose model now exists is ingested into that model (the same path as
 * `quarantine replay`: its raw area, ids, dedupe); what is still rejected stays in the file, with its
 * new reason. Replaying twice changes nothing more.
 */
export async function replayCollectorQuarantine(options: CollectorReplayOptions): Promise<CollectorReplayResult> {
  const { storage, key } = options;
  const file = await readQuarantine(storage, key);
  if (!file) throw new Error(`no quarantine object ${key}`);
  const known = new Set(await listModels(storage));
  const limits = timeLimits(options.timeLimits, options.nowMs ?? Date.now());
  const kept: QuarantineEntry[] = [];
  const byModel = new Map<string, { entry: QuarantineEntry; bytes: Buffer }[]>();
  let replayed = 0;
  for (const entry of file.entries) {
    const bytes = quarantinedBytes(entry);
    if (!bytes) {
      kept.push(entry);
      continue;
    }
    replayed++;
    const v = validateLine(bytes, known, { limits });
    const model = v.model;
    if (model === undefined) {
      kept.push({ ...entry, reason: v.ok ? entry.reason : `${v.reason}: ${v.detail}` });
      continue;
    }
    const group = byModel.get(model) ?? [];
    group.push({ entry, bytes });
    byModel.set(model, group);
  }
  const result: CollectorReplayResult = { key, replayed, landed: {}, rejected: 0, unrecoverable: file.entries.length - replayed };
  for (const [model, group] of byModel) {
    const again = await withTempDir('collector-quarantine-replay', async (dir) => {
      const path = join(dir, 'replay.ndjson');
      await writeFile(path, Buffer.concat(group.flatMap((g) => [g.bytes, Buffer.from('\n')])));
      return ingest({ storage, model, file: path, sourceName: `replay of ${key}`, timeLimits: options.timeLimits, dedupeWindow: options.dedupeWindow, nowMs: options.nowMs });
    });
    const stillRejected = new Map<number, string>();
    for (const k of again.quarantineKeys) {
      const bytes = await storage.read(k);
      if (bytes) for (const e of parseQuarantine(k, bytes).entries) stillRejected.set(e.line, e.reason);
      await storage.delete(k);
    }
    group.forEach((g, i) => {
      const reason = stillRejected.get(i + 1);
      if (reason !== undefined) kept.push({ ...g.entry, reason });
    });
    const landed = group.length - [...stillRejected.keys()].filter((l) => l >= 1 && l <= group.length).length;
    if (landed > 0) result.landed[model] = landed;
  }
  result.rejected = kept.length - result.unrecoverable;
  kept.sort((a, b) => a.line - b.line);
  await rewriteQuarantine(storage, { ...file, entries: kept });
  return result;
}
