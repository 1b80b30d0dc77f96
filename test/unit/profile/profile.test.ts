import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSummaryParquet } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout, ModelMeta, weekStart, type SummaryRow } from '@/lib/format';
import { LocalStorage, type Storage } from '@/lib/storage';
import { ingest, profileModel } from '@/lib/profile';
import { mergeSummaries, summaryDigest } from '@/lib/summary';
import { maxCdfError, sortedCopy } from '@/test/helpers/exact';
import { mulberry32, sample } from '@/test/helpers/random';
import { blockRows, byFeature, hourRows, profileRows, tempDir, TestStorage, writeCsv, writeNdjson } from './helpers';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const DAY = Date.UTC(2026, 0, 1);
const H = (h: number): number => DAY + h * HOUR_MS;

/** `count` events spread over the given hours, with a few nulls and wrong types. */
function events(hours: readonly number[], count: number, seed: number, extra: Record<string, unknown> = {}): object[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const u = rng();
    const amount = u < 0.03 ? null : u < 0.04 ? 'oops' : u < 0.05 ? 'NaN' : Math.round(Math.exp(3 + rng()) * 100) / 100;
    const hour = hours[i % hours.length];
    return { model: 'shop', id: `${seed}-${i}`, ts: new Date(hour + Math.floor(rng() * HOUR_MS)).toISOString(), features: { amount, country: u < 0.02 ? '' : ['DE', 'FR', 'IT'][i % 3], ...extra }, score: rng() };
  });
}

