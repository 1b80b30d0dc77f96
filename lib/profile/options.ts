import type { Storage } from '../storage/storage';
import type { TimeLimitSettings } from './time-limits';
/** Column flags shared by `reference add` and `ingest` (the CLI's --numeric, --score-col, …). */
export interface ColumnFlags {
  /** Force these features numeric (non-numbers become type errors). */
  numeric?: readonly string[];
  /** Force these features categorical. */
  categorical?: readonly string[];
  /** The model's score: profiled as a feature under its own name. */
  scoreCol?: string;
  /** The label (target): never a feature. */
  labelCol?: string;
  /** The prediction id: never a feature. */
  idCol?: string;
  /** The prediction time: never a feature. */
  timestampCol?: string;
  /** Columns to leave out altogether (e.g. a thresholded prediction). */
  exclude?: readonly string[];
}

export interface Progress {
  stage: string;
  done: number;
  total?: number;
}

export type ProgressFn = (progress: Progress) => void;

export class ProfileInputError extends Error {
  override readonly name = 'ProfileInputError';
}

export interface IngestOptions extends ColumnFlags {
  storage: Storage;
  model: string;
  /** Local path: NDJSON(.gz) prediction events, or a wide CSV/Parquet/NDJSON table. */
  file: string;
  /** Wide tables without --id-col: ids are the 0-based row number plus this (default 0). */
  idStart?: number;
  /** Plausible prediction times (config `ingest`); default 2000-01-01 to 1 h after now. */
  timeLimits?: TimeLimitSettings;
  /** Config `ingest.dedupe_window` as written (default 7d): how far apart in hours a repeated id is still a duplicate. */
  dedupeWindow?: string;
  /** The time of ingest (epoch ms), for tests; default now. */
  nowMs?: number;
  /** Original bytes kept per quarantined line (default 8 MiB). */
  quarantineCapBytes?: number;
  /** Tables: the file was repaired from invalid UTF-8 (utf8-repair.ts); count the values per feature. */
  countInvalidUtf8?: boolean;
  /** Name recorded as the source in the quarantine header (default `file`). */
  sourceName?: string;
  onProgress?: ProgressFn;
}

/** A compressed input that broke part way: the lines before it were ingested. */
export interface IngestDamage {
  message: string;
  /** The line (1-based) at which the file stopped being readable. */
  line: number;
  /** Decompressed bytes read before the damage. */
  offset: number;
}

export interface IngestResult {
  /** Non-blank lines (events) or rows (tables) read: always `accepted + quarantined`. */
  linesRead: number;
  /** Rows stored in raw (now or by an earlier run of the same file), duplicates included. */
  accepted: number;
  /** Accepted rows whose id was already stored: earlier in this file, or by another file's batch within the dedupe window of its hour. */
  duplicates: { inFile: number; stored: number };
  /** Feature → values that held invalid UTF-8 (counted as type errors by the profiler). */
  invalidUtf8: Record<string, number>;
  /** Rows rejected with a reason, kept in the quarantine object of this file. */
  quarantined: number;
  /** Raw batch objects written by this run. */
  batches: number;
  /** Raw batch objects that already existed (the file was ingested before). */
  duplicateBatches: number;
  /** Prediction hours (epoch ms) this file has rows in. */
  hours: number[];
  /** The quarantine objects of this file (one, or parts past 64 MiB); none when no line was rejected. */
  quarantineKeys: string[];
  /** A damaged compressed file: where it broke (the run should end non-zero). */
  damage?: IngestDamage;
  /** Things the operator should know: e.g. an empty file. */
  warnings: string[];
}
