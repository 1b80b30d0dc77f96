import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/compare';
import { HOUR_MS, layout } from '@/lib/format';
import { ingest, profileModel } from '@/lib/profile';
import { decodeIds } from '@/lib/profile/id-index';
import { LineReader } from '@/lib/profile/line-reader';
import { parseQuarantine, Quarantine, QUARANTINE_LINE_CAP, quarantinedBytes, quarantineEntry } from '@/lib/profile/quarantine';
import { replayQuarantine } from '@/lib/profile/quarantine-replay';
import { implausibleTime, span, timeLimits } from '@/lib/profile/time-limits';
import { profileRows, tempDir, TestStorage, writeCsv, writeNdjson } from './helpers';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const NOW = Date.UTC(2026, 11, 1, 12);
const T = NOW - 5 * HOUR_MS;
const ev = (id: string, ts: unknown = new Date(T).toISOString(), features: Record<string, unknown> = { x: 1 }) => ({ model: 'm', id, ts, features });

async function quarantineOf(storage: TestStorage, model: string) {
  const [key] = await storage.list(layout.quarantinePrefix(model));
  return parseQuarantine(key, (await storage.read(key))!);
}

describe('time limits', () => {
  it('names the distance and the config key', () => {
    const limits = timeLimits(undefined, NOW);
    expect(implausibleTime(Date.parse('2999-01-01T00:00:00Z'), limits, '2999-01-01T00:00:00Z')).toBe('timestamp 2999-01-01T00:00:00Z is 972 years after the time of ingest (limit: 1h; config ingest.max_future_skew)');
    expect(implausibleTime(NOW + 2 * HOUR_MS, limits, 'x')).toMatch(/is 2 hours after the time of ingest \(limit: 1h/);
    expect(implausibleTime(NOW + HOUR_MS, limits, 'x')).toBeUndefined();
    expect(implausibleTime(Date.UTC(1999, 11, 31), limits, '1999-12-31')).toBe('timestamp 1999-12-31 is before the earliest plausible date 2000-01-01 (config ingest.earliest)');
    expect(implausibleTime(1e16, limits, 1e16)).toMatch(/out of the range of dates/);
    expect([span(90_000), span(3 * 86_400_000 + 5), span(59_000)]).toEqual(['1 minute', '3 days', '59 seconds']);
  });

  it('come from config.yaml `ingest:`, with defaults, and a bad value names the key', () => {
    expect(parseConfig('').ingest).toEqual({ earliest: '2000-01-01', max_future_skew: '1h', dedupe_window: '7d' });
    expect(parseConfig('ingest:\n  earliest: 2020-06-01\n  max_future_skew: 2d\n').ingest).toEqual({ earliest: '2020-06-01', max_future_skew: '2d', dedupe_window: '7d' });
    expect(() => parseConfig('ingest:\n  max_future_skew: soon\n')).toThrow(/ingest\.max_future_skew must be a whole number of hours/);
    expect(() => parseConfig('ingest:\n  earliest: yesterday\n')).toThrow(/ingest\.earliest must be a date/);
    expect(parseConfig('ingest:\n  dedupe_window: 30d\n').ingest.dedupe_window).toBe('30d');
    expect(() => parseConfig('ingest:\n  dedupe_window: soon\n')).toThrow(/ingest\.dedupe_window must be a whole number of hours/);
  });

  it('events before the earliest date or past the skew are quarantined line by line; the rest lands', async () => {
    const file = await writeNdjson(join(dir, 'times.ndjson'), [ev('a'), ev('old', '1999-01-01T00:00:00Z'), ev('b'), ev('soon', new Date(NOW + 3 * HOUR_MS).toISOString()), ev('huge', 1e16), ev('c')]);
    const storage = new TestStorage();
    const r = await ingest({ storage, model: 'm', file, nowMs: NOW, timeLimits: { earliest: '2000-01-01', max_future_skew: '2h' } });
    expect(r).toMatchObject({ linesRead: 6, accepted: 3, quarantined: 3 });
    const q = await quarantineOf(storage, 'm');
    expect(q.entries.map((e) => [e.line, e.reason.split(' (')[0]])).toEqual([
      [2, 'timestamp 1999-01-01T00:00:00Z is before the earliest plausible date 2000-01-01'],
      [4, `timestamp ${new Date(NOW + 3 * HOUR_MS).toISOString()} is 3 hours after the time of ingest`],
      [5, 'timestamp 10000000000000000 is out of the range of dates'],
    ]);
  });

  it('apply to wide-table rows too, and a table repeats no id', async () => {
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 10; i++) rows.push([`r${i}`, new Date(T + i * 60_000).toISOString(), i]);
    rows[3][1] = '2999-01-01 00:00:00';
    rows[5][1] = 1e16;
    rows[8][0] = 'r1';
    const file = await writeCsv(join(dir, 'table.csv'), ['id', 'when', 'amount'], rows);
    const storage = new TestStorage();
    const r = await ingest({ storage, model: 't', file, idCol: 'id', timestampCol: 'when', nowMs: NOW });
    expect(r).toMatchObject({ linesRead: 10, accepted: 8, quarantined: 2, duplicates: { inFile: 1, stored: 0 } });
    const q = await quarantineOf(storage, 't');
    expect(q.header?.kind).toBe('table');
    expect(q.entries.map((e) => e.line)).toEqual([5, 7]); // file lines: the header is line 1
    expect(q.entries[0].reason).toMatch(/^timestamp 2999-01-01 00:00:00 is 972 years after the time of ingest/);
    expect(q.entries[1].reason).toMatch(/^timestamp 1e\+?16 is out of the range of dates|^timestamp 10000000000000000/);
    const idKeys = await storage.list('models/t/ids/');
    expect(idKeys.length).toBe(1);
    expect(decodeIds((await storage.read(idKeys[0]))!).sort()).toEqual(['r0', 'r1', 'r2', 'r4', 'r6', 'r7', 'r9']);
  });
});

