import { z } from 'zod';
import { AlertCheckpoints, AlertEvent, AlertStates, DeliveryStatus, Outbox } from '../alerts';
import { parseConfig } from '../compare';
import { profileIdentity } from '../compare/calibration';
import { evaluationParquet, readSummaryParquetMany } from '../duckdb';
import { CONFIG_KEY, DAY_MS, HOUR_MS, MANIFEST_KEY, ModelMeta, MODELS_PREFIX, ReferenceCalibration, ReferenceMeta, SIX_HOURS_MS, StoreManifest, WEEK_MS, checkFormatVersion, type SummaryRow } from '../format';
import { ProfileState } from '../profile';
import type { Storage } from '../storage';
import { damageReason } from '../storage/damaged-file';
import { decodeIds } from '../profile/id-index';
import { parseQuarantine, QuarantineFormatError } from '../profile/quarantine';
import { staleLocks } from './doctor-locks';

/** What a store file is, for the checks and the repairs (docs/operations.md). */
export type FileKind =
  | 'manifest'
  | 'config'
  | 'model'
  | 'reference-meta'
  | 'reference-profile'
  | 'calibration'
  | 'hourly'
  | 'rollup'
  | 'evaluations'
  | 'alerts'
  | 'alert-state'
  | 'alert-outbox'
  | 'alert-checkpoints'
  | 'profile-state'
  | 'evaluation-state'
  | 'id-index'
  | 'quarantine'
  | 'alert-delivery'
  | 'lock';

export interface StoreFile {
  key: string;
  kind: FileKind;
  model?: string;
  /** References: their name. */
  reference?: string;
  /** Profiles and day files: the period the key names (epoch ms), [startMs, endMs). */
  startMs?: number;
  endMs?: number;
  /** Day packs (format 2.0): the length of the periods its rows hold (an hour, 6 hours). */
  packMs?: number;
}

export interface Finding extends StoreFile {
  problem: string;
  /** `damaged`: unreadable; `stale`: readable but out of date (a calibration of another profile, a lock left by a gone run). */
  severity: 'damaged' | 'stale';
}

/** models/<m>/state/evaluation-state.json as docs/format.md describes it ("Evaluation state and late data"). */
export const EvaluationStateFile = z.object({
  last_window_end: z.number().int().nullable(),
  profile_versions: z.record(z.string(), z.string()).optional(),
  alerts_replay_from: z.number().int().nullable().optional(),
});
export type EvaluationStateFile = z.infer<typeof EvaluationStateFile>;

const dateMs = (label: string) => Date.parse(`${label}T00:00:00Z`);

/** Every file of the store that doctor checks, classified by its key; raw batches are read by `profile`, which checks them. */
export async function storeFiles(storage: Storage, onlyModel?: string): Promise<StoreFile[]> {
  const out: StoreFile[] = [];
  if (onlyModel === undefined) out.push({ key: MANIFEST_KEY, kind: 'manifest' }, { key: CONFIG_KEY, kind: 'config' });
  const prefix = onlyModel === undefined ? MODELS_PREFIX : `${MODELS_PREFIX}${onlyModel}/`;
  for (const key of await storage.list(prefix)) {
    const m = /^models\/([^/]+)\/(.+)$/.exec(key);
    if (!m) continue;
    const [, model, rest] = m;
    let r: RegExpExecArray | null;
    if (rest === 'model.json') out.push({ key, kind: 'model', model });
    else if ((r = /^references\/([^/]+)\/(reference\.json|profile\.parquet|calibration\.json)$/.exec(rest))) {
      const kind = r[2] === 'reference.json' ? 'reference-meta' : r[2] === 'profile.parquet' ? 'reference-profile' : 'calibration';
      out.push({ key, kind, model, reference: r[1] });
    } else if ((r = /^profiles\/(hourly|6-hourly)\/day=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(rest))) {
      // Day packs (format 2.0): the hours of a day, or its 6-hour blocks.
      out.push({ key, kind: r[1] === 'hourly' ? 'hourly' : 'rollup', model, startMs: dateMs(r[2]), endMs: dateMs(r[2]) + DAY_MS, packMs: r[1] === 'hourly' ? HOUR_MS : SIX_HOURS_MS });
    } else if ((r = /^profiles\/daily\/day=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(rest))) out.push({ key, kind: 'rollup', model, startMs: dateMs(r[1]), endMs: dateMs(r[1]) + DAY_MS });
    else if ((r = /^profiles\/weekly\/week=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(rest))) out.push({ key, kind: 'rollup', model, startMs: dateMs(r[1]), endMs: dateMs(r[1]) + WEEK_MS });
    else if ((r = /^evaluations\/day=(\d{4}-\d{2}-\d{2})\.(parquet|json)$/.exec(rest))) out.push({ key, kind: 'evaluations', model, startMs: dateMs(r[1]), endMs: dateMs(r[1]) + DAY_MS });
    else if ((r = /^alerts\/day=(\d{4}-\d{2}-\d{2})\.json$/.exec(rest))) out.push({ key, kind: 'alerts', model, startMs: dateMs(r[1]), endMs: dateMs(r[1]) + DAY_MS });
    else if (rest === 'state/profile-state.json') out.push({ key, kind: 'profile-state', model });
    else if (rest === 'state/evaluation-state.json') out.push({ key, kind: 'evaluation-state', model });
    else if (rest === 'state/alert-state.json') out.push({ key, kind: 'alert-state', model });
    else if (rest === 'state/alert-outbox.json') out.push({ key, kind: 'alert-outbox', model });
    else if (rest === 'state/alert-checkpoints.json') out.push({ key, kind: 'alert-checkpoints', model });
    else if (rest === 'state/alert-delivery.json') out.push({ key, kind: 'alert-delivery', model });
    else if (/^state\/locks\/(profile|evaluate)\/\d+\.json$/.test(rest)) out.push({ key, kind: 'lock', model });
    else if (/^quarantine\/[^/]+\.ndjson$/.test(rest)) out.push({ key, kind: 'quarantine', model });
    else if ((r = /^ids\/day=(\d{4}-\d{2}-\d{2})\/[^/]+\.ids\.gz$/.exec(rest))) out.push({ key, kind: 'id-index', model, startMs: dateMs(r[1]), endMs: dateMs(r[1]) + DAY_MS });
  }
  return out;
}

