import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dataFormatOf, describeDataFile, queryRows, scanSql, sqlIdent, sqlString, streamRowObjects, TempSpace, withConnection } from '../duckdb';
import { DAY_MS, HOUR_MS, layout } from '../format';
import type { Storage } from '../storage/storage';
import { batchIdOf } from './file-hash';
import { dedupeWindowMs, IdIndex } from './id-index';
import type { IngestOptions, IngestResult } from './options';
import { readModelMeta, updateModelMeta, writeModelMeta } from './model-store';
import { ProfileInputError } from './options';
import { rejectCsvLines } from './ingest-csv-rejects';
import { Quarantine, QUARANTINE_LINE_CAP } from './quarantine';
import { resolveKinds } from './reference-source';
import { kindOverrides, planTableColumns, type TablePlan } from './table-columns';
import { implausibleTime, timeLimits, type TimeLimits } from './time-limits';
import { timestampMsSql } from './timestamp-sql';

/**
 * A wide table (CSV, Parquet, flat NDJSON) → raw Parquet per prediction day (format 2.0), columns
 * `model, id, ts (TIMESTAMPTZ), score, features STRUCT(<feature columns, types as in the file>)`:
 * the event shape, typed. Profiling reads these with read_parquet at full columnar speed; NDJSON
 * would cost a JSON parse per value. Without --id-col the id is the 0-based row number + idStart.
 */
export async function ingestTable(options: IngestOptions): Promise<IngestResult> {
  const { storage, model, file } = options;
  const format = dataFormatOf(file);
  const existing = await readModelMeta(storage, model);
  const idStart = options.idStart ?? 0;
  const batchId = await batchIdOf(file, { kind: 'table', model, flags: flagsKey(options), idStart });
  return withConnection(async (connection) => {
    const quarantine = new Quarantine(storage, model, batchId, { file: options.sourceName ?? file, kind: 'table' }, options.quarantineCapBytes);
    // The day files together are about as large as the input: a small input's go to memory.
    const space = new TempSpace('ingest');
    try {
      const dir = await space.dirFor((await stat(file)).size);
      // CSV rows DuckDB cannot split are quarantined first; `rejected.file` is the file without them.
      const rejected = format === 'csv' ? await rejectCsvLines(connection, file, dir, quarantine, options.quarantineCapBytes ?? QUARANTINE_LINE_CAP) : { file, removed: [], records: 0 };
      const columns = await describeDataFile(connection, rejected.file, format);
      const plan = planTableColumns(file, columns, options, existing?.columns);
      if (!plan.timestamp) throw new ProfileInputError(`${file}: ingest needs the prediction time; pass --timestamp-col (columns: ${columns.map((c) => c.name).join(', ')})`);
      if (plan.features.length === 0 && !plan.score) throw new ProfileInputError(`${file}: no feature columns left after id, timestamp, label and excluded columns`);
      const lines = format === 'csv' ? { header: 1, shifts: await lineShifts(connection, rejected.removed) } : { header: 0, shifts: null };
      // Parquet numbers its rows itself: a row_number() window made DuckDB hold the whole file (1.7 GiB for 292 MB).
      const numbered = format === 'parquet' ? `(SELECT file_row_number + 1 AS __row, * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(rejected.file)}, file_row_number = true))` : `(SELECT row_number() OVER () AS __row, * FROM ${scanSql(rejected.file, format)})`;
      const relation = parsedRelation(numbered, plan, idStart, lines);
      const limits = timeLimits(options.timeLimits, options.nowMs);
      return await ingestRows(connection, options, { relation, plan, limits, quarantine, batchId, dir, rejected: rejected.records, judgeText: format !== 'parquet' });
    } finally {
      await space.close();
    }
  });
}

interface TableRun {
  /** The rows of the file DuckDB reads (the input, or a copy without rejected CSV lines). */
  relation: string;
  plan: TablePlan;
  limits: TimeLimits;
  quarantine: Quarantine;
  batchId: string;
  dir: string;
  /** CSV records DuckDB rejected (already in the quarantine): read, but not in `relation`. */
  rejected: number;
  judgeText: boolean;
}

