import type { DuckDBConnection } from '@duckdb/node-api';
import { columnInfo, type ColumnInfo } from './column-types';
import { sqlString } from './sql';

/** Data files driftwatch reads: CSV, Parquet and newline-delimited JSON (optionally gzipped). */
export type DataFormat = 'csv' | 'parquet' | 'ndjson';

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
}

/** The format a file's name announces: `.csv(.gz)`, `.parquet`/`.pq`, `.ndjson`/`.jsonl`/`.json` (`.gz`). */
export function dataFormatOf(path: string): DataFormat {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.parquet') || name.endsWith('.pq')) return 'parquet';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.json')) return 'ndjson';
  throw new DataFileError(`${path}: unknown data file type; use .csv, .parquet, .ndjson, .jsonl or .ndjson.gz`);
}

export interface ScanOptions {
  /** NDJSON: read exactly these keys with these DuckDB types (e.g. `{ features: 'MAP(VARCHAR, JSON)' }`). */
  jsonColumns?: Record<string, string>;
  /** Add the `key=value` directories of the paths as columns (typed by DuckDB unless `hiveTypes` says). */
  hivePartitioning?: boolean;
  hiveTypes?: Record<string, string>;
  /** Several files: match columns (and struct fields) by name, widening types where they differ. */
  unionByName?: boolean;
  /**
   * CSV: read the structure only, as RFC 4180 (quote and escape `"`), `fields` VARCHAR columns
   * `c0, c1, …`, no sniffing; rows DuckDB cannot split (wrong number of fields, unterminated quote,
   * line too long) are skipped and listed in `rejectsTable` (names unique per scan: each scan appends).
   */
  csvStructure?: { fields: number; delimiter: string; rejectsTable: string; rejectsScan: string };
}

/** Largest NDJSON line DuckDB accepts here; ingest quarantines lines over 1 MB long before. */
const MAX_JSON_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * The table function that scans `paths`. CSV types are sniffed over the whole file
 * (`sample_size = -1`): a sample could type a column BIGINT and then fail on a late `abc`.
 */
export function scanSql(paths: string | readonly string[], format: DataFormat, options: ScanOptions = {}): string {
  const list = typeof paths === 'string' ? sqlString(paths) : `[${paths.map(sqlString).join(', ')}]`;
  const extra: string[] = [];
  // Left unsaid, DuckDB guesses from `key=value` directories: raw store files (`day=…/`) say false.
  if (options.hivePartitioning !== undefined) extra.push(`hive_partitioning = ${options.hivePartitioning}`);
  if (options.hiveTypes) extra.push(`hive_types = {${Object.entries(options.hiveTypes).map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`).join(', ')}}`);
  if (options.unionByName) extra.push('union_by_name = true');
  switch (format) {
    case 'csv': {
      const strict = options.csvStructure;
      if (!strict) return `read_csv(${[list, 'auto_detect = true', 'sample_size = -1', 'header = true', ...extra].join(', ')})`;
      const columns = `{${Array.from({ length: strict.fields }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ')}}`;
      const dialect = [`delim = ${sqlString(strict.delimiter)}`, `quote = '"'`, `escape = '"'`, 'header = true', 'auto_detect = false', `columns = ${columns}`];
      return `read_csv(${[list, ...dialect, 'store_rejects = true', `rejects_table = ${sqlString(strict.rejectsTable)}`, `rejects_scan = ${sqlString(strict.rejectsScan)}`, ...extra].join(', ')})`;
    }
    case 'parquet':
      return `read_parquet(${[list, ...extra].join(', ')})`;
    case 'ndjson': {
      const args = [list, `format = 'newline_delimited'`, `maximum_object_size = ${MAX_JSON_OBJECT_BYTES}`, ...extra];
      if (options.jsonColumns) {
        const cols = Object.entries(options.jsonColumns).map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`);
        args.push(`columns = {${cols.join(', ')}}`);
      }
      return `read_json(${args.join(', ')})`;
    }
  }
}

/** Column names and DuckDB types of a relation (`read_parquet(...)`, a subquery, …) without reading its rows. */
export async function describeRelation(connection: DuckDBConnection, relation: string): Promise<ColumnInfo[]> {
  const result = await connection.run(`SELECT * FROM ${relation} LIMIT 0`);
  const names = result.columnNames();
  const types = result.columnTypes();
  return names.map((name, i) => columnInfo(name, types[i]));
}

/** Describe one data file, naming the file when DuckDB cannot read it. */
export async function describeDataFile(connection: DuckDBConnection, path: string, format = dataFormatOf(path)): Promise<ColumnInfo[]> {
  try {
    return await describeRelation(connection, scanSql(path, format));
  } catch (error) {
    throw new DataFileError(`${path}: cannot be read as ${format}: ${firstLine(error)}`);
  }
}

/** A data file ready to query: `SELECT … FROM ${relation}`, streamed with `streamChunks`/`streamRowObjects`. */
export interface DataFile {
  path: string;
  format: DataFormat;
  relation: string;
  columns: ColumnInfo[];
}

export async function openDataFile(connection: DuckDBConnection, path: string, format = dataFormatOf(path)): Promise<DataFile> {
  return { path, format, relation: scanSql(path, format), columns: await describeDataFile(connection, path, format) };
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
