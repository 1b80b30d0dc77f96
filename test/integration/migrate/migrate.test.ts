import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, readSummaryParquetMany, withConnection } from '@/lib/duckdb';
import type { SummaryRow } from '@/lib/format';
import { migrateStore } from '@/lib/migrate';
import { openStorage } from '@/lib/storage';
import { withJobLock } from '@/lib/cli/commands/store-lock';
import { cli, copyFixture, FIXTURE, readJson, snapshot } from './helpers';

const M = 'models/fraud';
const hourKeys = (files: Map<string, string>) => [...files.keys()].filter((k) => /(^|\/)hour=/.test(k));

async function parquetRows(glob: string): Promise<number> {
  return withConnection(async (c) => Number((await queryRows(c, `SELECT CAST(count(*) AS DOUBLE) AS n FROM read_parquet('${glob}')`))[0].n));
}

function gzLines(bytes: Buffer): string[] {
  return gunzipSync(bytes).toString('utf8').split('\n').filter((l) => l !== '');
}

describe('driftwatch migrate on a real 1.3 store', () => {
  let dir: string;
  let store: string;
  let before: Map<string, string>;
  let after: Map<string, string>;
  let migrated: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-migrate-'));
    store = await copyFixture(dir);
    before = await snapshot(store);
    migrated = await cli(['migrate', '--store', store, '--quiet']);
    after = await snapshot(store);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('converts it: manifest 2.0, no hour files left, fewer files', async () => {
    expect(migrated.err).toEqual([]);
    expect(migrated.code).toBe(0);
    expect((await readJson<{ version: string }>(join(store, 'driftwatch.json'))).version).toBe('2.0');
    // 27 raw batches, 27 id lists, 21 hourly and 11 6-hourly profiles.
    expect(hourKeys(before).length).toBe(86);
    expect(hourKeys(after)).toEqual([]);
    expect(before.size).toBe(107);
    expect(after.size).toBe(39);
    expect(migrated.out[1]).toMatch(/^fraud: 105 files → 37; hour files [\d.]+ KB → day files [\d.]+ KB$/);
    // Files that are not per hour are untouched.
    for (const key of ['config.yaml', `${M}/profiles/daily/day=2026-12-01.parquet`, `${M}/evaluations/day=2026-12-02.parquet`, `${M}/references/test/profile.parquet`, `${M}/alerts/day=2026-12-02.json`]) {
      expect(after.get(key)).toBe(before.get(key));
    }
  });

  it('keeps every raw row and id, one file per batch and day, sorted by ts', async () => {
    const days = ['2026-12-01', '2026-12-02', '2026-12-03'];
    expect([...after.keys()].filter((k) => k.startsWith(`${M}/raw/predictions/`)).sort()).toEqual([
      ...days.flatMap((d) => (d === '2026-12-03' ? [`${M}/raw/predictions/day=${d}/b54ce22a83917886cfd2-0.ndjson.gz`] : [`${M}/raw/predictions/day=${d}/67fb958ab6651c2438cc-0.ndjson.gz`])).slice(0, 2),
      `${M}/raw/predictions/day=2026-12-01/c3c35aab118ad785d322.parquet`,
      `${M}/raw/predictions/day=2026-12-02/c3c35aab118ad785d322.parquet`,
      `${M}/raw/predictions/day=2026-12-03/b54ce22a83917886cfd2-0.ndjson.gz`,
      `${M}/raw/predictions/day=2026-12-03/c3c35aab118ad785d322.parquet`,
    ].sort());
    expect(await parquetRows(join(store, M, 'raw/predictions/day=*/*.parquet'))).toBe(171);
    expect(await parquetRows(join(FIXTURE, 'store', M, 'raw/predictions/hour=*/*.parquet'))).toBe(171);
    let events = 0;
    for (const key of [...after.keys()].filter((k) => k.endsWith('.ndjson.gz'))) {
      const ts = gzLines(await readFile(join(store, key))).map((l) => Date.parse((JSON.parse(l) as { ts: string }).ts));
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
      events += ts.length;
    }
    expect(events).toBe(24 + 6);
    let ids = 0;
    for (const key of [...after.keys()].filter((k) => k.endsWith('.ids.gz'))) ids += gzLines(await readFile(join(store, key))).length;
    expect(ids).toBe(171 + 24 + 6);
  });

  it('writes a v2 profile state of the up-to-date days, and evaluation tokens from it', async () => {
    const state = await readJson<{ version: number; days: Record<string, { batches: string[]; hours: Record<string, string> }>; pending_days: number[] }>(join(store, M, 'state/profile-state.json'));
    expect(state.version).toBe(2);
    // 2026-12-03 had late data after the last profile: left for the next `profile`.
    expect(Object.keys(state.days)).toEqual(['2026-12-01', '2026-12-02']);
    expect(state.days['2026-12-01'].batches).toEqual(['67fb958ab6651c2438cc-0.ndjson.gz', 'c3c35aab118ad785d322.parquet']);
    expect(Object.keys(state.days['2026-12-01'].hours)).toEqual(['2026-12-01T02', '2026-12-01T03', '2026-12-01T07', '2026-12-01T08', '2026-12-01T10', '2026-12-01T13', '2026-12-01T14', '2026-12-01T19', '2026-12-01T23']);
    expect(state.pending_days).toEqual([]);
    expect(migrated.out.join('\n')).toContain('left for the next `driftwatch profile`: 2026-12-03');
    const tokens = Object.assign({}, ...Object.values(state.days).map((d) => d.hours)) as Record<string, string>;
    const evaluation = await readJson<{ last_window_end: number; profile_versions: Record<string, string> }>(join(store, M, 'state/evaluation-state.json'));
    expect(evaluation.profile_versions).toEqual(tokens);
    expect(evaluation.last_window_end).toBe(Date.parse('2026-12-04T00:00:00Z'));
    expect(after.has(`${M}/state/migrate-1.x-profile-state.json`)).toBe(false);
  });

  it('packs each day of hourly and 6-hourly summaries with exactly the rows of its hour files', async () => {
    const plain = (rows: SummaryRow[]) => rows.map((r) => ({ ...r }));
    for (const [dir, days] of [['hourly', 3], ['6-hourly', 3]] as const) {
      const packs = [...after.keys()].filter((k) => k.startsWith(`${M}/profiles/${dir}/`)).sort();
      expect(packs.length).toBe(days);
      for (const pack of packs) {
        const day = /day=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(pack)?.[1];
        const olds = hourKeys(before).filter((k) => k.startsWith(`${M}/profiles/${dir}/day=${day}/`)).sort();
        const [rows, ...hours] = await readSummaryParquetMany([await readFile(join(store, pack)), ...(await Promise.all(olds.map((k) => readFile(join(FIXTURE, 'store', k)))))]);
        const stored = await withConnection((c) => queryRows(c, `SELECT CAST(period_start AS DOUBLE) AS p, feature FROM read_parquet('${join(store, pack)}')`));
        const order = stored.map((r) => `${r.p} ${String(r.feature)}`);
        expect(order).toEqual([...order].sort());
        const byStart = (a: SummaryRow, b: SummaryRow) => a.period_start - b.period_start || (a.feature < b.feature ? -1 : 1) || a.chunk - b.chunk;
        expect(plain([...rows].sort(byStart))).toEqual(plain(hours.flat().sort(byStart)));
      }
    }
  });

  // The 1.3 code's answers (test/fixtures/store-1.3/compare-1.3): a whole day (daily rollup), 06–18 (6-hourly blocks), 02–09 (hours).
  for (const [from, to, file] of [
    ['2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 'compare-day1.json'],
    ['2026-12-02T06:00:00Z', '2026-12-02T18:00:00Z', 'compare-day2-06-18.json'],
    ['2026-12-01T02:00:00Z', '2026-12-01T09:00:00Z', 'compare-day1-02-09.json'],
  ]) {
    it(`gives the same compare --json as the 1.3 code, ${from} … ${to}`, async () => {
      type Feature = { name: string; verdict: string; metric: string; value: number | null; count: number; metrics: Record<string, number | null> };
      const run = await cli(['compare', '--store', store, '--model', 'fraud', '--from', from, '--to', to, '--json']);
      expect(run.err).toEqual([]);
      const got = JSON.parse(run.out.join('\n')) as { rows: number; features: Feature[] };
      const old = await readJson<{ rows: number; features: Feature[] }>(join(FIXTURE, 'compare-1.3', file));
      expect(got.rows).toBe(old.rows);
      expect(got.features.map((f) => [f.name, f.verdict, f.metric, f.count])).toEqual(old.features.map((f) => [f.name, f.verdict, f.metric, f.count]));
      for (const [i, f] of old.features.entries()) {
        for (const [metric, value] of Object.entries(f.metrics)) {
          if (value === null) expect(got.features[i].metrics[metric]).toBeNull();
          // Same summaries, read from a day pack instead of hour files: equal up to float summation order.
          else expect(got.features[i].metrics[metric]).toBeCloseTo(value, 12);
        }
      }
    });
  }

  it('is a no-op when run again', async () => {
    const again = await cli(['migrate', '--store', store]);
    expect(again.code).toBe(0);
    expect(again.out).toEqual(['store is already format 2.0: nothing to migrate']);
    expect(await snapshot(store)).toEqual(after);
  });

  it('lets the next profile recompute the day left out, late rows included', async () => {
    const run = await cli(['profile', '--store', store]);
    expect(run.err.filter((l) => !l.includes('%'))).toEqual([]);
    expect(run.code).toBe(0);
    const state = await readJson<{ days: Record<string, { batches: string[]; hours: Record<string, string> }> }>(join(store, M, 'state/profile-state.json'));
    expect(Object.keys(state.days)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(Object.keys(state.days['2026-12-03'].hours)).toContain('2026-12-03T20');
    expect(hourKeys(await snapshot(store))).toEqual([]);
  });
});

describe('a 1.x store before migrate', () => {
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-migrate-'));
    store = await copyFixture(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused by every command that reads it, naming `driftwatch migrate`', async () => {
    const files = await snapshot(store);
    for (const args of [
      ['compare', '--model', 'fraud', '--window', '12h', '--to', '2026-12-02T00:00:00Z'],
      ['profile'],
      ['evaluate', '--at', '2026-12-04T00:00:00Z'],
      ['ingest', '--model', 'fraud', '--file', join(dir, 'none.ndjson')],
    ]) {
      const run = await cli([...args, '--store', store]);
      expect(run.code).not.toBe(0);
      expect(run.err.join('\n')).toContain('this store is format 1.3, but this driftwatch reads format 2.0: run `driftwatch migrate`');
    }
    expect(await snapshot(store)).toEqual(files);
  });

  it('waits for a running profile, then gives up with status 75 and changes nothing', async () => {
    const files = await snapshot(store);
    const ctx = { log: () => undefined, error: () => undefined };
    const run = await withJobLock(openStorage(store), 'fraud', 'profile', 0, ctx, () => cli(['migrate', '--store', store, '--wait', '0', '--quiet']));
    expect(run.code).toBe(75);
    expect(run.err[0]).toMatch(/^driftwatch migrate: migrate needs the store lock, nothing was changed: profile of fraud is running/);
    expect(await snapshot(store)).toEqual(files);
  });

  it('--dry-run reports the change and writes nothing', async () => {
    const files = await snapshot(store);
    const run = await cli(['migrate', '--store', store, '--dry-run', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('dry run: format 1.3 → 2.0 would change (nothing was written):');
    expect(run.out[1]).toMatch(/^fraud: 105 files → 37 \(would be\); hour files [\d.]+ KB → day files [\d.]+ KB$/);
    expect(run.out[2]).toMatch(/^ {2}raw NDJSON: 8 hour files \(1\.6 KB\) → 3 day files \(\d+ B\)$/);
    expect(run.out).toContain('  raw Parquet: 19 hour files (26.0 KB) → 3 day files (8.2 KB)');
    expect(run.out.find((l) => l.startsWith('  hourly profiles:'))).toMatch(/^ {2}hourly profiles: 21 hour files \(64\.0 KB\) → 3 day files \([\d.]+ KB\)$/);
    expect(await snapshot(store)).toEqual(files);
  });

  it('stops at a damaged hour file, naming it, and deletes nothing', async () => {
    const damaged = `${M}/raw/predictions/hour=2026-12-02T12/c3c35aab118ad785d322.parquet`;
    const bytes = await readFile(join(store, damaged));
    await writeFile(join(store, damaged), bytes.subarray(0, 300));
    const files = await snapshot(store);
    const run = await cli(['migrate', '--store', store, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(new RegExp(`^driftwatch migrate: ${damaged.replace(/[.]/g, '\\.')} is damaged \\(not a readable Parquet file: .+\\): nothing was deleted and the store is still format 1\\.x;`));
    const now = await snapshot(store);
    // Day files of other batches may have been written; every 1.x file is still there, unchanged.
    for (const [key, sha] of files) expect(now.get(key)).toBe(sha);
    expect((await readJson<{ version: string }>(join(store, 'driftwatch.json'))).version).toBe('1.3');
    await writeFile(join(store, damaged), bytes);
    expect((await cli(['migrate', '--store', store, '--quiet'])).code).toBe(0);
    expect(hourKeys(await snapshot(store))).toEqual([]);
  });
});

describe('an interrupted migrate, run again', () => {
  let dir: string;
  let reference: Map<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-migrate-'));
    const clean = await copyFixture(dir, 'clean');
    expect((await cli(['migrate', '--store', clean, '--quiet'])).code).toBe(0);
    reference = await snapshot(clean);
    reference.delete('driftwatch.json');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const step of ['states', 'manifest', 'delete'] as const) {
    it(`finishes a run stopped before its ${step} step, as a run never stopped`, async () => {
      const store = await copyFixture(dir, `stopped-${step}`);
      await migrateStore(openStorage(store), ['fraud'], { interruptBefore: step });
      const manifest = await readJson<{ version: string }>(join(store, 'driftwatch.json'));
      expect(manifest.version).toBe(step === 'delete' ? '2.0' : '1.3');
      expect(hourKeys(await snapshot(store)).length).toBe(86);
      const run = await cli(['migrate', '--store', store, '--quiet']);
      expect(run.err).toEqual([]);
      expect(run.code).toBe(0);
      if (step === 'delete') expect(run.out).toEqual(['fraud: 86 format 1.x files left by an interrupted migrate', 'fraud: removed 86 format 1.x files', `store ${store} is format 2.0: migration finished`]);
      const files = await snapshot(store);
      files.delete('driftwatch.json');
      expect(files).toEqual(reference);
    });
  }

  it('removes 1.x hour files copied back into a 2.0 store, and keeps one that has no 2.0 file', async () => {
    const store = await copyFixture(dir, 'copied-back');
    expect((await cli(['migrate', '--store', store, '--quiet'])).code).toBe(0);
    const migrated = await snapshot(store);
    await cp(join(FIXTURE, 'store', M, 'ids'), join(store, M, 'ids'), { recursive: true });
    const orphan = `${M}/profiles/hourly/day=2026-12-05/hour=2026-12-05T01.parquet`;
    await cp(join(FIXTURE, 'store', M, 'profiles/hourly/day=2026-12-01/hour=2026-12-01T02.parquet'), join(store, orphan), { recursive: true });
    const run = await cli(['migrate', '--store', store]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`fraud: removed 27 format 1.x files; kept 1 whose 2.0 file is missing: ${orphan}`);
    const files = await snapshot(store);
    expect(hourKeys(files)).toEqual([orphan]);
    files.delete(orphan);
    expect(files).toEqual(migrated);
  });
});