async function ingestRows(connection: DuckDBConnection, options: IngestOptions, run: TableRun): Promise<IngestResult> {
  const { storage, model, file } = options;
  const { relation, plan, limits, quarantine, batchId, dir } = run;
  await collectBadRows(connection, relation, plan, quarantine, limits);
  const [{ rows }] = await queryRows(connection, `SELECT CAST(count(*) AS DOUBLE) AS rows FROM ${relation}`);
  const result: IngestResult = { linesRead: Number(rows) + run.rejected, accepted: 0, duplicates: { inFile: 0, stored: 0 }, invalidUtf8: {}, quarantined: quarantine.size, batches: 0, duplicateBatches: 0, hours: [], warnings: [], quarantineKeys: [] };
  result.accepted = result.linesRead - result.quarantined;
  const index = new IdIndex(storage, model, batchId, dedupeWindowMs(options.dedupeWindow));
  const written = await writeDayFiles(connection, relation, plan, model, dir, limits, Number(rows));
  result.duplicates.inFile = result.accepted - written;
  const files = await dayFiles(connection, dir);
  result.hours = await hoursOf(connection, files);
  // Row-number ids (no --id-col) are not ids of the predictions: they go into no index.
  const idsByDay = plan.id ? await idsOf(connection, files) : null;
  const stored = idsByDay ? await index.storedAmong(await idHours(connection, files)) : new Set<string>();
  for (const [i, file] of files.entries()) {
    const { bytes, ids, skipped } = idsByDay ? await withoutStoredIds(connection, file, idsByDay[i], stored, dir) : { bytes: new Uint8Array(await readFile(file.path)), ids: null, skipped: 0 };
    result.duplicates.stored += skipped;
    if (ids !== null && ids.length === 0) continue;
    const fresh = await storage.writeIfAbsent(layout.rawPredictions(model, file.day, batchId, 'parquet'), bytes);
    if (fresh) result.batches++;
    else result.duplicateBatches++;
    if (ids !== null) await index.record(file.day, batchId, ids);
  }
  await quarantine.write();
  result.quarantineKeys = quarantine.keys;
  if (result.linesRead === 0) result.warnings.push(`${options.sourceName ?? file} has no rows: nothing was ingested`);
  if (options.countInvalidUtf8) result.invalidUtf8 = await invalidUtf8Counts(connection, relation, plan, limits);
  if (result.accepted > 0) await updateModel(connection, storage, options, file, run.judgeText, relation, plan);
  options.onProgress?.({ stage: 'done', done: result.accepted + result.quarantined });
  return result;
}

function flagsKey(o: IngestOptions): unknown {
  return [o.idCol, o.timestampCol, o.scoreCol, o.labelCol, o.exclude ?? [], o.numeric ?? [], o.categorical ?? []];
}

/**
 * The file with its line (`__line`: CSV, the physical line with the header as line 1, counting
 * the rejected lines that are not in the scan; otherwise the 1-based row), its parsed time
 * (epoch ms) and id, NULL where missing. Row-number ids stay `__row`-based: the same as before.
 */
function parsedRelation(rows: string, plan: TablePlan, idStart: number, lines: { header: number; shifts: string | null }): string {
  const ts = plan.timestamp!;
  const id = plan.id ? `NULLIF(trim(CAST(${sqlIdent(plan.id.name)} AS VARCHAR)), '')` : `CAST(__row - 1 + ${idStart} AS VARCHAR)`;
  const numbered =
    lines.shifts === null
      ? `(SELECT __row + ${lines.header} AS __line, * FROM ${rows})`
      : `(SELECT __row + ${lines.header} + coalesce(s.before, 0) AS __line, r.* FROM ${rows} AS r ASOF LEFT JOIN ${lines.shifts} AS s ON r.__row >= s.row)`;
  return `(SELECT *, ${timestampMsSql(sqlIdent(ts.name), ts.typeClass)} AS __ts, ${id} AS __id FROM ${numbered}) AS src`;
}

