import { dataFormatOf } from '../duckdb';
import { ModelName } from '../format';
import type { Storage } from '../storage/storage';
import { ingestEvents, MAX_EVENT_BYTES } from './ingest-events';
import { ingestTable } from './ingest-table';
import { readLines } from './line-reader';
import type { ColumnFlags, ProgressFn } from './options';

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

/**
 * Import a file of predictions into raw storage, partitioned by the hour of each prediction's
 * timestamp. NDJSON with a `features` object is read as events; anything else as a wide table.
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  ModelName.parse(options.model);
  const format = dataFormatOf(options.file);
  if (format === 'ndjson' && (await isEventFile(options.file))) return ingestEvents(options);
  return ingestTable(options);
}

/** Events unless the first parseable objects are flat rows; unparseable lines are the events path's to quarantine. */
async function isEventFile(file: string): Promise<boolean> {
  let objects = 0;
  for await (const line of readLines(file, MAX_EVENT_BYTES)) {
    if (line.oversized || line.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    if ('features' in value) return true;
    if (++objects >= 100) return false;
  }
  return objects === 0;
}
