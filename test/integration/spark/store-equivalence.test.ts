import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSummaryParquet, sqlString, withConnection, writeSummaryParquet } from '@/lib/duckdb';
import { DAY_MS, layout } from '@/lib/format';
import { ingest, profileModel } from '@/lib/profile';
import { LocalStorage } from '@/lib/storage';
import { compareStoreSummaries, jsonDifferences } from '@/test/helpers/store-equivalence';

/** The comparison the Spark equivalence tests rely on, shown to fail: a store against itself, then against altered copies. */
const START = Date.UTC(2026, 0, 5);
let dir: string;
let store: string;

async function copyWith(name: string, change: (rows: Awaited<ReturnType<typeof readSummaryParquet>>) => void): Promise<LocalStorage> {
  const copy = join(dir, name);
  await cp(store, copy, { recursive: true });
  const storage = new LocalStorage(copy);
  const key = layout.hourlyProfile('m', START + DAY_MS);
  const rows = await readSummaryParquet((await storage.read(key))!);
  change(rows);
  await storage.write(key, await writeSummaryParquet(rows));
  return storage;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-equivalence-'));
  store = join(dir, 'store');
  const file = join(dir, 'live.parquet');
  const ts = `make_timestamp(CAST((${START} + r * ${(3 * DAY_MS) / 6000}) * 1000 AS BIGINT))`;
  await withConnection((c) => c.run(`COPY (SELECT CAST(${ts} AS TIMESTAMPTZ) AS ts, 'o' || r AS id, (r * 7919 % 1000) / 10.0 AS amount, ['DE', 'FR', 'IT'][1 + r % 3] AS country FROM range(6000) t(r)) TO ${sqlString(file)} (FORMAT parquet)`));
  const storage = new LocalStorage(store);
  await ingest({ storage, model: 'm', file, timestampCol: 'ts', idCol: 'id', numeric: ['amount'], categorical: ['country'] });
  await profileModel({ storage, model: 'm' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('store equivalence (the helper of the Spark tests)', () => {
  it('finds a store equivalent to itself, having compared every level', async () => {
    const s = new LocalStorage(store);
    const r = await compareStoreSummaries(s, s, 'm');
    expect(r.differences).toEqual([]);
    expect(r.maxRankError).toBe(0);
    // 3 days of hourly packs, 3 daily, 3 six-hourly (≥ 2,000 rows a day), 1 week.
    expect(r.files).toBe(10);
    expect(r.numericRows).toBeGreaterThan(72);
  });

  it('reports a changed count and a changed category count', async () => {
    const copy = await copyWith('counts', (rows) => {
      const cat = rows.find((r) => r.kind === 'categorical')!;
      cat.category_counts[0] += 1;
      const num = rows.find((r) => r.kind === 'numeric')!;
      num.nulls += 1;
      num.rows += 1;
    });
    const r = await compareStoreSummaries(new LocalStorage(store), copy, 'm');
    expect(r.differences.some((d) => /: rows \d+ vs \d+/.test(d))).toBe(true);
    expect(r.differences.some((d) => /: nulls \d+ vs \d+/.test(d))).toBe(true);
    expect(r.differences.some((d) => /category counts differ \("(DE|FR|IT)" \d+ vs \d+\)/.test(d))).toBe(true);
  });

  it('tolerates a digest moved by a rounding error in rank, not one moved by 5%', async () => {
    const scale = (by: number) => (rows: Awaited<ReturnType<typeof readSummaryParquet>>) => {
      const num = rows.find((r) => r.kind === 'numeric' && r.count > 50)!;
      num.means = num.means.map((m) => m * by);
    };
    const small = await compareStoreSummaries(new LocalStorage(store), await copyWith('small', scale(1 + 1e-11)), 'm');
    expect(small.differences).toEqual([]);
    const big = await compareStoreSummaries(new LocalStorage(store), await copyWith('big', scale(1.05)), 'm');
    expect(big.differences.filter((d) => /quantile 0\.\d+ differs by .* in rank/.test(d)).length).toBe(1);
    expect(big.maxRankError).toBeGreaterThan(1e-3);
  });

  it('reports a missing file', async () => {
    const copy = join(dir, 'missing');
    await cp(store, copy, { recursive: true });
    const storage = new LocalStorage(copy);
    await storage.delete(layout.dailyProfile('m', START));
    const r = await compareStoreSummaries(new LocalStorage(store), storage, 'm');
    expect(r.differences).toEqual([`${layout.dailyProfile('m', START)}: only in the first store`]);
  });

  it('compares JSON answers with 1e-3 on numbers, exactly elsewhere', () => {
    expect(jsonDifferences({ v: 'ok', m: [0.1, 2000] }, { v: 'ok', m: [0.1005, 2001] })).toEqual([]);
    expect(jsonDifferences({ v: 'ok', m: [0.1, 2000] }, { v: 'drift', m: [0.102, 2003] })).toEqual(['v: "ok" vs "drift"', 'm[0]: 0.1 vs 0.102', 'm[1]: 2000 vs 2003']);
  });
});