/**
 * CSV: a table of (row, before): from data row `row` on, `before` input lines left out precede it
 * (the k-th removed line r_k is passed by the rows from r_k - k on); null when none were.
 */
async function lineShifts(connection: DuckDBConnection, removed: readonly number[]): Promise<string | null> {
  if (removed.length === 0) return null;
  const name = `driftwatch_line_shifts_${process.pid}_${randomBytes(4).toString('hex')}`;
  const values = `SELECT max(row) AS row, max(before) AS before FROM (VALUES ${removed.map((r, i) => `(${r - (i + 1)}, ${i + 1})`).join(', ')}) AS v(row, before) GROUP BY row`;
  await connection.run(`CREATE TEMP TABLE ${sqlIdent(name)} AS ${values}`);
  return sqlIdent(name);
}

/** Rows that land: an id and a plausible time (docs/operations.md, "Time limits and catch-up"). */
const landsSql = (limits: TimeLimits): string => `__id IS NOT NULL AND __ts IS NOT NULL AND __ts BETWEEN ${Math.ceil(limits.earliestMs)} AND ${Math.floor(limits.latestMs)}`;

async function collectBadRows(connection: DuckDBConnection, relation: string, plan: TablePlan, quarantine: Quarantine, limits: TimeLimits): Promise<void> {
  const ts = sqlIdent(plan.timestamp!.name);
  const original = `{${[plan.id, plan.timestamp, plan.label, plan.score, ...plan.features].filter((c) => c !== null).map((c) => `${sqlString(c.name)}: ${sqlIdent(c.name)}`).join(', ')}}`;
  const reason = `CASE WHEN __id IS NULL THEN 'missing id' WHEN ${ts} IS NULL OR trim(CAST(${ts} AS VARCHAR)) = '' THEN 'missing timestamp' WHEN __ts IS NULL THEN 'bad timestamp ' || left(CAST(${ts} AS VARCHAR), 80) END`;
  const sql = `SELECT CAST(__line AS DOUBLE) AS line, ${reason} AS reason, CAST(__ts AS DOUBLE) AS ms, left(CAST(${ts} AS VARCHAR), 80) AS written, CAST(to_json(${original}) AS VARCHAR) AS raw FROM ${relation} WHERE NOT (${landsSql(limits)}) ORDER BY __line`;
  for await (const rows of streamRowObjects(connection, sql)) {
    for (const r of rows) {
      if (quarantine.add(Number(r.line), r.reason === null ? (implausibleTime(Number(r.ms), limits, String(r.written)) ?? 'implausible timestamp') : String(r.reason), String(r.raw))) await quarantine.write();
    }
  }
}

/**
 * Rows per row group of a raw day file. A partitioned COPY holds a row group of every open day in
 * memory: at DuckDB's default (122,880 rows) 30 days of 56 features took 2 GiB.
 */
const ROW_GROUP_ROWS = 16_384;

/**
 * One Parquet file per UTC day (PARTITION_BY), rows in time order; returns the number of rows
 * written. A day, not an hour: sparse traffic (a few rows an hour) made one file per hour, and
 * the store's size and the profile's time followed the hours spanned instead of the rows.
 */
