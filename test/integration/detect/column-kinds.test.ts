import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareModel, parseConfig, ReferenceCache, type CompareResult } from '@/lib/compare';
import { readSummaryParquet, readSummaryParquetMany, writeSummaryParquet } from '@/lib/duckdb';
import { HOUR_MS, layout, ReferenceCalibration } from '@/lib/format';
import { addReference } from '@/lib/profile';
import { classifyColumn } from '@/lib/profile/reference-columns';
import { MemoryStorage } from '@/lib/storage';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { tempDir, writeCsv } from '../../unit/profile/helpers';
import { putHourProfile, type PackCodec } from '@/test/helpers/hour-profiles';

const PARQUET: PackCodec = { encode: writeSummaryParquet, decode: readSummaryParquet };

const START = Date.parse('2026-11-01T00:00:00Z');
const N = 3000;
const WORDS = ['late', 'delivery', 'great', 'product', 'refund', 'please', 'box', 'damaged', 'thanks', 'again'];

describe('columns that cannot drift, recognised when a reference is added', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let s: MemoryStorage;
  let added: Awaited<ReturnType<typeof addReference>>;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    const rng = mulberry32(3);
    const z = standardNormal(rng);
    const header = ['ts', 'order_id', 'customer', 'comment', 'currency', 'signup_time', 'sent_ms', 'amount', 'country', 'items'];
    const rows = Array.from({ length: N }, (_, i) => [
      new Date(START - (N - i) * 60_000).toISOString(),
      1_000_000 + i * 3,
      `C${Math.floor(rng() * 1e9).toString(36)}`,
      Array.from({ length: 8 }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ') + ` #${i}`,
      'EUR',
      new Date(START - 86_400_000 * 400 + Math.floor(rng() * 86_400_000 * 300)).toISOString().replace('T', ' ').slice(0, 19),
      START - (N - i) * 60_000 + Math.floor(rng() * 1000),
      (100 + 20 * z()).toFixed(2),
      ['DE', 'FR', 'IT'][Math.floor(rng() * 3)],
      1 + Math.floor(rng() * 5),
    ]);
    const file = await writeCsv(join(dir, 'ref.csv'), header, rows);
    s = new MemoryStorage();
    added = await addReference({ storage: s, model: 'm', name: 'test', file, timestampCol: 'ts' });
  });
  afterAll(() => remove());

  it('stores each kind in calibration.json with why', async () => {
    const calibration = ReferenceCalibration.parse(JSON.parse(new TextDecoder().decode(await s.read(layout.referenceCalibration('m', 'test')))));
    const kinds = Object.fromEntries(Object.entries(calibration.features).map(([f, e]) => [f, e.column?.kind ?? null]));
    expect(kinds).toEqual({ order_id: 'identifier', customer: 'identifier', comment: 'free_text', currency: 'constant', signup_time: 'timestamp', sent_ms: 'timestamp', amount: null, country: null, items: null });
    expect(calibration.features.order_id.column?.reason).toBe('integers, all 3,000 distinct and increasing with the rows: a row number or id');
    expect(calibration.features.customer.column?.reason).toMatch(/^(99\.\d|100)% of its 3,000 non-null values are distinct: every window is mostly values the reference never saw$/);
    expect(added.notices).toEqual([
      'not monitored for drift, as columns that cannot drift meaningfully: comment (free text), currency (constant), customer (identifier), order_id (identifier), sent_ms (timestamp), signup_time (timestamp); still checked for failed values (set drift: true for a feature in config.yaml to monitor it)',
    ]);
  });

  async function live(currencyNulls: number): Promise<void> {
    const key = (feature: string) => ({ model: 'm', feature, period_start: START, period_end: START + HOUR_MS });
    const rng = mulberry32(11);
    const z = standardNormal(rng);
    const ids = Array.from({ length: 500 }, (_, i) => 2_000_000 + i);
    const summaries = [
      numericSummary(key('order_id'), ids, 0, 0),
      categoricalSummary(key('customer'), new Map(ids.map((i) => [`N${i}`, 1])), 0, 0),
      categoricalSummary(key('comment'), new Map(ids.map((i) => [`new text ${i}`, 1])), 0, 0),
      categoricalSummary(key('currency'), new Map([['EUR', 500 - currencyNulls]]), currencyNulls, 0),
      categoricalSummary(key('signup_time'), new Map(ids.map((i) => [`2026-10-${10 + (i % 20)} 10:00:00`, 1])), 0, 0),
      numericSummary(key('sent_ms'), ids.map((i) => START + i), 0, 0),
      numericSummary(key('amount'), Array.from({ length: 500 }, () => 100 + 20 * z()), 0, 0),
      categoricalSummary(key('country'), new Map([['DE', 170], ['FR', 160], ['IT', 170]]), 0, 0),
      numericSummary(key('items'), Array.from({ length: 500 }, () => 1 + Math.floor(rng() * 5)), 0, 0),
    ];
    await putHourProfile(s, 'm', START, summaries, PARQUET);
  }

  const compare = (config = parseConfig('')): Promise<CompareResult> =>
    compareModel({ storage: s, model: 'm', fromMs: START, toMs: START + HOUR_MS, reference: 'test', config, decode: readSummaryParquetMany, cache: new ReferenceCache() });

  it('gives them not_monitored with a notice, still counting failures; drift: true monitors again', async () => {
    await live(0);
    const result = await compare();
    const verdicts = Object.fromEntries(result.features.map((f) => [f.name, f.verdict]));
    expect(verdicts).toEqual({ order_id: 'not_monitored', customer: 'not_monitored', comment: 'not_monitored', currency: 'not_monitored', signup_time: 'not_monitored', sent_ms: 'not_monitored', amount: 'ok', country: 'ok', items: 'ok' });
    expect(result.features.find((f) => f.name === 'order_id')?.notice).toBe('identifier: integers, all 3,000 distinct and increasing with the rows: a row number or id; not monitored for drift (set drift: true for it in config.yaml to monitor it)');
    expect(result.notices).toEqual(added.notices);

    await live(200);
    expect((await compare()).features.find((f) => f.name === 'currency')?.verdict).toBe('failing');

    await live(0);
    const on = await compare(parseConfig('models:\n  m:\n    features:\n      order_id: { drift: true }\n'));
    const orderId = on.features.find((f) => f.name === 'order_id');
    expect(orderId?.verdict).toBe('drift');
    expect(orderId?.notice).toBeUndefined();
    // Monitored again, it is an ordinary feature: its rows grow with time, which the stationarity notice now says.
    expect(on.notices).toHaveLength(2);
    expect(on.notices[0]).toMatch(/^reference "test" is not stationary over its rows: order_id \(area 1\.00 from row-ordered chunks/);
    expect(on.notices[1]).not.toContain('order_id');
  });

  it('needs enough values to call a column unique, and ignores unique decimals', () => {
    expect(classifyColumn({ kind: 'categorical', typeClass: 'text' }, { values: 60, distinct: 60, length: 5, spaced: 0, timestamps: 0 })).toBeUndefined();
    expect(classifyColumn({ kind: 'numeric', typeClass: 'number' }, { values: 5000, distinct: 5000, integral: false, up: 0.5, down: 0.5, min: 0, max: 1 })).toBeUndefined();
    // Unique integers in no order (salaries to the dollar) are a feature, not an id.
    expect(classifyColumn({ kind: 'numeric', typeClass: 'number' }, { values: 5000, distinct: 5000, integral: true, up: 0.5, down: 0.5, min: 20_000, max: 200_000 })).toBeUndefined();
    expect(classifyColumn({ kind: 'categorical', typeClass: 'text' }, { values: 5000, distinct: 4700, length: 9, spaced: 0, timestamps: 0 })).toBeUndefined();
    expect(classifyColumn({ kind: 'categorical', typeClass: 'text' }, { values: 5000, distinct: 4800, length: 9, spaced: 0, timestamps: 0 })).toEqual({ kind: 'identifier', reason: '96% of its 5,000 non-null values are distinct: every window is mostly values the reference never saw' });
    expect(classifyColumn({ kind: 'numeric', typeClass: 'number' }, { values: 5000, distinct: 1 })?.kind).toBe('constant');
  });
});
