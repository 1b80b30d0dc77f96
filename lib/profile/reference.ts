import { calibrateReference, profileIdentity, RANDOM_CHUNK_BASE, readConfig, referenceWarnings, referenceNotices, splitReferenceRows, writeCalibration, type Defaults } from '../compare';
import { withConnection, writeSummaryParquet, queryRows, readSummaryParquetMany } from '../duckdb';
import { layout, ModelName, ReferenceMeta, ReferenceName, type ModelMeta, type SummaryRow } from '../format';
import type { Storage } from '../storage/storage';
import { ProfileAccumulator } from './accumulator';
import { readModelMeta, updateModelMeta, writeModelMeta } from './model-store';
import { ProfileInputError, type ColumnFlags, type ProgressFn } from './options';
import { runProfilePass } from './profile-pass';
import { detectColumns } from './reference-columns';
import { openDataset, type DatasetSource } from './reference-source';

export interface AddReferenceOptions extends ColumnFlags {
  storage: Storage;
  model: string;
  /** Reference name: `test` (the default reference), `train`, or any name. */
  name: string;
  /** Local path of a CSV, Parquet or NDJSON(.gz) file. */
  file: string;
  /** Number of time-ordered chunks; default: chunks of about max(500, rows/20) rows. */
  chunks?: number;
  /** The config inputs of default thresholds; default: the store's config.yaml. */
  defaults?: Pick<Defaults, 'sigmas' | 'materiality'>;
  onProgress?: ProgressFn;
}

export interface AddReferenceResult {
  reference: ReferenceMeta;
  model: ModelMeta;
  /** One row per feature for the whole reference (chunk −1), then per row-ordered chunk (the profile also holds the random chunks). */
  rows: SummaryRow[];
  /** Why thresholds from this reference may not be trusted (too few chunks); empty when none. */
  warnings: string[];
  /** What calibration found about the reference (rows not stationary; columns not monitored); empty when none. */
  notices: string[];
}

/** Chunks for threshold calibration: about the size of an evaluation window, at least 500 rows. */
export function defaultChunkCount(rows: number): number {
  if (rows === 0) return 0;
  const chunkRows = Math.max(500, Math.ceil(rows / 20));
  return Math.max(1, Math.round(rows / chunkRows));
}

/**
 * Profile a dataset as a named reference: one summary per feature for the whole dataset and
 * one per time-ordered chunk (by timestamp when there is one, else by row order), written as
 * the reference profile with reference.json; model.json is created or extended. The default
 * thresholds are calibrated from the chunks here, once, and stored as calibration.json.
 */
