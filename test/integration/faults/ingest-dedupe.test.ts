/**
 * Issue #10, "Event ids are unique per model": an id re-sent with another timestamp (a retried
 * capture with a fresh clock) lands in another prediction hour; it is still stored once when that
 * hour is within `ingest.dedupe_window` (default 7d) of the first, through the events and the
 * table paths, and a crashed ingest re-run ends with the same t.store as a clean one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withConnection } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout } from '@/lib/format';
import { decodeIds } from '@/lib/profile/id-index';
import { openStorage } from '@/lib/storage';
import { cliStore } from './ingest-helpers';

const t = cliStore('dedupe');
/** Midnight UTC twenty days ago: every hour used below is in the past and after the earliest date. */
const DAY = Math.floor(Date.now() / DAY_MS) * DAY_MS - 20 * DAY_MS;
const ids = Array.from({ length: 50 }, (_, i) => `retry-${i}`);
const event = (id: string, ms: number) => JSON.stringify({ model: 'm', id, ts: new Date(ms + 60_000).toISOString(), features: { amount: 12.5, country: 'DE' } });
const csv = (ms: number) => ['id,ts,amount,country', ...ids.map((id) => `${id},${new Date(ms + 60_000).toISOString()},12.5,DE`)].join('\n') + '\n';

async function ingestFile(name: string, text: string, ...flags: string[]): Promise<string> {
  const file = join(t.dir, name);
  await writeFile(file, text);
  t.clear();
  expect(await t.run('ingest', '--model', 'm', '--file', file, ...flags), t.err.join('\n')).toBe(0);
  return t.out.join('\n');
}

/** Every id stored in the index, with repeats: one entry per stored row. */
async function storedIds(): Promise<string[]> {
  const storage = openStorage(t.store);
  const all: string[] = [];
  for (const key of await storage.list(layout.idsPrefix('m'))) all.push(...decodeIds((await storage.read(key))!));
  return all.sort();
}

/** Keys and bytes of the raw batches and the id index. */
async function snapshot(): Promise<Map<string, string>> {
  const storage = openStorage(t.store);
  const keys = [...(await storage.list(layout.rawPredictionsPrefix('m'))), ...(await storage.list(layout.idsPrefix('m')))];
  return new Map(await Promise.all(keys.map(async (k) => [k, Buffer.from((await storage.read(k))!).toString('base64')] as [string, string])));
}