async function writeDayFiles(connection: DuckDBConnection, relation: string, plan: TablePlan, model: string, dir: string, limits: TimeLimits, rows: number): Promise<number> {
  const features = `{${plan.features.map((c) => `${sqlString(c.name)}: ${sqlIdent(c.name)}`).join(', ')}}`;
  const columns = [
    `${sqlString(model)} AS model`,
    '__id AS id',
    'CAST(make_timestamp(__ts * 1000) AS TIMESTAMPTZ) AS ts',
    ...(plan.score ? [`${sqlIdent(plan.score.name)} AS score`] : []),
    ...(plan.features.length > 0 ? [`${features} AS features`] : []),
    `CAST(__ts // ${DAY_MS} AS BIGINT) AS __day`,
  ];
  const out = join(dir, 'days');
  await mkdir(out);
  // An id repeated in the file is stored once: its first row (docs/format.md, "Duplicates").
  const source = plan.id
    ? // min(__line), not row_number() = 1: DuckDB's top-n window rewrite of the latter fails here (internal error).
      `(SELECT * FROM (SELECT *, min(__line) OVER (PARTITION BY __id) AS __first FROM ${relation} WHERE ${landsSql(limits)}) WHERE __line = __first) AS uniq`
    : `${relation} WHERE ${landsSql(limits)}`;
  const options = `FORMAT parquet, COMPRESSION zstd, PARTITION_BY (__day), ROW_GROUP_SIZE ${ROW_GROUP_ROWS}`;
  if (rows <= SORT_WHOLE_ROWS) {
    const result = await connection.run(`COPY (SELECT ${columns.join(', ')} FROM ${source} ORDER BY __ts, __line) TO ${sqlString(out)} (${options})`);
    return Number(result.rowsChanged);
  }
  // A large file: split by day as it streams, in the file's order (DuckDB keeps insertion order).
  // Sorting the whole file held all of it (1.7 GiB for 1 M rows × 56 features); sorting each day
  // again doubled the write. The profile does not need sorted rows: it groups by hour as they come.
  // DuckDB buffers up to 524,288 rows per thread before it writes a partition: a month of 56
  // features (all of it) sat in memory. A row group's worth keeps the write streaming.
  await connection.run(`SET partitioned_write_flush_threshold = ${ROW_GROUP_ROWS}`);
  const result = await connection.run(`COPY (SELECT ${columns.join(', ')} FROM ${source}) TO ${sqlString(out)} (${options})`);
  return Number(result.rowsChanged);
}

/** Up to this many rows a file is sorted by time in one statement (cheap at that size); above, it keeps its order. */
const SORT_WHOLE_ROWS = 200_000;

interface DayFile {
  /** Start of the UTC day, epoch ms. */
  day: number;
  /** The file in the temporary directory: read when stored, one at a time (a dense file's days are its size). */
  path: string;
}

/**
 * The day files, one per day: where DuckDB split a day over several files (it limits open
 * files), they are rewritten as one, so the same input always gives the same batches.
 */
