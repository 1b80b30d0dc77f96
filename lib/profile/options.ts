import type { Storage } from '../storage/storage';
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
  onProgress?: ProgressFn;
}

export interface IngestResult {
  /** Rows stored in raw (now or by an earlier run of the same file). */
  accepted: number;
  /** Rows rejected with a reason, kept in the quarantine object of this file. */
  quarantined: number;
  /** Raw batch objects written by this run. */
  batches: number;
  /** Raw batch objects that already existed (the file was ingested before). */
  duplicateBatches: number;
  /** Prediction hours (epoch ms) this file has rows in. */
  hours: number[];
}