describe('the quarantine', () => {
  it('keeps the original bytes under the cap (base64 when not UTF-8), and over it the length, SHA-256, first and last KiB', () => {
    const text = quarantineEntry(3, 'why', Buffer.from('{"a":"é"}'), {});
    expect(text).toEqual({ line: 3, reason: 'why', raw: '{"a":"é"}', bytes: 10 });
    const binary = quarantineEntry(4, 'why', Buffer.from([0x7b, 0xff, 0x7d]), {});
    expect(quarantinedBytes(binary)).toEqual(Buffer.from([0x7b, 0xff, 0x7d]));
    const long = Buffer.alloc(5000, 0x61);
    long[0] = 0x62;
    long[4999] = 0x63;
    const over = quarantineEntry(5, 'why', long, {}, 4096);
    expect(over).toMatchObject({ truncated: true, bytes: 5000, sha256: createHash('sha256').update(long).digest('hex') });
    expect(Buffer.from(over.head_base64!, 'base64')).toEqual(long.subarray(0, 1024));
    expect(Buffer.from(over.tail_base64!, 'base64')).toEqual(long.subarray(-1024));
    expect(quarantinedBytes(over)).toBeUndefined();
  });

  it('is written in parts when its entries pass the part size, each part with the header', async () => {
    const storage = new TestStorage();
    const q = new Quarantine(storage, 'm', 'abc', { file: 'f.ndjson', kind: 'events' }, QUARANTINE_LINE_CAP, 1000);
    for (let i = 1; i <= 10; i++) if (q.add(i, 'why', 'x'.repeat(300))) await q.write();
    await q.write();
    expect(q.keys).toEqual(['models/m/quarantine/abc.ndjson', 'models/m/quarantine/abc-q1.ndjson', 'models/m/quarantine/abc-q2.ndjson', 'models/m/quarantine/abc-q3.ndjson']);
    const parts = await Promise.all(q.keys.map(async (k) => parseQuarantine(k, (await storage.read(k))!)));
    expect(parts.every((p) => p.header?.file === 'f.ndjson')).toBe(true);
    expect(parts.flatMap((p) => p.entries.map((e) => e.line))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(q.size).toBe(10);
  });

  it('the line reader keeps an oversized line up to the cap, with the hash and tail of all of it', async () => {
    const long = Buffer.concat([Buffer.from('{"start":'), Buffer.alloc(3 << 20, 0x31), Buffer.from('}')]);
    const file = join(dir, 'long.ndjson');
    await writeFile(file, Buffer.concat([Buffer.from('short\n'), long, Buffer.from('\r\nlast')]));
    const reader = new LineReader(file, 1 << 20, 2 << 20);
    const lines = [];
    for await (const line of reader.lines()) lines.push(line);
    expect(lines.map((l) => [l.number, l.oversized, l.length])).toEqual([[1, false, 5], [2, true, long.length + 1], [3, false, 4]]);
    expect(lines[1].bytes.equals(long.subarray(0, 2 << 20))).toBe(true);
    expect(lines[1].sha256).toBe(createHash('sha256').update(Buffer.concat([long, Buffer.from('\r')])).digest('hex'));
    expect(reader.damage).toBeUndefined();
  });

  it('a truncated .gz: the lines before the break are yielded and the damage recorded', async () => {
    const whole = gzipSync(Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n'));
    const file = join(dir, 'cut.txt.gz');
    await writeFile(file, whole.subarray(0, whole.length >> 1));
    const reader = new LineReader(file, 1 << 20);
    let n = 0;
    for await (const line of reader.lines()) expect(line.bytes.toString()).toBe(`line ${n++}`);
    expect(n).toBeGreaterThan(1000);
    expect(reader.damage).toMatchObject({ message: 'unexpected end of file', lines: n });
    expect(gunzipSync(whole).length).toBeGreaterThan(reader.damage!.offset);
  });

  it('a truncated .csv.gz table: its intact rows land and the damage is reported', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `r${i},${new Date(T + i * 1000).toISOString()},${i % 2 ? 'DE' : 'FR'}`);
    const whole = gzipSync(`id,when,country\n${rows.join('\n')}\n`);
    const file = join(dir, 'cut-table.csv.gz');
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = await ingest({ storage: new TestStorage(), model: 't', file, idCol: 'id', timestampCol: 'when', nowMs: NOW });
    expect(r.damage).toMatchObject({ message: 'unexpected end of file', line: r.linesRead + 2 });
    expect(r.linesRead).toBeGreaterThan(1000);
    expect(r.accepted + r.quarantined).toBe(r.linesRead);
    expect(r.quarantined).toBe(0);
  });

  it('replay of a table row goes through the table path with the model\'s columns', async () => {
    const storage = new TestStorage();
    const rows = [['r1', new Date(T).toISOString(), 1, 0.5], ['r2', new Date(NOW + 10 * HOUR_MS).toISOString(), 2, 0.7]];
    const first = await ingest({ storage, model: 't', file: await writeCsv(join(dir, 'replay-table.csv'), ['id', 'when', 'x', 'p'], rows), idCol: 'id', timestampCol: 'when', scoreCol: 'p', nowMs: NOW });
    expect(first).toMatchObject({ accepted: 1, quarantined: 1 });
    const r = await replayQuarantine({ storage, model: 't', key: first.quarantineKeys[0], nowMs: NOW, timeLimits: { earliest: '2000-01-01', max_future_skew: '1d' } });
    expect(r).toMatchObject({ replayed: 1, landed: 1, rejected: 0 });
    expect(r.ingest).toMatchObject({ linesRead: 1, accepted: 1, duplicates: { inFile: 0, stored: 0 } });
    expect(await storage.list(layout.quarantinePrefix('t'))).toEqual([]);
    expect((await storage.list(layout.rawPredictionsPrefix('t'))).length).toBe(2);
  });

  it('replay ingests the kept lines again: those that land leave, the rest stay with their new reason', async () => {
    const storage = new TestStorage();
    const file = await writeNdjson(join(dir, 'replay.ndjson'), [ev('a'), ev('future', new Date(NOW + 30 * HOUR_MS).toISOString()), 'not json', ev('far', new Date(NOW + 100 * HOUR_MS).toISOString())]);
    const first = await ingest({ storage, model: 'm', file, nowMs: NOW });
    expect(first).toMatchObject({ accepted: 1, quarantined: 3 });
    expect(first.quarantineKeys).toHaveLength(1);
    const key = first.quarantineKeys[0];
    const r = await replayQuarantine({ storage, model: 'm', key, nowMs: NOW, timeLimits: { earliest: '2000-01-01', max_future_skew: '2d' } });
    expect(r).toMatchObject({ replayed: 3, landed: 1, rejected: 2, unrecoverable: 0 });
    const left = parseQuarantine(key, (await storage.read(key))!);
    expect(left.entries.map((e) => e.line)).toEqual([3, 4]);
    expect(left.entries[0].reason).toMatch(/^invalid JSON/);
    expect(left.entries[1].reason).toBe(`timestamp ${new Date(NOW + 100 * HOUR_MS).toISOString()} is 4 days after the time of ingest (limit: 2d; config ingest.max_future_skew)`);
    expect((await storage.list(layout.quarantinePrefix('m'))).length).toBe(1);
    const again = await replayQuarantine({ storage, model: 'm', key, nowMs: NOW, timeLimits: { earliest: '2000-01-01', max_future_skew: '1w' } });
    expect(again).toMatchObject({ replayed: 2, landed: 1, rejected: 1 });
  });
});

