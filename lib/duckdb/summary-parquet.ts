import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summaryRowProblem, type SummaryRow } from '../format';
import { attachDigest, numberArray } from '../summary';
import { ChunkColumns, isValid, listSpan, streamChunks, type ListColumn } from './chunks';
import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { queryRows, withConnection } from './database';
import { sqlString, sqlStringList } from './sql';
import { withTempDir } from './temp-dir';
import { withoutTempPaths } from '../storage/damaged-file';

/** Parquet columns of a profile: exactly the SummaryRow fields (docs/format.md). */
const COLUMNS: Record<keyof SummaryRow, string> = {
  model: 'VARCHAR',
  feature: 'VARCHAR',
  kind: 'VARCHAR',
  period_start: 'BIGINT',
  period_end: 'BIGINT',
  chunk: 'INTEGER',
  rows: 'BIGINT',
  nulls: 'BIGINT',
  non_finite: 'BIGINT',
  type_errors: 'BIGINT',
  count: 'BIGINT',
  min: 'DOUBLE',
  max: 'DOUBLE',
  sum: 'DOUBLE',
  compression: 'DOUBLE',
  means: 'DOUBLE[]',
  weights: 'DOUBLE[]',
  categories: 'VARCHAR[]',
  category_counts: 'BIGINT[]',
};
const NAMES = Object.keys(COLUMNS) as (keyof SummaryRow)[];

/**
 * A profile file that cannot be read or written as summary rows. `fileIndex` is the position of
 * the bad file among those read together, so the caller, which knows their store keys, can name it;
 * `reason` never contains a temporary path.
 */
export class SummaryFileError extends Error {
  override readonly name = 'SummaryFileError';
  readonly reason: string;
  readonly fileIndex: number | undefined;

  constructor(reason: string, fileIndex?: number) {
    super(`profile file${fileIndex === undefined ? '' : ` ${fileIndex}`} is damaged: ${reason}`);
    this.reason = reason;
    this.fileIndex = fileIndex;
  }
}

/** One profile file. Rows are validated against SummaryRow first. */
export async function writeSummaryParquet(rows: readonly SummaryRow[]): Promise<Uint8Array> {
  return (await writeSummaryParquetGroups([rows]))[0];
}

/** Centroid numbers (means and weights) per COPY: bounds the rows DuckDB holds at once (~32 MB of doubles). */
const MAX_SLICE_NUMBERS = 4 << 20;

/**
 * Several profile files with few DuckDB statements (a profile run writes thousands of hours):
 * rows go into a table through DuckDB's appender, as data chunks built from the rows' own arrays,
 * then one partitioned COPY writes a file per group. Numbers are copied as doubles, exactly;
 * the NDJSON route this replaced spent most of a dense profile's write in number formatting and
 * parsing (3 s of 17). Snappy, not zstd: zstd cost 0.8 ms more per file here.
 */
export async function writeSummaryParquetGroups(groups: readonly (readonly SummaryRow[])[]): Promise<Uint8Array[]> {
  for (const rows of groups) {
    for (const row of rows) {
      const problem = Array.isArray(row.means) && Array.isArray(row.weights) && Array.isArray(row.categories) && Array.isArray(row.category_counts) ? summaryRowProblem(row as unknown as Record<string, unknown>, row.means, row.weights) : 'means, weights, categories and category_counts must be arrays';
      if (problem !== null) throw new SummaryFileError(`summary of feature "${row.feature}" to write is invalid: ${problem}`);
    }
  }
  const result: Uint8Array[] = [];
  let start = 0;
  while (start < groups.length) {
    let numbers = 0;
    let end = start;
    while (end < groups.length && (end === start || numbers < MAX_SLICE_NUMBERS)) {
      for (const row of groups[end]) numbers += 2 * row.means.length + row.categories.length;
      end++;
    }
    result.push(...(await writeSlice(groups.slice(start, end))));
    start = end;
  }
  return result;
}

const LIST_OF: Record<string, DuckDBType> = { 'DOUBLE[]': LIST(DOUBLE), 'VARCHAR[]': LIST(VARCHAR), 'BIGINT[]': LIST(BIGINT) };
const SCALAR: Record<string, DuckDBType> = { VARCHAR, BIGINT, INTEGER, DOUBLE };
const TYPES: DuckDBType[] = [...NAMES.map((n) => LIST_OF[COLUMNS[n]] ?? SCALAR[COLUMNS[n]]), INTEGER];

/** One row's cells in column order, as DuckDB values (BIGINT as bigint, lists as list values), then its group. */
function cells(row: SummaryRow, group: number): DuckDBValue[] {
  const out: DuckDBValue[] = [];
  for (const n of NAMES) {
    const v = row[n];
    const type = COLUMNS[n];
    if (v === null) out.push(null);
    else if (type === 'BIGINT') out.push(BigInt(v as number));
    else if (type === 'BIGINT[]') out.push(listValue((v as number[]).map((x) => BigInt(x))));
    else if (type.endsWith('[]')) out.push(listValue(v as (number | string)[]));
    else out.push(v as number | string);
  }
  out.push(group);
  return out;
}

