import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withConnection, withTempDir } from '@/lib/duckdb';
import { HOUR_MS, hourLabel, hourStart, layout, ModelMeta } from '@/lib/format';
import { ingest, MAX_EVENT_BYTES } from '@/lib/profile';
import { parseQuarantine } from '@/lib/profile/quarantine';
import { mulberry32 } from '@/test/helpers/random';
import { tempDir, TestStorage, writeCsv, writeNdjson } from './helpers';
import { writeFile } from 'node:fs/promises';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const T0 = Date.UTC(2026, 0, 1, 8);

interface Event {
  model: string;
  id: string;
  ts: string | number;
  features: Record<string, unknown>;
  score?: number;
}

function events(count: number, seed: number): Event[] {
  const rng = mulberry32(seed);
  const out: Event[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly hours 8–10 in order; every 10th event is late: it belongs to an earlier hour or the day before.
    const late = i % 10 === 9;
    const ms = late ? T0 - Math.floor(rng() * 30) * HOUR_MS + Math.floor(rng() * HOUR_MS) : T0 + Math.floor((i / count) * 3 * HOUR_MS);
    out.push({ model: 'fraud', id: `o-${seed}-${i}`, ts: i % 3 === 0 ? ms / 1000 : new Date(ms).toISOString(), features: { amount: Math.round(rng() * 1e5) / 100, country: ['DE', 'FR'][i % 2] }, score: rng() });
  }
  return out;
}

/** Raw NDJSON batches by hour label: the ids each holds. */
async function rawIds(storage: TestStorage, model: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(model))) {
    const text = gunzipSync((await storage.read(key))!).toString('utf8');
    // One file per batch and day (format 2.0): each line's hour is its ts.
    for (const line of text.trim().split('\n')) {
      const { id, ts } = JSON.parse(line) as { id: string; ts: string };
      const hour = hourLabel(hourStart(Date.parse(ts)));
      expect(key).toContain(`/day=${hour.slice(0, 10)}/`);
      out.set(hour, [...(out.get(hour) ?? []), id]);
    }
  }
  return out;
}