describe('invalid UTF-8 in a wide table', () => {
  it('is a failed value (type error) of its feature, not a category, and does not stop the file', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `r${i},${new Date(T + i * 1000).toISOString()},${i % 2 ? 'DE' : 'FR'},${i}`);
    const body = Buffer.from(`id,when,country,amount\n${rows.join('\n')}\n`);
    const at = body.indexOf('DE');
    const file = join(dir, 'latin1.csv');
    await writeFile(file, Buffer.concat([body.subarray(0, at), Buffer.from([0x63, 0x61, 0x66, 0xe9]), body.subarray(at + 2)]));
    const storage = new TestStorage();
    const r = await ingest({ storage, model: 'u', file, idCol: 'id', timestampCol: 'when', nowMs: NOW });
    expect(r).toMatchObject({ linesRead: 50, accepted: 50, quarantined: 0, invalidUtf8: { country: 1 } });
    await profileModel({ storage, model: 'u' });
    const [key] = await storage.list(layout.hourlyProfilesPrefix('u'));
    const country = (await profileRows(storage, key)).find((row) => row.feature === 'country')!;
    expect([country.rows, country.type_errors, country.count]).toEqual([50, 1, 49]);
    expect(country.categories.sort()).toEqual(['DE', 'FR']);
  });
});