describe('fault injection: duplicate ids across hours', () => {
  it('an id re-sent 3 h later in a second NDJSON file is stored once, and counted', async () => {
    const first = DAY + 10 * HOUR_MS;
    await ingestFile('first.ndjson', ids.map((id) => event(id, first)).join('\n'));
    const report = await ingestFile('retry.ndjson', ids.map((id) => event(id, first + 3 * HOUR_MS)).join('\n'));
    expect(report).toMatch(/50 lines read = 50 accepted \+ 0 quarantined; stored in 1 hours \(0 new batches\)/);
    expect(report).toMatch(/50 duplicates stored once \(0 repeated in the file, 50 duplicates of ids already stored\)/);
    expect(await storedIds()).toEqual([...ids].sort());
    // The retry wrote no raw file: the day holds the first file's batch only.
    expect(await openStorage(t.store).list(layout.rawPredictionsDayPrefix('m', first + 3 * HOUR_MS))).toHaveLength(1);
  });

  it('across a day boundary, and through the table path (CSV and Parquet) too', async () => {
    const late = DAY + 23 * HOUR_MS;
    await ingestFile('late.ndjson', ids.map((id) => event(id, late)).join('\n'));
    const tableFlags = ['--id-col', 'id', '--timestamp-col', 'ts'];
    const report = await ingestFile('next-day.csv', csv(late + 3 * HOUR_MS), ...tableFlags);
    expect(report).toMatch(/50 duplicates stored once \(0 repeated in the file, 50 duplicates of ids already stored\)/);
    // Parquet: the same rows written by DuckDB, re-sent two days later still.
    const parquet = join(t.dir, 'resend.parquet');
    await writeFile(join(t.dir, 'resend.csv'), csv(late + 2 * DAY_MS));
    await withConnection((c) => c.run(`COPY (SELECT * FROM read_csv('${join(t.dir, 'resend.csv')}')) TO '${parquet}' (FORMAT parquet)`));
    t.clear();
    expect(await t.run('ingest', '--model', 'm', '--file', parquet, ...tableFlags)).toBe(0);
    expect(t.out.join('\n')).toMatch(/50 duplicates stored once \(0 repeated in the file, 50 duplicates of ids already stored\)/);
    expect(await storedIds()).toEqual([...ids].sort());
  });

  it('beyond the window the id is stored again (documented), and the window is configurable', async () => {
    const first = DAY;
    await ingestFile('first.ndjson', ids.map((id) => event(id, first)).join('\n'));
    let report = await ingestFile('eight-days.ndjson', ids.map((id) => event(id, first + 8 * DAY_MS)).join('\n'));
    expect(report).not.toMatch(/duplicates/);
    expect(await storedIds()).toEqual([...ids, ...ids].sort());

    const config = await readFile(join(t.store, 'config.yaml'), 'utf8');
    await writeFile(join(t.store, 'config.yaml'), config.replace('dedupe_window: 7d', 'dedupe_window: 2h'));
    // The index knows days (format 2.0): ids stored on day D count as of any hour of D. 3 h before
    // D's first hour is beyond a 2 h window; 2 h after D's last hour (D + 25 h) is within it.
    report = await ingestFile('three-hours.csv', csv(first - 3 * HOUR_MS), '--id-col', 'id', '--timestamp-col', 'ts');
    expect(report).not.toMatch(/duplicates/);
    report = await ingestFile('two-hours.ndjson', ids.map((id) => event(id, first + 25 * HOUR_MS)).join('\n'));
    expect(report).toMatch(/50 duplicates stored once \(0 repeated in the file, 50 duplicates of ids already stored\)/);

    await writeFile(join(t.store, 'config.yaml'), config.replace('dedupe_window: 7d', 'dedupe_window: soon'));
    t.err.length = 0;
    expect(await t.run('ingest', '--model', 'm', '--file', join(t.dir, 'first.ndjson'))).not.toBe(0);
    expect(t.err.join('\n')).toMatch(/ingest\.dedupe_window/);
  });

  it('within one file an id repeated in another hour is stored once', async () => {
    const report = await ingestFile('both.ndjson', [...ids.map((id) => event(id, DAY)), ...ids.map((id) => event(id, DAY + 15 * DAY_MS))].join('\n'));
    expect(report).toMatch(/50 duplicates stored once \(50 repeated in the file, 0 duplicates of ids already stored\)/);
    expect(await storedIds()).toEqual([...ids].sort());
  });

  it('a crashed ingest re-run ends identical to a clean run (events and table)', async () => {
    const first = DAY + 5 * HOUR_MS;
    const retry = [...ids.slice(0, 25).map((id) => event(id, first + 3 * HOUR_MS)), ...Array.from({ length: 25 }, (_, i) => event(`new-${i}`, first + 3 * HOUR_MS))].join('\n');
    const tableFlags = ['--id-col', 'id', '--timestamp-col', 'ts'];
    const steps = async () => {
      await ingestFile('a.ndjson', ids.map((id) => event(id, first)).join('\n'));
      await ingestFile('b.ndjson', retry);
      await ingestFile('c.csv', csv(first + 6 * HOUR_MS), ...tableFlags);
    };
    await steps();
    const clean = await snapshot();
    expect([...clean.keys()].filter((k) => k.includes('/raw/')).length).toBe(2);

    // Another store: the same steps, then a crash of b and c after their raw batches were written
    // but before the index recorded them (index entries lost), then the runs repeated.
    t.store = join(t.dir, `t.store-${Math.random().toString(36).slice(2)}`);
    expect(await t.run('init')).toBe(0);
    const storage = openStorage(t.store);
    await ingestFile('a.ndjson', ids.map((id) => event(id, first)).join('\n'));
    const aKeys = new Set(await storage.list(layout.idsPrefix('m')));
    await ingestFile('b.ndjson', retry);
    await ingestFile('c.csv', csv(first + 6 * HOUR_MS), ...tableFlags);
    for (const key of await storage.list(layout.idsPrefix('m'))) if (!aKeys.has(key)) await storage.delete(key);
    await ingestFile('b.ndjson', retry);
    await ingestFile('c.csv', csv(first + 6 * HOUR_MS), ...tableFlags);
    expect(await snapshot()).toEqual(clean);
    expect(await storedIds()).toEqual([...ids, ...Array.from({ length: 25 }, (_, i) => `new-${i}`)].sort());
  });
});