describe('ingest of NDJSON events', () => {
  it('partitions by the hour of each prediction, late data included', async () => {
    const input = events(500, 1);
    const file = await writeNdjson(join(dir, 'events.ndjson.gz'), input);
    const storage = new TestStorage();
    const result = await ingest({ storage, model: 'fraud', file });
    expect(result).toMatchObject({ accepted: 500, quarantined: 0, duplicateBatches: 0 });
    const expected = new Map<string, string[]>();
    for (const e of input) {
      const ms = typeof e.ts === 'number' ? e.ts * 1000 : Date.parse(e.ts as string);
      const label = hourLabel(hourStart(ms));
      expected.set(label, [...(expected.get(label) ?? []), e.id]);
    }
    const actual = await rawIds(storage, 'fraud');
    expect(new Map([...actual].map(([h, ids]) => [h, ids.sort()]))).toEqual(new Map([...expected].map(([h, ids]) => [h, ids.sort()])));
    expect(result.hours.map(hourLabel).sort()).toEqual([...expected.keys()].sort());
    expect(result.batches).toBe(new Set([...expected.keys()].map((h) => h.slice(0, 10))).size);
    // Raw events are normalised: ts as ISO UTC.
    const first = gunzipSync((await storage.read((await storage.list(layout.rawPredictionsPrefix('fraud')))[0]))!).toString().split('\n')[0];
    expect(JSON.parse(first).ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const meta = ModelMeta.parse(JSON.parse(storage.text(layout.model('fraud'))));
    expect(meta.features).toEqual([{ name: 'amount', kind: 'numeric' }, { name: 'country', kind: 'categorical' }, { name: 'score', kind: 'numeric' }]);
    expect(meta.score).toBe('score');
  });

  it('quarantines bad lines with their reason and loses none of the good ones', async () => {
    const good = events(40, 2).map((e) => JSON.stringify(e));
    const bad: [string, RegExp][] = [
      ['{"model":"fraud","id":', /^invalid JSON/],
      [JSON.stringify({ model: 'fraud', ts: T0, features: {} }), /^missing id$/],
      [JSON.stringify({ model: 'fraud', id: 'x', features: {} }), /^missing ts$/],
      [JSON.stringify({ model: 'fraud', id: 'x', ts: 'soon', features: {} }), /^bad timestamp/],
      [JSON.stringify({ model: 'churn', id: 'x', ts: T0, features: {} }), /^wrong model name "churn"/],
      [JSON.stringify({ model: 'fraud', id: 'x', ts: T0, features: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }), /^oversized/],
    ];
    const lines = [...good.slice(0, 20), ...bad.map(([l]) => l), '', ...good.slice(20)];
    const file = await writeNdjson(join(dir, 'mixed.ndjson'), lines);
    const storage = new TestStorage();
    const result = await ingest({ storage, model: 'fraud', file });
    expect(result.accepted + result.quarantined).toBe(lines.filter((l) => l.trim() !== '').length);
    expect(result.quarantined).toBe(bad.length);
    const ids = [...(await rawIds(storage, 'fraud')).values()].flat().sort();
    expect(ids).toEqual(good.map((l) => JSON.parse(l).id).sort());
    const [key] = await storage.list(`models/fraud/quarantine/`);
    const { header, entries } = parseQuarantine(key, (await storage.read(key))!);
    expect(header).toMatchObject({ format: 'driftwatch-quarantine/1', file, kind: 'events' });
    entries.forEach((e, i) => {
      expect(e.line).toBe(21 + i);
      expect(e.reason).toMatch(bad[i][1]);
    });
    // Every rejected line is kept whole, the oversized one included (it is under the 8 MiB cap).
    entries.forEach((e, i) => expect(e.raw).toBe(bad[i][0]));
    expect(entries[0].raw).toBe(bad[0][0]);
  });

  it('is idempotent: ingesting the same file again writes nothing new', async () => {
    const file = await writeNdjson(join(dir, 'again.ndjson'), events(300, 3));
    const storage = new TestStorage();
    const first = await ingest({ storage, model: 'fraud', file });
    const snapshot = new Map([...storage.objects].map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const second = await ingest({ storage, model: 'fraud', file });
    expect(second).toEqual({ ...first, batches: 0, duplicateBatches: first.batches });
    expect(new Map([...storage.objects].map(([k, v]) => [k, Buffer.from(v).toString('base64')]))).toEqual(snapshot);
  });
});

describe('ingest of a wide table', () => {
  it('writes raw Parquet per hour, uses row numbers as ids, and quarantines rows without a usable time', async () => {
    const header = ['when', 'amount', 'country', 'p', 'y'];
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 200; i++) rows.push([new Date(T0 + i * 60_000).toISOString().replace('T', ' ').replace('Z', ''), i, i % 2 ? 'DE' : 'FR', i / 200, i % 2]);
    rows[5][0] = 'not a time';
    rows[7][0] = '';
    const file = await writeCsv(join(dir, 'wide.csv'), header, rows);
    const storage = new TestStorage();
    const result = await ingest({ storage, model: 'table', file, timestampCol: 'when', scoreCol: 'p', labelCol: 'y', idStart: 1000 });
    // Four hours of one day: one raw file (format 2.0 packs a batch's rows per day).
    expect(result).toMatchObject({ accepted: 198, quarantined: 2, batches: 1, duplicateBatches: 0 });
    expect(result.hours.map(hourLabel)).toEqual(['2026-01-01T08', '2026-01-01T09', '2026-01-01T10', '2026-01-01T11']);
    const keys = await storage.list(layout.rawPredictionsPrefix('table'));
    expect(keys.every((k) => k.endsWith('.parquet'))).toBe(true);
    expect(keys.map((k) => /day=([\d-]+)\//.exec(k)?.[1])).toEqual(['2026-01-01']);
    const qKey = (await storage.list('models/table/quarantine/'))[0];
    const quarantine = parseQuarantine(qKey, (await storage.read(qKey))!).entries;
    // CSV lines are the file's lines: the header is line 1, rows[5] is line 7.
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([[7, 'bad timestamp not a time'], [9, 'missing timestamp']]);
    expect(JSON.parse(quarantine[0].raw!)).toMatchObject({ amount: 5, country: 'DE' });

    const stored = await withTempDir('test', async (tmp) => {
      const paths = await Promise.all(keys.map(async (k, i) => {
        const path = join(tmp, `${i}.parquet`);
        await writeFile(path, (await storage.read(k))!);
        return `'${path}'`;
      }));
      return withConnection((c) => queryRows(c, `SELECT id, CAST(epoch_ms(ts) AS DOUBLE) AS ts, score, features FROM read_parquet([${paths.join(', ')}]) ORDER BY ts`));
    });
    expect(stored.length).toBe(198);
    expect(stored[0]).toEqual({ id: '1000', ts: T0, score: 0, features: { amount: 0n, country: 'FR' } });
    expect(stored.map((r) => r.id)).not.toContain('1005');
    const meta = ModelMeta.parse(JSON.parse(storage.text(layout.model('table'))));
    expect(meta.features).toEqual([{ name: 'amount', kind: 'numeric' }, { name: 'country', kind: 'categorical' }, { name: 'p', kind: 'numeric' }]);
    expect(meta.columns).toEqual({ id: null, timestamp: 'when', label: 'y', score: 'p' });
  });

  it('needs a timestamp column, and says so', async () => {
    const file = await writeCsv(join(dir, 'no-time.csv'), ['a', 'b'], [[1, 2]]);
    await expect(ingest({ storage: new TestStorage(), model: 'table', file })).rejects.toThrow(/no-time\.csv: ingest needs the prediction time; pass --timestamp-col/);
  });
});
