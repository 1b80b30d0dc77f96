/**
 * Fault injection at ingest (issue #10, "Found" 1, 2, 5 and 8): each case feeds the CLI a hostile
 * input and asserts that nothing stalls and nothing is lost: bad lines are quarantined with their
 * line and reason, good lines land, every run accounts for every line read.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readSummaryParquet } from '@/lib/duckdb';
import { HOUR_MS, hourStart, layout } from '@/lib/format';
import { TYPE_ERROR_CATEGORY } from '@/lib/profile';
import { openStorage } from '@/lib/storage';
import { accounting, cliStore } from './ingest-helpers';

const t = cliStore('ingest');
const H = hourStart(Date.now()) - 48 * HOUR_MS;
const event = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'm', id, ts: new Date(H + 60_000).toISOString(), features: { amount: 12.5, country: 'DE' }, score: 0.1, ...extra });
const events = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => event(`${prefix}-${i}`));

async function hourRows(model: string, hour: number) {
  const bytes = await openStorage(t.store).read(layout.hourlyProfile(model, hour));
  expect(bytes, `no profile for hour ${new Date(hour).toISOString()}`).toBeDefined();
  return new Map((await readSummaryParquet(bytes!)).map((r) => [r.feature, r]));
}

describe('fault injection: ingest', () => {
  it('1. an event dated 2999 is quarantined with the reason; after raising the skew, replay lands it', async () => {
    const file = join(t.dir, 'y2999.ndjson');
    await writeFile(file, [...events(10, 'a'), JSON.stringify({ model: 'm', id: 'future', ts: '2999-01-01T00:00:00Z', features: { amount: 1 } })].join('\n'));
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 11, accepted: 10, quarantined: 1 });
    const raw = await openStorage(t.store).list(layout.rawPredictionsPrefix('m'));
    expect(raw.every((k) => !k.includes('hour=2999'))).toBe(true);
    t.clear();
    expect(await t.run('quarantine', 'show', '--model', 'm')).toBe(0);
    expect(t.out.join('\n')).toMatch(/line 11: timestamp 2999-01-01T00:00:00Z is 97\d years after the time of ingest \(limit: 1h; config ingest\.max_future_skew\)/);
    t.clear();
    expect(await t.run('quarantine', 'list')).toBe(0);
    expect(t.out.join('\n')).toMatch(/m: models\/m\/quarantine\/\w+\.ndjson: 1 lines from .*y2999\.ndjson \(events, ingested .*\): 1× timestamp … is … years after the time of ingest/);

    // The operator decides the date is real (a contract end date, say) and widens the limit.
    const config = await readFile(join(t.store, 'config.yaml'), 'utf8');
    await writeFile(join(t.store, 'config.yaml'), config.replace('max_future_skew: 1h', 'max_future_skew: 100000w'));
    t.clear();
    expect(await t.run('quarantine', 'replay', '--model', 'm')).toBe(0);
    expect(t.out.join('\n')).toMatch(/1 lines replayed: 1 landed and left the quarantine, 0 rejected again \(file removed\)/);
    expect((await openStorage(t.store).list(layout.rawPredictionsPrefix('m'))).some((k) => k.includes('day=2999-01-01/'))).toBe(true);
    expect(await openStorage(t.store).list(layout.quarantinePrefix('m'))).toEqual([]);
  });

  it('2. a numeric timestamp out of range ("ts": 1e16) is a bad line: quarantined by line number, the rest lands', async () => {
    const file = join(t.dir, 'ts1e16.ndjson');
    const lines = events(20, 'b');
    lines.splice(7, 0, '{"model":"m","id":"huge","ts":1e16,"features":{"amount":1}}');
    await writeFile(file, lines.join('\n'));
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 21, accepted: 20, quarantined: 1 });
    t.clear();
    await t.run('quarantine', 'show', '--model', 'm');
    expect(t.out.join('\n')).toMatch(/line 8: timestamp 10000000000000000 is out of the range of dates/);
    expect(t.err.join('\n')).not.toMatch(/Invalid time value/);
  });

  it('5. an id is stored and profiled once: twice in one file, again in a second file, again by another producer', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `dup-${i}`);
    const first = join(t.dir, 'dups-1.ndjson');
    const second = join(t.dir, 'dups-2.ndjson');
    await writeFile(first, [...ids, ...ids].map((id) => event(id)).join('\n'));
    await writeFile(second, ids.map((id) => event(id, { model_version: '2' })).join('\n'));
    expect(await t.run('ingest', '--model', 'm', '--file', first)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 200, accepted: 200, quarantined: 0 });
    expect(t.out.join('\n')).toMatch(/100 duplicates stored once \(100 repeated in the file, 0 duplicates of ids already stored\)/);
    t.clear();
    expect(await t.run('ingest', '--model', 'm', '--file', second)).toBe(0);
    expect(t.out.join('\n')).toMatch(/100 duplicates stored once \(0 repeated in the file, 100 duplicates of ids already stored\)/);
    // A producer that writes raw batches itself (a collector), without the index.
    await openStorage(t.store).write(layout.rawPredictions('m', H, 'collector-0', 'ndjson.gz'), gzipSync(`${ids.slice(0, 50).map((id) => event(id)).join('\n')}\n`));
    t.clear();
    expect(await t.run('profile', '--model', 'm')).toBe(0);
    const rows = await hourRows('m', H);
    expect(rows.get('amount')!.rows).toBe(100);
    expect(rows.get('score')!.rows).toBe(100);
  });

  it('8a. a 5 MB line is quarantined whole and recovered byte for byte', async () => {
    const big = event('big', { features: { amount: 1, blob: `é${'x'.repeat(5_000_000)}` } });
    const file = join(t.dir, 'big.ndjson');
    await writeFile(file, [...events(3, 'c'), big, ...events(3, 'd')].join('\n'));
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 7, accepted: 6, quarantined: 1 });
    const recovered = join(t.dir, 'recovered.ndjson');
    t.clear();
    expect(await t.run('quarantine', 'show', '--model', 'm', '--line', '4', '--out', recovered)).toBe(0);
    expect((await readFile(recovered)).equals(Buffer.from(big, 'utf8'))).toBe(true);
  });

  it('8b. a truncated .gz keeps the lines before the damage, names the file and where it broke, and exits non-zero', async () => {
    const whole = gzipSync(events(5000, 'e').join('\n'));
    const file = join(t.dir, 'cut.ndjson.gz');
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(1);
    const { read, accepted } = accounting(t.out);
    expect(accepted).toBeGreaterThan(1000);
    expect(read).toBeLessThan(5000);
    expect(t.err.join('\n')).toMatch(new RegExp(`cut\\.ndjson\\.gz is damaged at line ${read + 1} \\(after \\d+ decompressed bytes\\): unexpected end of file; the ${read} lines before it were ingested`));
    t.clear();
    expect(await t.run('profile', '--model', 'm')).toBe(0);
    expect((await hourRows('m', H)).get('amount')!.rows).toBe(accepted);
  });

  it('8c. an empty input file warns', async () => {
    const file = join(t.dir, 'empty.ndjson');
    await writeFile(file, '');
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 0, accepted: 0, quarantined: 0 });
    expect(t.err.join('\n')).toMatch(/warning: .*empty\.ndjson has no lines: nothing was ingested/);
  });

  it('8d. invalid UTF-8 in a value is a failed value (a type error), never a category', async () => {
    const file = join(t.dir, 'utf8.ndjson');
    const [before, after] = event('bad').split('"DE"');
    const bad = Buffer.concat([Buffer.from(`${before}"caf`), Buffer.from([0xff, 0xfe]), Buffer.from(`"${after}`)]);
    await writeFile(file, Buffer.concat([Buffer.from(`${events(9, 'f').join('\n')}\n`), bad, Buffer.from('\n')]));
    expect(await t.run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 10, accepted: 10, quarantined: 0 });
    expect(t.out.join('\n')).toMatch(/invalid UTF-8 counted as failed values \(type errors\): country 1/);
    expect(await t.run('profile', '--model', 'm')).toBe(0);
    const country = (await hourRows('m', H)).get('country')!;
    expect(country.rows).toBe(10);
    expect(country.type_errors).toBe(1);
    expect(country.count).toBe(9);
    expect(country.categories).toEqual(['DE']);
    expect(country.categories.some((c) => c.includes('\uFFFD') || c === TYPE_ERROR_CATEGORY)).toBe(false);
  });
});
