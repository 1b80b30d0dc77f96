import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** The one in-process DuckDB of this process: every profile, ingest and summary read shares it. */
export const DUCKDB_THREADS = 2;

let instance: Promise<DuckDBInstance> | undefined;

const SPILL_PREFIX = 'driftwatch-duckdb-';

/**
 * Spill files go to a per-process directory under the OS temp directory, not `.tmp` in the
 * working directory (DuckDB's default for in-memory databases). It is removed at exit; processes
 * killed before that (test workers) leave theirs, which the next process removes.
 * The time zone is set to UTC once (below), whatever TZ the process runs under.
 */
async function createInstance(): Promise<DuckDBInstance> {
  removeStaleSpillDirs();
  const spill = join(tmpdir(), `${SPILL_PREFIX}${process.pid}`);
  process.once('exit', () => rmSync(spill, { recursive: true, force: true }));
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(DUCKDB_THREADS),
    temp_directory: spill,
    preserve_insertion_order: 'true',
    ...(process.env.DRIFTWATCH_DUCKDB_MEMORY ? { memory_limit: process.env.DRIFTWATCH_DUCKDB_MEMORY } : {}),
  });
  // DuckDB loads ICU and takes the process's TZ for TIMESTAMPTZ ↔ TIMESTAMP casts: under
  // TZ=America/New_York rows landed in the wrong day's file and zoneless times were stored 5 h off.
  // Every time here is UTC (docs/format.md, "Rules"). (A `TimeZone` in the create options is refused before ICU loads.)
  const connection = await instance.connect();
  try {
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    connection.closeSync();
  }
  return instance;
}

function removeStaleSpillDirs(): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(name.slice(SPILL_PREFIX.length));
      if (!name.startsWith(SPILL_PREFIX) || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // best effort: a leftover directory costs nothing but a name
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
