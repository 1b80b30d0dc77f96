import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { queryRows, readSummaryParquetMany, SummaryFileError, sqlString, sqlStringList, withConnection, withTempDir, writeSummaryParquet } from '../duckdb';
import type { SummaryRow } from '../format';
import { damageReason } from '../storage/damaged-file';
import { decodeIds, encodeIds } from '../profile/id-index';

/**
 * A 1.x file that cannot be read as what its key says. Nothing has been deleted when this is
 * thrown (deletion comes after every 2.0 file is written), so the store is still a usable 1.x store.
 */
export class MigrateInputError extends Error {
  override readonly name = 'MigrateInputError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key} is damaged (${reason}): nothing was deleted and the store is still format 1.x; restore this file from a backup (or delete it if its data may be lost), then run \`driftwatch migrate\` again`);
  }
}

export interface Source {
  key: string;
  bytes: Uint8Array;
}

/**
 * One raw Parquet day file from the hour files of one batch, rows sorted by `ts`. union_by_name
 * because a batch's hours may lack a column (a score or feature absent that hour). The row count
 * of the result is checked against the inputs: a short copy must never replace the hour files.
 * Each hour file is read and copied to disk before the next, so memory holds one at a time.
 */
export async function mergeRawParquet(keys: readonly string[], read: (key: string) => Promise<Source>): Promise<{ bytes: Uint8Array; rows: number; hourBytes: number }> {
  return withTempDir('migrate-raw', async (dir) => {
    const paths = keys.map((_, i) => join(dir, `${i}.parquet`));
    let hourBytes = 0;
    for (const [i, key] of keys.entries()) {
      const { bytes } = await read(key);
      hourBytes += bytes.byteLength;
      await writeFile(paths[i], bytes);
    }
    const out = join(dir, 'out.parquet');
    return withConnection(async (c) => {
      let expected = 0;
      // One file at a time first, so a damaged input is named by its key, not by a temporary path.
      for (const [i, path] of paths.entries()) {
        try {
          expected += Number((await queryRows(c, `SELECT CAST(count(*) AS DOUBLE) AS n FROM read_parquet(${sqlString(path)})`))[0].n);
        } catch (error) {
          throw new MigrateInputError(keys[i], `not a readable Parquet file: ${damageReason(error)}`);
        }
      }
      await c.run(`COPY (SELECT * FROM read_parquet(${sqlStringList(paths)}, union_by_name = true) ORDER BY ts) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const rows = Number((await queryRows(c, `SELECT CAST(count(*) AS DOUBLE) AS n FROM read_parquet(${sqlString(out)})`))[0].n);
      if (rows !== expected) throw new MigrateInputError(keys[0], `merging its day gave ${rows} rows, its hour files hold ${expected}`);
      return { bytes: new Uint8Array(await readFile(out)), rows, hourBytes };
    });
  });
}

/**
 * One NDJSON.gz day file from hour files (raw events or labels): lines concatenated in hour order,
 * then stably sorted by `ts` (ISO UTC in normalised events), as the Parquet days are.
 */
export function mergeNdjsonGz(sources: readonly Source[]): { bytes: Uint8Array; rows: number } {
  const lines: { ts: number; line: string }[] = [];
  for (const s of sources) {
    let text: string;
    try {
      text = gunzipSync(s.bytes).toString('utf8');
    } catch (error) {
      throw new MigrateInputError(s.key, `not a readable gzip file: ${damageReason(error)}`);
    }
    for (const [n, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      let ts: number;
      try {
        ts = Date.parse(String((JSON.parse(line) as { ts?: unknown }).ts));
      } catch (error) {
        throw new MigrateInputError(s.key, `line ${n + 1} is not JSON: ${damageReason(error)}`);
      }
      // A line without a parseable ts keeps its place among its hour's lines (sorted as that hour's start).
      lines.push({ ts: Number.isFinite(ts) ? ts : -Infinity, line });
    }
  }
  const sorted = lines.map((l, i) => ({ ...l, i })).sort((a, b) => a.ts - b.ts || a.i - b.i);
  const text = sorted.map((l) => l.line).join('\n');
  return { bytes: gzipSync(text === '' ? '' : `${text}\n`), rows: sorted.length };
}

/** One id list per batch and day: the hours' ids concatenated in hour order. */
export function mergeIds(sources: readonly Source[]): { bytes: Uint8Array; rows: number } {
  const ids: string[] = [];
  for (const s of sources) {
    try {
      ids.push(...decodeIds(s.bytes));
    } catch (error) {
      throw new MigrateInputError(s.key, `not a readable id list: ${damageReason(error)}`);
    }
  }
  return { bytes: encodeIds(ids), rows: ids.length };
}

/**
 * The same summary file with its rows in (period_start, feature, chunk) order: writeSummaryParquet
 * goes through a parallel NDJSON scan and does not keep the order of its input rows (seen here:
 * a 6-hourly day pack came out in a different order on two runs).
 */
async function sortedByPeriod(bytes: Uint8Array): Promise<Uint8Array> {
  return withTempDir('migrate-pack', async (dir) => {
    const [input, out] = [join(dir, 'in.parquet'), join(dir, 'out.parquet')];
    await writeFile(input, bytes);
    await withConnection((c) => c.run(`COPY (SELECT * FROM read_parquet(${sqlString(input)}) ORDER BY period_start, feature, chunk) TO ${sqlString(out)} (FORMAT parquet)`));
    return new Uint8Array(await readFile(out));
  }, 'small');
}

/**
 * A day pack of summaries (hourly or 6-hourly) from the day's 1.x files: rows sorted by
 * period_start, then feature, then chunk; read back after writing to check nothing was lost.
 * Also returns each file's rows, for the hour tokens of the profile state.
 */
export async function mergeSummaries(sources: readonly Source[]): Promise<{ bytes: Uint8Array; rows: number; perSource: SummaryRow[][] }> {
  let perSource: SummaryRow[][];
  try {
    perSource = await readSummaryParquetMany(sources.map((s) => s.bytes));
  } catch (error) {
    // The reader names the bad file by its position when it can; else the first of the day.
    const at = error instanceof SummaryFileError && error.fileIndex !== undefined ? error.fileIndex : 0;
    throw new MigrateInputError(sources[at].key, error instanceof SummaryFileError ? error.reason : damageReason(error));
  }
  const rows = perSource.flat().sort((a, b) => a.period_start - b.period_start || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0) || a.chunk - b.chunk);
  const bytes = await sortedByPeriod(await writeSummaryParquet(rows));
  const back = (await readSummaryParquetMany([bytes]))[0].length;
  if (back !== rows.length) throw new MigrateInputError(sources[0].key, `its day pack read back ${back} rows of ${rows.length}`);
  return { bytes, rows: rows.length, perSource };
}
