import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** The one in-process DuckDB of this process: every profile, ingest and summary read shares it. */
export const DUCKDB_THREADS = 2;

let instance: Promise<DuckDBInstance> | undefined;

/**
 * Spill files go to the OS temp directory, not `.tmp` in the working directory (DuckDB's default
 * for in-memory databases); DuckDB creates the directory when it first spills, we remove it at
 * exit. Without the ICU extension (not bundled) TIMESTAMPTZ is always UTC.
 */
function createInstance(): Promise<DuckDBInstance> {
  const spill = join(tmpdir(), `driftwatch-duckdb-${process.pid}`);
  process.once('exit', () => rmSync(spill, { recursive: true, force: true }));
  return DuckDBInstance.create(':memory:', {
    threads: String(DUCKDB_THREADS),
    temp_directory: spill,
    preserve_insertion_order: 'true',
  });
}

export function duckdbInstance(): Promise<DuckDBInstance> {
  instance ??= createInstance();
  return instance;
}

/**
 * Run `fn` on a fresh connection to the shared instance. One connection per task: a connection
 * holds at most one streaming result, and tasks may run concurrently.
 */
export async function withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await (await duckdbInstance()).connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
  }
}

/** All rows of a small query as plain JS values (BIGINT as bigint: cast in SQL when numbers are wanted). */
export async function queryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