describe('duplicates', () => {
  it('an id seen in the file or stored by another file for its hour is stored once and counted; re-ingesting a file is unchanged', async () => {
    const storage = new TestStorage();
    const a = await writeNdjson(join(dir, 'dup-a.ndjson'), [ev('1'), ev('2'), ev('1'), ev('3')]);
    const b = await writeNdjson(join(dir, 'dup-b.ndjson'), [ev('3'), ev('4'), ev('4')]);
    const first = await ingest({ storage, model: 'm', file: a, nowMs: NOW });
    expect(first).toMatchObject({ linesRead: 4, accepted: 4, duplicates: { inFile: 1, stored: 0 } });
    const second = await ingest({ storage, model: 'm', file: b, nowMs: NOW });
    expect(second).toMatchObject({ linesRead: 3, accepted: 3, duplicates: { inFile: 1, stored: 1 } });
    expect(await ingest({ storage, model: 'm', file: a, nowMs: NOW })).toEqual({ ...first, batches: 0, duplicateBatches: first.batches });
    const ids: string[] = [];
    for (const key of await storage.list(layout.rawPredictionsPrefix('m'))) ids.push(...gunzipSync((await storage.read(key))!).toString().trim().split('\n').map((l) => JSON.parse(l).id));
    expect(ids.sort()).toEqual(['1', '2', '3', '4']);
  });

  it('a wide table with --id-col skips ids already stored for their hour, by events or another table', async () => {
    const storage = new TestStorage();
    await ingest({ storage, model: 'm', file: await writeNdjson(join(dir, 'dup-ev.ndjson'), [ev('r1'), ev('r2')]), nowMs: NOW });
    const rows = ['r1', 'r2', 'r3', 'r4'].map((id, i) => [id, new Date(T + i * 1000).toISOString(), i]);
    const first = await ingest({ storage, model: 'm', file: await writeCsv(join(dir, 'dup-t1.csv'), ['id', 'when', 'x'], rows), idCol: 'id', timestampCol: 'when', nowMs: NOW });
    expect(first).toMatchObject({ linesRead: 4, accepted: 4, duplicates: { inFile: 0, stored: 2 }, batches: 1 });
    const second = await ingest({ storage, model: 'm', file: await writeCsv(join(dir, 'dup-t2.csv'), ['id', 'when', 'x'], [...rows, ['r5', new Date(T).toISOString(), 9]]), idCol: 'id', timestampCol: 'when', nowMs: NOW });
    expect(second).toMatchObject({ linesRead: 5, accepted: 5, duplicates: { inFile: 0, stored: 4 }, batches: 1 });
    const tableIds: string[] = [];
    for (const key of await storage.list('models/m/ids/')) if (!key.includes('-0.ids')) tableIds.push(...decodeIds((await storage.read(key))!));
    expect(tableIds.sort()).toEqual(['r3', 'r4', 'r5']);
  });
});
