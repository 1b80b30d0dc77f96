import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString, withConnection } from '@/lib/duckdb';
import { DAY_MS, layout } from '@/lib/format';
import { LocalStorage } from '@/lib/storage';
import { compareStoreSummaries } from '@/test/helpers/store-equivalence';
import { cliFor, compareDifferences, requireSparkVenv } from './spark-harness';

/**
 * A mixed store (issue #15): days 1–10 profiled by one engine, days 11–20 ingested later and
 * profiled by the other, both ways round. Each must equal a store the embedded engine profiled
 * in one go — the hourly packs, the 6-hourly and daily rollups, and the weekly rollup of the week
 * that spans the boundary (Monday 12 to Sunday 18 January: 3 days of one engine, 4 of the other).
 */
const MODEL = 'm';
const START = Date.UTC(2026, 0, 5); // a Monday
const ROWS_PER_DAY = 2_400;
const flags = ['--model', MODEL, '--timestamp-col', 'ts', '--id-col', 'id', '--numeric', 'amount,latency', '--categorical', 'country'];

let dir: string;
const stores = { single: '', duckThenSpark: '', sparkThenDuck: '' };
let firstPackBefore: Buffer;
let firstPackAfter: Buffer;

/** Rows of days [fromDay, toDay): a numeric feature drifting upwards, one with nulls and NaN, a categorical one. */
async function writeDays(path: string, fromDay: number, toDay: number): Promise<void> {
  const n = (toDay - fromDay) * ROWS_PER_DAY;
  const ts = `make_timestamp(CAST((${START + fromDay * DAY_MS} + r * ${DAY_MS / ROWS_PER_DAY} + (r * 7919 % 1000)) * 1000 AS BIGINT))`;
  const day = `(${fromDay} + r // ${ROWS_PER_DAY})`;
  const sql = `COPY (SELECT CAST(${ts} AS TIMESTAMPTZ) AS ts, 'id-${fromDay}-' || r AS id,
    (r * 104729 % 10007) / 100.0 + ${day} * 3 AS amount,
    CASE WHEN r % 41 = 0 THEN NULL WHEN r % 103 = 0 THEN CAST('NaN' AS DOUBLE) ELSE round(ln(1 + r % 977) * 10, 1) END AS latency,
    CASE WHEN ${day} >= 14 AND r % 5 = 0 THEN 'ES' ELSE ['DE', 'FR', 'IT', 'NL'][1 + (r * 31) % 4] END AS country
    FROM range(${n}) t(r)) TO ${sqlString(path)} (FORMAT parquet)`;
  await withConnection((c) => c.run(sql));
}

async function newStore(name: string) {
  const store = join(dir, name);
  const cli = cliFor(store);
  await cli.run(['init']);
  await cli.run(['reference', 'add', '--name', 'test', '--file', join(dir, 'reference.parquet'), ...flags]);
  return { store, cli };
}

beforeAll(async () => {
  requireSparkVenv();
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-spark-mixed-'));
  await writeDays(join(dir, 'reference.parquet'), -14, -7);
  await writeDays(join(dir, 'days-1-10.parquet'), 0, 10);
  await writeDays(join(dir, 'days-11-20.parquet'), 10, 20);
  const ingest = (part: string) => ['ingest', '--file', join(dir, part), ...flags];

  const single = await newStore('single');
  await single.cli.run(ingest('days-1-10.parquet'));
  await single.cli.run(ingest('days-11-20.parquet'));
  await single.cli.run(['profile']);
  stores.single = single.store;

  const ds = await newStore('duck-then-spark');
  await ds.cli.run(ingest('days-1-10.parquet'));
  await ds.cli.run(['profile']);
  firstPackBefore = await readFile(join(ds.store, layout.hourlyProfile(MODEL, START)));
  await ds.cli.run(ingest('days-11-20.parquet'));
  await ds.cli.run(['profile', '--engine', 'spark', '--spark-master', 'local[2]']);
  firstPackAfter = await readFile(join(ds.store, layout.hourlyProfile(MODEL, START)));
  await ds.cli.run(['evaluate']);
  stores.duckThenSpark = ds.store;

  const sd = await newStore('spark-then-duck');
  await sd.cli.run(ingest('days-1-10.parquet'));
  await sd.cli.run(['profile', '--engine', 'spark', '--spark-master', 'local[2]']);
  await sd.cli.run(ingest('days-11-20.parquet'));
  await sd.cli.run(['profile']);
  await sd.cli.run(['evaluate']);
  stores.sparkThenDuck = sd.store;
}, 900_000);

afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('a store profiled by both engines, one after the other', () => {
  it('Spark profiled only the new days: the embedded engine\'s packs of days 1–10 are untouched', () => {
    expect(firstPackAfter.equals(firstPackBefore)).toBe(true);
  });

  it.each(['duckThenSpark', 'sparkThenDuck'] as const)('%s: every pack and rollup equals the single-engine store\'s, the boundary week included', async (name) => {
    const r = await compareStoreSummaries(new LocalStorage(stores.single), new LocalStorage(stores[name]), MODEL);
    expect(r.differences).toEqual([]);
    // 20 hourly packs, 20 daily, 20 six-hourly (2,400 rows a day), 3 weeks.
    expect(r.files).toBe(63);
    const week = layout.weeklyProfile(MODEL, START + 7 * DAY_MS);
    expect(await new LocalStorage(stores[name]).exists(week)).toBe(true);
  });

  it.each(['duckThenSpark', 'sparkThenDuck'] as const)('%s: the profile state lists all 20 days, none pending', async (name) => {
    const state = JSON.parse(await readFile(join(stores[name], layout.profileState(MODEL)), 'utf8')) as { days: Record<string, unknown>; pending_days: number[] };
    expect(Object.keys(state.days)).toHaveLength(20);
    expect(state.pending_days).toEqual([]);
  });

  it.each(['duckThenSpark', 'sparkThenDuck'] as const)('%s: compare across the boundary gives the single store\'s verdicts and metrics', async (name) => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const windows = [
      { from: iso(START + 8 * DAY_MS), to: iso(START + 12 * DAY_MS) },
      { from: iso(START + 7 * DAY_MS), to: iso(START + 14 * DAY_MS) },
      { from: iso(START + 9 * DAY_MS + DAY_MS / 2), to: iso(START + 10 * DAY_MS + DAY_MS / 2) },
      { from: iso(START), to: iso(START + 20 * DAY_MS) },
    ];
    const r = await compareDifferences(stores.single, stores[name], MODEL, windows, ['test']);
    expect(r.differences).toEqual([]);
    expect(r.verdicts.drift ?? 0).toBeGreaterThan(0);
  });

  it.each(['duckThenSpark', 'sparkThenDuck'] as const)('%s: evaluate ran over every hour', async (name) => {
    const keys = await new LocalStorage(stores[name]).list(layout.evaluationsPrefix(MODEL));
    expect(keys.length).toBeGreaterThan(10);
  });
});
