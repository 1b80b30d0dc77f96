import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareModel, parseConfig, ReferenceCache } from '@/lib/compare';
import { queryRows, readSummaryParquetMany, sqlString, withConnection } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS } from '@/lib/format';
import { addReference, ingest, profileModel } from '@/lib/profile';
import { LocalStorage } from '@/lib/storage';

/**
 * Sparse traffic (issue #11): 4,000 rows over 2,400 hours (100 days), under two an hour. Format
 * 1.x wrote a file per hour at every level (~8,000 files here); 2.0 packs per day, so the store's
 * files follow the days and its bytes the rows. A regression to per-hour files fails the bounds.
 */
const ROWS = 4_000;
const HOURS = 2_400;
const DAYS = HOURS / 24;
const START = Date.UTC(2025, 0, 6); // a Monday: 100 days span 15 weeks

let dir: string;
let storage: LocalStorage;

async function writeData(path: string, rows: number, hours: number, startMs: number, shift: number): Promise<void> {
  const ts = `make_timestamp(CAST((${startMs} + r * ${(hours * HOUR_MS) / rows}) * 1000 AS BIGINT))`;
  const sql = `COPY (SELECT CAST(${ts} AS TIMESTAMPTZ) AS ts, 'o' || r AS id, ${shift} + (r * 7919 % 1000) / 100.0 AS amount, ['DE', 'FR', 'IT'][1 + r % 3] AS country FROM range(${rows}) t(r)) TO ${sqlString(path)} (FORMAT parquet)`;
  await withConnection((c) => c.run(sql));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-sparse-'));
  storage = new LocalStorage(join(dir, 'store'));
  await writeData(join(dir, 'reference.parquet'), 2_000, 24 * 30, START - 30 * DAY_MS, 0);
  await writeData(join(dir, 'live.parquet'), ROWS, HOURS, START, 0);
  await addReference({ storage, model: 'm', name: 'test', file: join(dir, 'reference.parquet'), timestampCol: 'ts', idCol: 'id' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a sparse store (rows spread thin over many hours)', () => {
  it('has files per day, not per hour, and bytes that follow the rows', async () => {
    const ingested = await ingest({ storage, model: 'm', file: join(dir, 'live.parquet'), timestampCol: 'ts', idCol: 'id' });
    expect(ingested.hours).toHaveLength(HOURS);
    expect(ingested.batches).toBe(DAYS);
    const profiled = await profileModel({ storage, model: 'm' });
    expect([profiled.hours, profiled.days]).toEqual([HOURS, DAYS]);

    const keys = await storage.list('models/m/');
    expect(keys.filter((k) => k.includes('hour='))).toEqual([]);
    const count = (part: string) => keys.filter((k) => k.includes(part)).length;
    // Per day: a raw batch, its ids, the hourly pack and the daily rollup (no 6-hour blocks: 40 rows a
    // day is under MIN_BLOCK_DAY_ROWS); per week one rollup.
    expect([count('/raw/predictions/'), count('/ids/'), count('/profiles/hourly/'), count('/profiles/6-hourly/'), count('/profiles/daily/'), count('/profiles/weekly/')]).toEqual([DAYS, DAYS, DAYS, 0, DAYS, 15]);
    const live = keys.filter((k) => !k.includes('/references/'));
    expect(live.length).toBeLessThanOrEqual(4 * DAYS + 15 + 5);
    const { bytes } = (await withConnection((c) => queryRows(c, `SELECT CAST(sum(size) AS DOUBLE) AS bytes FROM read_blob(${sqlString(join(dir, 'store', 'models', 'm'))} || '/**')`)))[0] as { bytes: number };
    // ~1 KB a row at two rows an hour (a summary of two values is as large as the values); 1.3 took ~10 KB.
    expect(bytes / ROWS).toBeLessThan(2_000);
  });

  it('answers an hour-aligned window from the day packs, exactly as the raw rows count', async () => {
    const from = START + 10 * DAY_MS + 5 * HOUR_MS;
    const to = from + 3 * DAY_MS + 7 * HOUR_MS;
    const result = await compareModel({ storage, model: 'm', fromMs: from, toMs: to, reference: 'test', config: parseConfig(''), decode: readSummaryParquetMany, cache: new ReferenceCache() });
    const [{ n }] = await withConnection((c) => queryRows(c, `SELECT CAST(count(*) AS DOUBLE) AS n FROM read_parquet(${sqlString(join(dir, 'live.parquet'))}) WHERE epoch_ms(ts) >= ${from} AND epoch_ms(ts) < ${to}`));
    expect(result.rows).toBe(Number(n));
    expect(result.features.find((f) => f.name === 'amount')!.verdict).not.toBe('drift');
  });
});