export async function addReference(options: AddReferenceOptions): Promise<AddReferenceResult> {
  const model = ModelName.parse(options.model);
  const name = ReferenceName.parse(options.name);
  const { storage, file, onProgress } = options;
  const existing = await readModelMeta(storage, model);
  const config = await readConfig(storage);
  const defaults = options.defaults ?? config.defaults;
  onProgress?.({ stage: 'reading', done: 0 });
  const { source, stats, acc, chunks, shuffled, columns } = await withConnection(async (connection) => {
    const source = await openDataset(connection, file, options, existing);
    if (source.features.length === 0) throw new ProfileInputError(`${file}: no feature columns left after id, timestamp, label and excluded columns`);
    const stats = await datasetStats(connection, source);
    if (stats.rows === 0) throw new ProfileInputError(`${file}: has no rows`);
    const chunks = options.chunks ?? defaultChunkCount(stats.rows);
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > stats.rows) throw new ProfileInputError(`${file}: chunks must be an integer from 1 to the row count (${stats.rows}), got ${chunks}`);
    const acc = new ProfileAccumulator(source.features.map((f) => ({ name: f.name, kind: f.kind })));
    onProgress?.({ stage: 'profiling', done: 0, total: stats.rows });
    const ordered = chunkedPass(source, stats.rows, chunks);
    await runProfilePass(connection, ordered, acc);
    const columns = await detectColumns(connection, ordered.relation, source.features);
    // The same chunk sizes drawn at random: calibration compares their spread with the ordered one's.
    const shuffled = new ProfileAccumulator(source.features.map((f) => ({ name: f.name, kind: f.kind })));
    if (chunks >= 3) await runProfilePass(connection, randomChunkPass(source, stats.rows, chunks), shuffled);
    return { source, stats, acc, chunks, shuffled, columns };
  });
  onProgress?.({ stage: 'profiling', done: stats.rows, total: stats.rows });

  const whole = acc.summaries(WHOLE, { model, period_start: stats.start ?? 0, period_end: stats.end === null ? 0 : stats.end + 1, chunk: -1 });
  const parts: SummaryRow[] = [];
  for (let chunk = 0; chunk < chunks; chunk++) {
    const range = acc.timeRange(chunk);
    parts.push(...acc.summaries(chunk, { model, period_start: range ? range[0] : 0, period_end: range ? range[1] + 1 : 0, chunk }));
  }
  const rows = [...whole, ...parts];
  // The chunks drawn at random go into the profile too (chunk RANDOM_CHUNK_BASE + i): calibration.json stays derivable from it.
  const random: SummaryRow[] = [];
  if (chunks >= 3) for (let c = 0; c < chunks; c++) random.push(...shuffled.summaries(c, { model, period_start: 0, period_end: 0, chunk: RANDOM_CHUNK_BASE + c }));
  const profileBytes = await writeSummaryParquet([...rows, ...random]);
  await storage.write(layout.referenceProfile(model, name), profileBytes);

  const now = new Date();
  const reference: ReferenceMeta = ReferenceMeta.parse({
    model,
    name,
    source: file,
    rows: stats.rows,
    period_start: stats.start,
    period_end: stats.end === null ? null : stats.end + 1,
    chunks,
    chunk_rows: Math.round(stats.rows / chunks),
    created_at: now.toISOString(),
  });
  await storage.write(layout.referenceMeta(model, name), `${JSON.stringify(reference, null, 2)}\n`);
  onProgress?.({ stage: 'calibrating', done: stats.rows, total: stats.rows });
  // Calibrated from the profile as readers decode it, so stored and recomputed thresholds are equal.
  const [decoded] = await readSummaryParquetMany([profileBytes]);
  const split = splitReferenceRows(decoded);
  const calibration = calibrateReference(model, name, profileIdentity(profileBytes, reference), split.whole, split.chunks, defaults, now, { columns });
  await writeCalibration(storage, calibration);
  const { meta, changed } = updateModelMeta(existing, model, {
    found: new Map(source.features.map((f) => [f.name, f.kind])),
    overrides: source.overrides,
    score: source.score,
    columns: source.columns,
  }, now);
  if (changed) await writeModelMeta(storage, meta);
  onProgress?.({ stage: 'done', done: stats.rows, total: stats.rows });
  return { reference, model: meta, rows, warnings: referenceWarnings(reference), notices: referenceNotices(calibration, config) };
}

const WHOLE = -1;
/** Seed of the random chunks: the same reference file always gives the same chunks and thresholds. */
const RANDOM_CHUNK_SEED = 20261202;

interface DatasetStats {
  rows: number;
  start: number | null;
  end: number | null;
}

async function datasetStats(connection: Parameters<typeof queryRows>[0], source: DatasetSource): Promise<DatasetStats> {
  const ts = source.timeSql ?? 'CAST(NULL AS BIGINT)';
  const [row] = await queryRows(connection, `SELECT CAST(count(*) AS DOUBLE) AS n, CAST(min(t) AS DOUBLE) AS lo, CAST(max(t) AS DOUBLE) AS hi FROM (SELECT ${ts} AS t FROM ${source.relation})`);
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return { rows: Number(row.n), start: num(row.lo), end: num(row.hi) };
}

/**
 * Rows numbered in time order (ties and untimed rows in file order, untimed last), chunk
 * = ⌊row · k / n⌋ so chunks differ in size by at most one row.
 */
function chunkedPass(source: DatasetSource, rows: number, chunks: number) {
  const numbered = source.timeSql
    ? `(SELECT *, row_number() OVER (ORDER BY __ts NULLS LAST, __ord) - 1 AS __rn FROM (SELECT *, ${source.timeSql} AS __ts, row_number() OVER () AS __ord FROM ${source.relation})) AS src`
    : `(SELECT *, row_number() OVER () - 1 AS __rn FROM ${source.relation}) AS src`;
  return {
    relation: numbered,
    group: `(__rn * ${chunks}) // ${rows}`,
    time: source.timeSql ? '__ts' : undefined,
    orderBy: source.timeSql ? '__rn' : undefined,
    inputs: source.features.map((input, index) => ({ index, input })),
    whole: WHOLE,
  };
}

/** Rows in a seeded pseudo-random order (a hash of the row number), cut into chunks of the ordered pass's sizes. */
function randomChunkPass(source: DatasetSource, rows: number, chunks: number) {
  const numbered = `(SELECT *, row_number() OVER (ORDER BY hash(__ord, ${RANDOM_CHUNK_SEED}), __ord) - 1 AS __rn FROM (SELECT *, row_number() OVER () AS __ord FROM ${source.relation})) AS src`;
  return {
    relation: numbered,
    group: `(__rn * ${chunks}) // ${rows}`,
    orderBy: '__rn',
    inputs: source.features.map((input, index) => ({ index, input })),
  };
}