let tables = 0;

/** One partitioned COPY of the groups' rows (tagged with their group) into one file per group. */
async function writeSlice(groups: readonly (readonly SummaryRow[])[]): Promise<Uint8Array[]> {
  return withTempDir('summary-write', async (dir) => {
    const out = join(dir, 'out');
    const total = groups.reduce((n, g) => n + g.length, 0);
    if (total > 0) {
      await withConnection(async (c) => {
        const table = `driftwatch_summary_write_${process.pid}_${tables++}`;
        const columns = [...NAMES.map((n) => `"${n}" ${COLUMNS[n]}`), '__group INTEGER'].join(', ');
        await c.run(`CREATE TABLE ${table} (${columns})`);
        try {
          const appender = await c.createAppender(table);
          let rows: DuckDBValue[][] = [];
          const flush = () => {
            if (rows.length === 0) return;
            const chunk = DuckDBDataChunk.create(TYPES, rows.length);
            chunk.setColumns(TYPES.map((_, col) => rows.map((r) => r[col])));
            appender.appendDataChunk(chunk);
            rows = [];
          };
          groups.forEach((group, g) => {
            for (const row of group) {
              rows.push(cells(row, g));
              if (rows.length === CHUNK_ROWS) flush();
            }
          });
          flush();
          appender.closeSync();
          const select = NAMES.map((n) => `"${n}"`).join(', ');
          await c.run(`COPY (SELECT ${select}, __group FROM ${table}) TO ${sqlString(out)} (FORMAT parquet, PARTITION_BY (__group))`);
        } finally {
          await c.run(`DROP TABLE IF EXISTS ${table}`);
        }
      });
    }
    const result: Uint8Array[] = [];
    for (let g = 0; g < groups.length; g++) result.push(groups[g].length === 0 ? await emptyFile(dir, g) : await readOnlyFile(join(out, `__group=${g}`)));
    return result;
  }, 'small');
}

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

async function readOnlyFile(dir: string): Promise<Uint8Array> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.parquet'));
  if (files.length !== 1) throw new SummaryFileError(`expected one Parquet file from a COPY, found ${files.length}`);
  return new Uint8Array(await readFile(join(dir, files[0])));
}

/** A profile with no rows still has the schema, so readers can tell "nothing" from "no file". */
async function emptyFile(dir: string, g: number): Promise<Uint8Array> {
  const path = join(dir, `empty-${g}.parquet`);
  const select = NAMES.map((n) => `CAST(NULL AS ${COLUMNS[n]}) AS "${n}"`).join(', ');
  await withConnection((c) => c.run(`COPY (SELECT ${select} LIMIT 0) TO ${sqlString(path)} (FORMAT parquet)`));
  return new Uint8Array(await readFile(path));
}

/** Rows of one profile file, ordered by chunk then feature. */
export interface SummaryReadOptions {
  /** Only the rows of whole periods (chunk −1): a reference's chunks are ten times its whole rows, and needed only to calibrate. */
  wholeOnly?: boolean;
}

export async function readSummaryParquet(bytes: Uint8Array): Promise<SummaryRow[]> {
  return (await readSummaryParquetMany([bytes]))[0];
}

/**
 * Rows of several profile files in one query, each ordered by chunk then feature. Decoding reads
 * DuckDB's vectors as typed arrays (a 30-day window is ~20 MB of centroids: building JS objects
 * per value and validating them with zod took 60% of `compare`); every row is still checked
 * (`summaryRowProblem`), and its digest is kept so merging does not copy the centroids again.
 */
export async function readSummaryParquetMany(files: readonly Uint8Array[], options: SummaryReadOptions = {}): Promise<SummaryRow[][]> {
  const out: SummaryRow[][] = files.map(() => []);
  if (files.length === 0) return out;
  await withTempDir('summary-read', async (dir) => {
    const paths = files.map((_, i) => join(dir, `${i}.parquet`));
    await Promise.all(files.map((bytes, i) => writeFile(paths[i], bytes)));
    // Numbers as DOUBLE (counts and epoch ms are exact below 2^53), integers as INTEGER.
    const select = NAMES.map((n) => {
      const type = COLUMNS[n];
      if (type === 'BIGINT' || type === 'INTEGER') return `CAST("${n}" AS DOUBLE) AS "${n}"`;
      if (n === 'category_counts') return `CAST("${n}" AS DOUBLE[]) AS "${n}"`;
      return `"${n}"`;
    });
    const from = `read_parquet(${sqlStringList(paths)}, filename = true)${options.wholeOnly ? ' WHERE chunk < 0' : ''}`;
    const sql = `SELECT CAST(regexp_extract(filename, '(\\d+)\\.parquet$', 1) AS DOUBLE) AS g, ${select.join(', ')} FROM ${from}`;
    try {
      await withConnection(async (c) => {
        // A streamed query that fails midway just ends (the bindings expose no error for it): the
        // rows each file should give are counted first, in a query whose failure does reject.
        const expected = await expectedRows(c, from, files.length);
        for await (const chunk of streamChunks(c, sql)) decodeChunk(chunk, out);
        const short = out.findIndex((rows, i) => rows.length !== expected[i]);
        if (short >= 0) throw new SummaryFileError(`unreadable data: ${out[short].length} of ${expected[short]} rows could be read`, files.length === 1 ? 0 : undefined);
      });
    } catch (error) {
      if (error instanceof SummaryFileError && error.fileIndex === undefined) throw await whichFile(files, options, error);
      if (error instanceof SummaryFileError) throw error;
      throw await whichFile(files, options, error);
    }
    // Sorted here, not in SQL: DuckDB's ORDER BY moves every row's lists and tripled the read time.
    for (const rows of out) rows.sort(byChunkThenFeature);
  }, 'small');
  return out;
}