async function dayFiles(connection: DuckDBConnection, dir: string): Promise<DayFile[]> {
  const out: DayFile[] = [];
  const root = join(dir, 'days');
  const prefix = '__day=';
  const parts = (await readdir(root)).filter((d) => d.startsWith(prefix)).sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));
  for (const part of parts) {
    const files = (await readdir(join(root, part))).filter((f) => f.endsWith('.parquet')).sort().map((f) => join(root, part, f));
    let path = files[0];
    if (files.length > 1) {
      path = join(dir, `${part}.parquet`);
      await connection.run(`COPY (SELECT * FROM ${scanSql(files, 'parquet', { hivePartitioning: false })} ORDER BY ts) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
    }
    out.push({ day: Number(part.slice(prefix.length)) * DAY_MS, path });
  }
  return out;
}

/** The prediction hours the day files hold (the ts column only). */
async function hoursOf(connection: DuckDBConnection, files: readonly DayFile[]): Promise<number[]> {
  if (files.length === 0) return [];
  const rows = await queryRows(connection, `SELECT DISTINCT CAST(epoch_ms(ts) // ${HOUR_MS} AS DOUBLE) AS h FROM ${scanSql(files.map((f) => f.path), 'parquet', { hivePartitioning: false })} ORDER BY h`);
  return rows.map((r) => Number(r.h) * HOUR_MS);
}

/** Every stored id of the day files with its prediction hour: the duplicate index's candidates. */
async function idHours(connection: DuckDBConnection, files: readonly DayFile[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (files.length === 0) return out;
  const sql = `SELECT id, CAST(epoch_ms(ts) // ${HOUR_MS} AS DOUBLE) AS h FROM ${scanSql(files.map((f) => f.path), 'parquet', { hivePartitioning: false })}`;
  for await (const rows of streamRowObjects(connection, sql)) for (const r of rows) out.set(String(r.id), Number(r.h) * HOUR_MS);
  return out;
}

/** Feature → values holding U+FFFD (bytes that were not UTF-8, see utf8-repair.ts) among the rows that land. */
async function invalidUtf8Counts(connection: DuckDBConnection, relation: string, plan: TablePlan, limits: TimeLimits): Promise<Record<string, number>> {
  const text = [...plan.features, ...(plan.score ? [plan.score] : [])].filter((c) => c.typeClass === 'text');
  if (text.length === 0) return {};
  const counts = text.map((c, i) => `CAST(count(*) FILTER (contains(CAST(${sqlIdent(c.name)} AS VARCHAR), chr(65533))) AS DOUBLE) AS c${i}`);
  const [row] = await queryRows(connection, `SELECT ${counts.join(', ')} FROM ${relation} WHERE ${landsSql(limits)}`);
  const out: Record<string, number> = {};
  text.forEach((c, i) => {
    if (Number(row[`c${i}`]) > 0) out[c.name] = Number(row[`c${i}`]);
  });
  return out;
}

/** The ids of each day file (one query at a time: the connection is shared). */
async function idsOf(connection: DuckDBConnection, files: readonly { path: string }[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const f of files) out.push((await queryRows(connection, `SELECT id FROM read_parquet(${sqlString(f.path)}, hive_partitioning = false)`)).map((r) => String(r.id)));
  return out;
}

/**
 * One day's file without the ids other files already stored (the id index, within the dedupe
 * window): the bytes to store, the ids they hold and how many rows were dropped as duplicates.
 */
async function withoutStoredIds(connection: DuckDBConnection, file: DayFile, ids: string[], stored: Set<string>, dir: string): Promise<{ bytes: Uint8Array; ids: string[]; skipped: number }> {
  const keep = ids.filter((id) => !stored.has(id));
  if (keep.length === 0) return { bytes: new Uint8Array(), ids: [], skipped: ids.length };
  if (keep.length === ids.length) return { bytes: new Uint8Array(await readFile(file.path)), ids, skipped: 0 };
  const list = join(dir, `stored-${file.day}.ndjson`);
  await writeFile(list, `${ids.filter((id) => stored.has(id)).map((id) => JSON.stringify({ id })).join('\n')}\n`);
  const out = join(dir, `unique-${file.day}.parquet`);
  await connection.run(
    `COPY (SELECT * FROM read_parquet(${sqlString(file.path)}, hive_partitioning = false) WHERE id NOT IN (SELECT id FROM ${scanSql(list, 'ndjson', { jsonColumns: { id: 'VARCHAR' } })})) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return { bytes: new Uint8Array(await readFile(out)), ids: keep, skipped: ids.length - keep.length };
}

async function updateModel(connection: DuckDBConnection, storage: Storage, options: IngestOptions, file: string, judgeText: boolean, relation: string, plan: TablePlan): Promise<void> {
  const existing = await readModelMeta(storage, options.model);
  const scoreName = plan.score ? (existing?.score ?? plan.score.name) : null;
  const candidates = plan.features.map((c) => ({ name: c.name, expr: sqlIdent(c.name), typeClass: c.typeClass }));
  if (plan.score && scoreName) candidates.push({ name: scoreName, expr: sqlIdent(plan.score.name), typeClass: plan.score.typeClass });
  const overrides = kindOverrides(file, options, candidates.map((c) => c.name));
  const kinds = await resolveKinds(connection, relation, candidates, overrides, existing, judgeText);
  const { meta, changed } = updateModelMeta(existing, options.model, {
    found: kinds,
    overrides,
    score: scoreName,
    columns: { id: plan.id?.name ?? null, timestamp: plan.timestamp?.name ?? null, label: plan.label?.name ?? null, score: plan.score?.name ?? null },
  });
  if (changed) await writeModelMeta(storage, meta);
}
