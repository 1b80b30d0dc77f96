import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlString, sqlStringList, streamChunks } from '../duckdb';
import { DamagedFileError, damageReason } from '../storage/damaged-file';

/** A raw batch as profile reads it: where DuckDB reads it (in the store or a temporary copy), and its store key. */
export interface RawBatchFile {
  path: string;
  key: string;
}

/**
 * Rows the raw Parquet batches hold, by their footers (one small read per file). A streamed scan
 * that fails midway just ends (see readSummaryParquetMany): profile compares its count with this.
 */
export async function parquetFooterRows(connection: DuckDBConnection, files: readonly RawBatchFile[]): Promise<number> {
  const rows = await queryRows(connection, `SELECT CAST(sum(num_rows) AS DOUBLE) AS n FROM parquet_file_metadata(${sqlStringList(files.map((f) => f.path))})`);
  return Number(rows[0]?.n ?? 0);
}

/** Why one raw Parquet batch cannot be read whole, or undefined when every row its footer counts reads. */
async function rawParquetProblem(connection: DuckDBConnection, file: RawBatchFile): Promise<string | undefined> {
  try {
    const expected = await parquetFooterRows(connection, [file]);
    let rows = 0;
    for await (const chunk of streamChunks(connection, `SELECT * FROM read_parquet(${sqlString(file.path)})`)) rows += chunk.rowCount;
    return rows === expected ? undefined : `unreadable data: ${rows} of ${expected} rows could be read`;
  } catch (error) {
    return `not a readable Parquet file: ${damageReason(error).split(file.path).join(file.key)}`;
  }
}

/**
 * The batch of several raw files failed (an error, or fewer rows than their footers count): read
 * them one by one, only on this path, to name the damaged one by its store key. Undefined when
 * each reads whole alone (the failure was not the files').
 */
export async function findDamagedRawBatch(connection: DuckDBConnection, files: readonly RawBatchFile[], storeUrl: string): Promise<DamagedFileError | undefined> {
  for (const file of files) {
    const problem = await rawParquetProblem(connection, file);
    if (problem !== undefined) return new DamagedFileError(file.key, problem, storeUrl);
  }
  return undefined;
}

/**
 * The batch of several raw NDJSON files failed: read them one by one (each whole, as the profile
 * does) to name the damaged one by its store key; undefined when each reads alone.
 */
export async function findDamagedNdjsonBatch(connection: DuckDBConnection, files: readonly RawBatchFile[], storeUrl: string): Promise<DamagedFileError | undefined> {
  for (const file of files) {
    try {
      await queryRows(connection, `SELECT count(*) AS n FROM read_json(${sqlString(file.path)}, format = 'newline_delimited', hive_partitioning = false)`);
    } catch (error) {
      return new DamagedFileError(file.key, `not readable NDJSON: ${damageReason(error).split(file.path).join(file.key)}`, storeUrl);
    }
  }
  return undefined;
}