/**
 * One query read several files and failed: read them one by one to find the first bad one (only
 * ever on this error path), so the caller can name its key.
 */
async function whichFile(files: readonly Uint8Array[], options: SummaryReadOptions, error: unknown): Promise<SummaryFileError> {
  const first = error instanceof SummaryFileError ? error : new SummaryFileError(`not a readable Parquet file: ${withoutTempPaths((error as Error).message)}`, files.length === 1 ? 0 : undefined);
  if (files.length === 1) return first;
  for (const [i, bytes] of files.entries()) {
    try {
      await readSummaryParquetMany([bytes], options);
    } catch (e) {
      if (e instanceof SummaryFileError) return new SummaryFileError(e.reason, i);
      throw e;
    }
  }
  return first;
}

/** Rows per file (by the index in its temporary name) that `from` (a read_parquet with filename) holds. */
export async function expectedRows(c: DuckDBConnection, from: string, files: number): Promise<number[]> {
  const counts = new Array<number>(files).fill(0);
  for (const r of await queryRows(c, `SELECT CAST(regexp_extract(filename, '(\\d+)\\.parquet$', 1) AS INTEGER) AS g, CAST(count(*) AS DOUBLE) AS n FROM ${from} GROUP BY g`)) counts[Number(r.g)] = Number(r.n);
  return counts;
}

function byChunkThenFeature(a: SummaryRow, b: SummaryRow): number {
  return a.chunk - b.chunk || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);
}

const SCALARS = ['period_start', 'period_end', 'chunk', 'rows', 'nulls', 'non_finite', 'type_errors', 'count', 'min', 'max', 'sum', 'compression'] as const;
const column = (name: keyof SummaryRow): number => 1 + NAMES.indexOf(name);

function decodeChunk(chunk: ChunkColumns, out: SummaryRow[][]): void {
  const n = chunk.rowCount;
  const group = chunk.float64(0);
  const [models, features, kinds] = (['model', 'feature', 'kind'] as const).map((name) => chunk.strings(column(name)));
  const scalars = SCALARS.map((name) => ({ name, values: chunk.float64(column(name)), mask: chunk.validity(column(name)) }));
  // A NULL list (another writer's way of saying "none") reads as empty.
  const list = <V>(name: keyof SummaryRow, read: (c: number) => ListColumn<V>) => ({ ...read(column(name)), mask: chunk.validity(column(name)) });
  const means = list('means', (c) => chunk.float64List(c));
  const weights = list('weights', (c) => chunk.float64List(c));
  const categories = list('categories', (c) => chunk.stringList(c));
  const counts = list('category_counts', (c) => chunk.float64List(c));
  for (let i = 0; i < n; i++) {
    const row = {
      model: models[i],
      feature: features[i],
      kind: kinds[i],
      means: [] as number[],
      weights: [] as number[],
      categories: listOf(categories, i),
      category_counts: numberArray(slice(counts, i)),
    } as Record<string, unknown>;
    for (const { name, values, mask } of scalars) row[name] = isValid(mask, i) ? values[i] : null;
    const m = slice(means, i);
    const w = slice(weights, i);
    const problem = summaryRowProblem(row, m, w);
    if (problem) throw new SummaryFileError(`row of feature "${String(row.feature)}" is invalid: ${problem}`, group[i]);
    const summary = row as unknown as SummaryRow;
    summary.means = numberArray(m);
    summary.weights = numberArray(w);
    if (summary.kind === 'numeric') attachDigest(summary, m.slice(), w.slice());
    out[group[i]].push(summary);
  }
}

type MaskedList<V> = ListColumn<V> & { mask: Uint8Array | null };

function slice(list: MaskedList<Float64Array>, i: number): Float64Array {
  if (!isValid(list.mask, i)) return new Float64Array(0);
  const [start, length] = listSpan(list.entries, i);
  return list.values.subarray(start, start + length);
}

function listOf<T>(list: MaskedList<readonly T[]>, i: number): T[] {
  if (!isValid(list.mask, i)) return [];
  const [start, length] = listSpan(list.entries, i);
  return list.values.slice(start, start + length);
}