describe('profileModel', () => {
  it('recomputes only the hours that received new raw batches', async () => {
    const storage = new TestStorage();
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'a.ndjson'), events([H(8), H(9), H(10)], 900, 1)) });
    const first = await profileModel({ storage, model: 'shop' });
    expect(first).toEqual({ hours: 3, days: 1, hourStarts: [H(8), H(9), H(10)], dayStarts: [DAY] });
    const before = await Promise.all([H(8), H(10)].map((h) => hourRows(storage, 'shop', h)));

    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'b.ndjson'), events([H(9)], 120, 2)) });
    const second = await profileModel({ storage, model: 'shop' });
    expect(second).toEqual({ hours: 1, days: 1, hourStarts: [H(9)], dayStarts: [DAY] });
    // The day is read again whole; hours 8 and 10 come out identical, so only hour 9 is reported.
    expect(await Promise.all([H(8), H(10)].map((h) => hourRows(storage, 'shop', h)))).toEqual(before);
    const h9 = byFeature(await hourRows(storage, 'shop', H(9)));
    expect(h9.get('amount')!.rows).toBe(300 + 120);
    expect(h9.get('amount')!.period_start).toBe(H(9));
    expect(h9.get('amount')!.period_end).toBe(H(10));

    expect(await profileModel({ storage, model: 'shop' })).toEqual({ hours: 0, days: 0, hourStarts: [], dayStarts: [] });
  });

  it('reads raw batches in place from a local store, with the same result as a copied one', async () => {
    const file = await writeNdjson(join(dir, 'local.ndjson.gz'), events([H(1), H(2)], 800, 8));
    const local = new LocalStorage(join(dir, 'store'));
    const memory = new TestStorage();
    for (const storage of [local, memory]) {
      await ingest({ storage, model: 'shop', file });
      await profileModel({ storage, model: 'shop' });
    }
    const rows = async (s: Storage) => (await readSummaryParquet((await s.read(layout.hourlyProfile('shop', H(2))))!)).filter((r) => r.period_start === H(2));
    expect(await rows(local)).toEqual(await rows(memory));
    expect((await rows(local)).find((r) => r.feature === 'amount')!.rows).toBe(400);
  });

  it('gives identical rows for the same data', async () => {
    const run = async () => {
      const storage = new TestStorage();
      await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'same.ndjson.gz'), events([H(1), H(2), H(30)], 3000, 3)) });
      await profileModel({ storage, model: 'shop' });
      const keys = [...(await storage.list('models/shop/profiles/'))];
      return new Map(await Promise.all(keys.map(async (k) => [k, await profileRows(storage, k)] as const)));
    };
    const [a, b] = [await run(), await run()];
    // 3 hours in 2 day packs, 2 days, 1 six-hour block pack (the second day's 1,000 rows are below
    // the 2,000 a day needs for blocks) and 1 week (2026-01-01 and -02 are in the same week).
    expect(a.size).toBe(6);
    expect(b).toEqual(a);
  });

  it('builds a daily rollup equal to the merge of its hours, counts exact', async () => {
    const storage = new TestStorage();
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'day.ndjson'), events([H(0), H(5), H(23), H(24)], 2000, 4)) });
    await profileModel({ storage, model: 'shop' });
    const hours = await Promise.all([H(0), H(5), H(23)].map((h) => hourRows(storage, 'shop', h)));
    const daily = byFeature(await profileRows(storage, layout.dailyProfile('shop', DAY)));
    expect([...daily.keys()].sort()).toEqual(['amount', 'country', 'score']);
    for (const [feature, row] of daily) {
      const parts = hours.map((rows) => byFeature(rows).get(feature)!);
      expect(row).toEqual(mergeSummaries({ model: 'shop', feature, period_start: DAY, period_end: DAY + DAY_MS }, parts));
      const sum = (f: (r: SummaryRow) => number) => parts.reduce((s, r) => s + f(r), 0);
      expect([row.rows, row.nulls, row.non_finite, row.type_errors, row.count]).toEqual([sum((r) => r.rows), sum((r) => r.nulls), sum((r) => r.non_finite), sum((r) => r.type_errors), sum((r) => r.count)]);
    }
    expect(daily.get('amount')!.rows).toBe(1500);
    // The next day has its own rollup.
    expect((await profileRows(storage, layout.dailyProfile('shop', DAY + DAY_MS))).length).toBe(3);
  });

  it('rolls hours up into 6-hour blocks and days into Monday weeks, and redoes a week when a later day arrives', async () => {
    const storage = new TestStorage();
    const week = weekStart(DAY);
    const hour = (day: number, h: number) => week + day * DAY_MS + h * HOUR_MS;
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'week1.ndjson'), events([hour(0, 1), hour(0, 4), hour(0, 7), hour(2, 13)], 9000, 5)) });
    await profileModel({ storage, model: 'shop' });
    const merged = (start: number, length: number, parts: SummaryRow[][]) =>
      [...byFeature(parts.flat()).keys()].sort().map((feature) => mergeSummaries({ model: 'shop', feature, period_start: start, period_end: start + length }, parts.flat().filter((r) => r.feature === feature)));
    const rows = async (key: string) => [...byFeature(await profileRows(storage, key)).values()].sort((a, b) => (a.feature < b.feature ? -1 : 1));
    const hourly = async (...hs: number[]) => Promise.all(hs.map((h) => hourRows(storage, 'shop', h)));
    // Block 00–06 of day 0 is the merge of hours 1 and 4; block 06–12 has hour 7 only.
    const block = async (t: number) => [...byFeature(await blockRows(storage, 'shop', t)).values()].sort((a, b) => (a.feature < b.feature ? -1 : 1));
    expect(await block(hour(0, 0))).toEqual(merged(hour(0, 0), 6 * HOUR_MS, await hourly(hour(0, 1), hour(0, 4))));
    expect(await block(hour(0, 6))).toEqual(merged(hour(0, 6), 6 * HOUR_MS, await hourly(hour(0, 7))));
    expect(await block(hour(0, 12))).toEqual([]);
    // One block pack per day, none for a day without data.
    expect((await storage.list(layout.sixHourProfilesPrefix('shop'))).length).toBe(2);
    const days = async () => Promise.all([0, 2, 5].map(async (d) => (await storage.read(layout.dailyProfile('shop', week + d * DAY_MS))) ? profileRows(storage, layout.dailyProfile('shop', week + d * DAY_MS)) : []));
    expect(await rows(layout.weeklyProfile('shop', week))).toEqual(merged(week, 7 * DAY_MS, await days()));
    // A later day of the same week arrives: the week is the merge of all three days.
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'week2.ndjson'), events([hour(5, 20)], 300, 6)) });
    await profileModel({ storage, model: 'shop' });
    const weekly = await rows(layout.weeklyProfile('shop', week));
    expect(weekly).toEqual(merged(week, 7 * DAY_MS, await days()));
    expect(weekly.find((r) => r.feature === 'amount')!.rows).toBe(9300);
    // Day 5 has 300 rows, below MIN_BLOCK_DAY_ROWS: no block pack; its windows read its hours.
    expect(await storage.read(layout.sixHourProfile('shop', hour(5, 0)))).toBeUndefined();
    expect((await storage.list(layout.sixHourProfilesPrefix('shop'))).length).toBe(2);
  });

  it('counts an hour of events: nulls, wrong types and NaN strings, as counted here', async () => {
    const input = events([H(7)], 600, 7) as { features: { amount: unknown; country: string } }[];
    const storage = new TestStorage();
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'counts.ndjson'), input) });
    await profileModel({ storage, model: 'shop' });
    const h = byFeature(await hourRows(storage, 'shop', H(7)));
    const amounts = input.map((e) => e.features.amount);
    const numbers = amounts.filter((a): a is number => typeof a === 'number');
    expect(h.get('amount')).toMatchObject({
      rows: 600,
      nulls: amounts.filter((a) => a === null).length,
      type_errors: amounts.filter((a) => a === 'oops').length,
      non_finite: amounts.filter((a) => a === 'NaN').length,
      count: numbers.length,
      min: Math.min(...numbers),
      max: Math.max(...numbers),
    });
    const countries = input.map((e) => e.features.country);
    expect(h.get('country')).toMatchObject({ nulls: countries.filter((c) => c === '').length, type_errors: 0 });
  });

  it('summarises an hour within the digest bound of the exact values, past one buffered part', async () => {
    const n = 100_000;
    const values = sample('lognormal', n, 21);
    const rows = Array.from(values, (v, i) => [new Date(H(3) + Math.floor((i / n) * HOUR_MS)).toISOString(), i % 50 === 0 ? '' : v]);
    const storage = new TestStorage();
    await ingest({ storage, model: 'big', file: await writeCsv(join(dir, 'big.csv'), ['ts', 'x'], rows) });
    await profileModel({ storage, model: 'big' });
    const x = byFeature(await hourRows(storage, 'big', H(3))).get('x')!;
    const kept = values.filter((_, i) => i % 50 !== 0);
    const sorted = sortedCopy(kept);
    expect([x.rows, x.nulls, x.count, x.min, x.max]).toEqual([n, n / 50, kept.length, sorted[0], sorted[sorted.length - 1]]);
    const digest = summaryDigest(x);
    expect(maxCdfError(sorted, (v) => digest.cdf(v), (v) => digest.cdfBelow(v))).toBeLessThanOrEqual(1e-3);
    expect(x.sum! / kept.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('adds features it finds in raw data that model.json does not list', async () => {
    const storage = new TestStorage();
    // Raw written by another producer (a collector): no model.json, and a key that appears late.
    const lines = events([H(6)], 50, 5).map((e, i) => (i === 45 ? { ...e, features: { ...(e as { features: object }).features, device: 'ios' } } : e));
    await storage.write(layout.rawPredictions('shop', H(6), 'collector-1', 'ndjson.gz'), gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')));
    const result = await profileModel({ storage, model: 'shop' });
    expect(result.hours).toBe(1);
    const meta = ModelMeta.parse(JSON.parse(storage.text(layout.model('shop'))));
    expect(meta.features.map((f) => `${f.name}:${f.kind}`).sort()).toEqual(['amount:numeric', 'country:categorical', 'device:categorical', 'score:numeric']);
    expect(meta.score).toBe('score');
    const device = byFeature(await hourRows(storage, 'shop', H(6))).get('device')!;
    expect([device.rows, device.nulls, device.categories, device.category_counts]).toEqual([50, 49, ['ios'], [1]]);
  });

  it('profiles wide-table Parquet and events of one hour together, the score under its model name', async () => {
    const storage = new TestStorage();
    const rows = Array.from({ length: 30 }, (_, i) => [new Date(H(12) + i * 1000).toISOString(), i, 'DE', i / 30]);
    await ingest({ storage, model: 'shop', file: await writeCsv(join(dir, 'mix.csv'), ['ts', 'amount', 'country', 'p'], rows), scoreCol: 'p' });
    await ingest({ storage, model: 'shop', file: await writeNdjson(join(dir, 'mix.ndjson'), events([H(12)], 20, 6)) });
    const meta = ModelMeta.parse(JSON.parse(storage.text(layout.model('shop'))));
    expect(meta.score).toBe('p');
    await profileModel({ storage, model: 'shop' });
    const h = byFeature(await hourRows(storage, 'shop', H(12)));
    expect([...h.keys()].sort()).toEqual(['amount', 'country', 'p']);
    expect(h.get('p')!.rows).toBe(50);
    expect(h.get('p')!.count).toBe(50);
    expect(h.get('amount')!.type_errors + h.get('amount')!.non_finite + h.get('amount')!.nulls + h.get('amount')!.count).toBe(50);
  });
});