const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** Why a JSON or YAML file is damaged, or undefined when it reads as its kind. */
function checkSmall(file: StoreFile, bytes: Uint8Array, storeUrl: string): string | undefined {
  try {
    switch (file.kind) {
      case 'manifest':
        checkFormatVersion(StoreManifest.parse(json(bytes)).version);
        return undefined;
      case 'config':
        parseConfig(new TextDecoder().decode(bytes), `${storeUrl}/${CONFIG_KEY}`);
        return undefined;
      case 'model': {
        const meta = ModelMeta.parse(json(bytes));
        return meta.name === file.model ? undefined : `names model "${meta.name}", not "${file.model}"`;
      }
      case 'reference-meta': {
        const meta = ReferenceMeta.parse(json(bytes));
        return meta.model === file.model && meta.name === file.reference ? undefined : `describes ${meta.model}/${meta.name}, not ${file.model}/${file.reference}`;
      }
      case 'calibration':
        ReferenceCalibration.parse(json(bytes));
        return undefined;
      case 'evaluations': {
        const legacy = json(bytes) as { format?: unknown; rows?: unknown };
        return legacy.format === 'driftwatch-evaluations/1' && Array.isArray(legacy.rows) ? undefined : 'not a driftwatch-evaluations/1 file';
      }
      case 'alerts': {
        const day = json(bytes) as { events?: unknown };
        AlertEvent.array().parse(day.events);
        return undefined;
      }
      case 'alert-state':
        AlertStates.parse(json(bytes));
        return undefined;
      case 'alert-outbox':
        Outbox.parse(json(bytes));
        return undefined;
      case 'alert-checkpoints':
        AlertCheckpoints.parse(json(bytes));
        return undefined;
      case 'profile-state':
        ProfileState.parse(json(bytes));
        return undefined;
      case 'evaluation-state':
        EvaluationStateFile.parse(json(bytes));
        return undefined;
      case 'alert-delivery':
        DeliveryStatus.parse(json(bytes));
        return undefined;
      case 'quarantine':
        parseQuarantine(file.key, bytes);
        return undefined;
      case 'id-index':
        return decodeIds(bytes).every((id) => typeof id === 'string') ? undefined : 'a line is not a JSON string';
      default:
        return undefined;
    }
  } catch (error) {
    if (error instanceof QuarantineFormatError) return error.message.slice(file.key.length + 2);
    return file.kind === 'id-index' && !(error instanceof SyntaxError) ? `not a readable gzip file: ${damageReason(error)}` : damageReason(error);
  }
}

/** Rows of a profile file that do not belong in it: another model, or a period other than its key's. */
function summaryProblem(file: StoreFile, rows: readonly SummaryRow[]): string | undefined {
  for (const row of rows) {
    if (row.model !== file.model) return `row of feature "${row.feature}" is of model "${row.model}"`;
    if (file.kind === 'reference-profile') continue;
    const pack = file.packMs;
    // A day pack holds whole hours (or 6-hour blocks) of its day; any other file, exactly its key's period.
    const wrong = pack !== undefined ? row.period_end - row.period_start !== pack || row.period_start % pack !== 0 || row.period_start < (file.startMs as number) || row.period_end > (file.endMs as number) : row.period_start !== file.startMs || row.period_end !== file.endMs;
    if (row.chunk !== -1 || wrong) {
      return `row of feature "${row.feature}" covers ${new Date(row.period_start).toISOString()}–${new Date(row.period_end).toISOString()}, not the period of its key`;
    }
  }
  return undefined;
}

