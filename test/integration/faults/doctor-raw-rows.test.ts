import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { queryRows, sqlString, withConnection } from '@/lib/duckdb';
import { HOUR_MS, type ModelMeta } from '@/lib/format';
import { ProfileAccumulator } from '@/lib/profile/accumulator';
import { readModelMeta } from '@/lib/profile/model-store';
import { runProfilePass } from '@/lib/profile/profile-pass';
import { describeRawParquet, hourGroupSql, modelFeatures, parquetPass, parquetRelation } from '@/lib/profile/raw-sources';
import { openStorage } from '@/lib/storage';
import { START } from './helpers';

/**
 * Issue #10, "damage is contained and named", for raw Parquet batches: a DuckDB stream that
 * fails midway can end without an error, so `profile` compares the rows it read with the rows the
 * batches' footers hold. A batch that reads short names its store key, and its day is not written
 * (format 2.0: a raw batch holds the rows of a UTC day, and a day is profiled whole).
 */
let dir: string;
let store: string;
const MODEL = 'table-model';
const DAY_1 = '2026-11-01';
/** A healthy model, profiled in the same run after the damaged one. */
const OTHER = 'zz-model';
/** The raw batches of the day of hour `h` (format 2.0: one file per batch and day; 1.x: per hour). */
const dayDir = (h: number) => `models/${MODEL}/raw/predictions/day=${new Date(START + h * HOUR_MS).toISOString().slice(0, 10)}`;
/** Hours of data: three on 2026-11-01 (the day damaged below) and one on 2026-11-02, another day of the same model. */
const HOURS = [0, 1, 2, 24];

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

/**
 * Rows profile's own scan (the pass over the features, as in lib/profile/profile.ts) gives for a
 * raw batch before it ends, and whether it ended with an error.
 */