/** Decode profile files in batches; a batch that fails is retried past its bad file, which is reported. */
async function checkProfiles(files: readonly { file: StoreFile; bytes: Uint8Array }[], report: (file: StoreFile, problem: string | undefined) => void): Promise<void> {
  const pending = [...files];
  while (pending.length > 0) {
    try {
      const rows = await readSummaryParquetMany(pending.map((b) => b.bytes));
      pending.forEach((b, i) => report(b.file, summaryProblem(b.file, rows[i])));
      return;
    } catch (error) {
      const index = (error as { fileIndex?: unknown }).fileIndex;
      const reason = (error as { reason?: unknown }).reason;
      if (typeof index !== 'number' || typeof reason !== 'string') throw error;
      report(pending[index].file, reason);
      pending.splice(index, 1);
    }
  }
}

/**
 * Read and check every file: JSON and YAML against their schemas, the manifest's version,
 * Parquet profiles and evaluations by decoding them (rows checked against their key's period),
 * and the SHA-256 of the reference profile a calibration records. `onProgress` after each file.
 */
export async function checkStore(storage: Storage, files: readonly StoreFile[], onProgress?: (done: number, total: number) => void): Promise<Finding[]> {
  const findings: Finding[] = [];
  let done = 0;
  const tick = () => onProgress?.(++done, files.length);
  const report = (file: StoreFile, problem: string | undefined, severity: Finding['severity'] = 'damaged') => {
    if (problem !== undefined) findings.push({ ...file, problem, severity });
  };
  // Profiles are decoded 32 at a time as they are read: a long store holds gigabytes of them.
  let profiles: { file: StoreFile; bytes: Uint8Array }[] = [];
  const flushProfiles = async () => {
    await checkProfiles(profiles, (file, problem) => {
      report(file, problem);
      tick();
    });
    profiles = [];
  };
  const calibrations: { file: StoreFile; bytes: Uint8Array }[] = [];
  const locks: { file: StoreFile; bytes: Uint8Array }[] = [];
  const referenceProfiles = new Map<string, Uint8Array>();
  // Read 16 files at a time (an S3 store answers each read in tens of milliseconds), check them in order.
  const reads = new Map<number, Promise<Uint8Array | undefined>>();
  for (const [n, file] of files.entries()) {
    for (let m = n; m < Math.min(files.length, n + 16); m++) if (!reads.has(m)) reads.set(m, storage.read(files[m].key));
    const bytes = await reads.get(n);
    reads.delete(n);
    if (bytes === undefined) {
      if (file.kind === 'manifest') report(file, 'missing: this is not a driftwatch store (run `driftwatch init`)');
      tick();
      continue;
    }
    if (file.kind === 'hourly' || file.kind === 'rollup' || file.kind === 'reference-profile') {
      profiles.push({ file, bytes });
      if (file.kind === 'reference-profile') referenceProfiles.set(`${file.model}/${file.reference}`, bytes);
      if (profiles.length >= 32) await flushProfiles();
      continue;
    }
    if (file.kind === 'evaluations' && file.key.endsWith('.parquet')) {
      try {
        const rows = await evaluationParquet.decode(bytes);
        const outside = rows.find((r) => Date.parse(r.window_to) <= (file.startMs as number) || Date.parse(r.window_to) > (file.endMs as number));
        report(file, outside ? `row of ${outside.name} ends at ${outside.window_to}, outside the day of its key` : undefined);
      } catch (error) {
        report(file, typeof (error as { reason?: unknown }).reason === 'string' ? (error as { reason: string }).reason : damageReason(error));
      }
      tick();
      continue;
    }
    if (file.kind === 'lock') {
      locks.push({ file, bytes });
      tick();
      continue;
    }
    const problem = checkSmall(file, bytes, storage.url);
    report(file, problem);
    if (file.kind === 'calibration' && problem === undefined) calibrations.push({ file, bytes });
    tick();
  }
  await flushProfiles();
  for (const { file, problem } of staleLocks(locks)) report(file, problem, 'stale');
  const damagedKeys = new Set(findings.map((f) => f.key));
  for (const { file, bytes } of calibrations) {
    const profile = referenceProfiles.get(`${file.model}/${file.reference}`);
    const metaKey = file.key.replace(/calibration\.json$/, 'reference.json');
    if (!profile || damagedKeys.has(file.key.replace(/calibration\.json$/, 'profile.parquet')) || damagedKeys.has(metaKey)) continue;
    const metaBytes = await storage.read(metaKey);
    if (!metaBytes) continue;
    const recorded = ReferenceCalibration.parse(json(bytes)).profile;
    const actual = profileIdentity(profile, ReferenceMeta.parse(json(metaBytes)));
    if (recorded.sha256 !== actual.sha256 || recorded.rows !== actual.rows || recorded.chunks !== actual.chunks) {
      report(file, `computed from another profile.parquet (SHA-256 ${recorded.sha256.slice(0, 12)}…, the file's is ${actual.sha256.slice(0, 12)}…)`, 'stale');
    }
  }
  return findings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