async function profileScan(path: string, meta: ModelMeta): Promise<{ rows: number; failed: boolean }> {
  return withConnection(async (c) => {
    try {
      const relation = parquetRelation([path]);
      const pass = parquetPass(relation, hourGroupSql('ts', Math.floor(START / HOUR_MS)), meta, await describeRawParquet(c, relation));
      return { rows: await runProfilePass(c, pass, new ProfileAccumulator(modelFeatures(meta))), failed: false };
    } catch {
      return { rows: 0, failed: true };
    }
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-doctor-raw-'));
  store = join(dir, 'store');
  const csv = ['id,ts,x,c'];
  for (const h of HOURS) for (let i = 0; i < 4000; i++) csv.push(`e${h}-${i},${new Date(START + h * HOUR_MS + i * 800).toISOString()},${(i * 7919) % 1000},${'abc'[i % 3]}`);
  await writeFile(join(dir, 'events.csv'), `${csv.join('\n')}\n`);
  const ingest = (model: string) => ['ingest', '--model', model, '--file', join(dir, 'events.csv'), '--id-col', 'id', '--timestamp-col', 'ts'];
  for (const args of [['init'], ingest(MODEL), ingest(OTHER)]) {
    const r = await cli(...args, '--store', store);
    expect(r.code, r.out).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('profile: a raw Parquet batch that reads short', () => {
  // Format 2.0: the damaged batch holds a day (2026-11-01), so that day is left out and stays due;
  // the model's other day (2026-11-02) and the other model are profiled.
  it('fails naming the batch’s store key; the other days and models are profiled; the day is profiled once the batch is restored', async () => {
    const batch = `${dayDir(1)}/${(await readdir(join(store, dayDir(1))))[0]}`;
    const path = join(store, batch);
    const original = await readFile(path);
    // A batch of 300,000 rows in row groups of 10,000 (its 12,000 rows of 3 hours 25 times), then 200 bytes flipped
    // where profile's scan of the file ends early without an error: a silent partial read.
    const regrouped = join(dir, 'regrouped.parquet');
    await withConnection((c) => c.run(`COPY (SELECT * FROM read_parquet(${sqlString(path)}), range(25)) TO ${sqlString(regrouped)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 10000)`));
    const clean = await readFile(regrouped);
    const total = Number((await withConnection((c) => queryRows(c, `SELECT num_rows FROM parquet_file_metadata(${sqlString(regrouped)})`)))[0].num_rows);
    expect(total).toBe(300_000);
    const hourly = `models/${MODEL}/profiles/hourly`;
    const meta = (await readModelMeta(openStorage(store), MODEL)) as ModelMeta;
    const probe = join(dir, 'probe', `day=${DAY_1}`, '0.parquet');
    await mkdir(join(probe, '..'), { recursive: true });
    let damaged: Buffer | undefined;
    let short = 0;
    for (let at = Math.floor(clean.length * 0.1); at < clean.length * 0.8 && !damaged; at += Math.floor(clean.length / 100)) {
      const bytes = Buffer.from(clean);
      for (let i = 0; i < 200; i++) bytes[at + i] ^= 0xff;
      await writeFile(probe, bytes);
      const read = await profileScan(probe, meta);
      if (!read.failed && read.rows < total) [damaged, short] = [bytes, read.rows];
    }
    try {
      expect(damaged, 'no offset gave a silent partial read').toBeDefined();
      expect(short).toBeLessThan(total);
      await writeFile(path, damaged as Buffer);
      const r = await cli('profile', '--store', store, '--wait', '0');
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`driftwatch profile: ${MODEL}: ${batch} is damaged (`);
      expect(r.out).toContain(`${OTHER}: 4 hourly profiles written`);
      expect(await readdir(join(store, hourly.replace(MODEL, OTHER)))).toEqual(['day=2026-11-01.parquet', 'day=2026-11-02.parquet']);
      expect(r.out).toContain(`driftwatch doctor --store ${store}`);
      expect(r.out).not.toMatch(/\/dev\/shm|driftwatch-(profile|[a-z]+-read)-/);
      // Nothing of the damaged batch's day is written (1.x: its hour only); the other day is.
      expect(await readdir(join(store, hourly))).toEqual(['day=2026-11-02.parquet']);
      const state = JSON.parse(await readFile(join(store, `models/${MODEL}/state/profile-state.json`), 'utf8')) as { days: Record<string, { hours: Record<string, unknown> }> };
      expect(Object.keys(state.days)).toEqual(['2026-11-02']);
      expect(Object.keys(state.days['2026-11-02'].hours)).toEqual(['2026-11-02T00']);
    } finally {
      await writeFile(path, original);
    }
    const again = await cli('profile', '--store', store, '--model', MODEL, '--wait', '0');
    expect(again.code, again.out).toBe(0);
    // The day's three hours (1.x: the one hour of the batch).
    expect(again.out).toContain(`${MODEL}: 3 hourly profiles written`);
    expect(await readdir(join(store, hourly))).toEqual(['day=2026-11-01.parquet', 'day=2026-11-02.parquet']);
  });

  it('a truncated raw batch (no footer) names its store key too', async () => {
    const batch = `${dayDir(2)}/${(await readdir(join(store, dayDir(2))))[0]}`;
    const original = await readFile(join(store, batch));
    await writeFile(join(store, batch), original.subarray(0, Math.floor(original.length / 2)));
    // A new batch in the day makes it due again.
    await writeFile(join(store, dayDir(2), 'zz-extra.parquet'), original);
    try {
      const r = await cli('profile', '--store', store, '--model', MODEL, '--wait', '0');
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`driftwatch profile: ${MODEL}: ${batch} is damaged (not a readable Parquet file: `);
      expect(r.out).not.toMatch(/\/dev\/shm|driftwatch-(profile|[a-z]+-read)-/);
    } finally {
      await writeFile(join(store, batch), original);
      await rm(join(store, dayDir(2), 'zz-extra.parquet'));
    }
  });
});
