import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layout, ModelMeta, ReferenceMeta } from '@/lib/format';
import { addReference, defaultChunkCount, ProfileInputError } from '@/lib/profile';
import { mulberry32 } from '@/test/helpers/random';
import { byFeature, profileRows, tempDir, TestStorage, writeCsv, writeNdjson } from './helpers';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const T0 = Date.UTC(2026, 0, 1);

/** What a cell is worth to the profiler, decided here independently of the SQL. */
function classify(cell: string): 'null' | 'non_finite' | 'type_error' | number {
  const s = cell.trim();
  if (s === '') return 'null';
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) return 'non_finite';
  const x = Number(s);
  return Number.isFinite(x) && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? x : 'type_error';
}

function expectedCounts(cells: readonly string[]) {
  const kinds = cells.map(classify);
  const values = kinds.filter((k): k is number => typeof k === 'number');
  return {
    rows: cells.length,
    nulls: kinds.filter((k) => k === 'null').length,
    non_finite: kinds.filter((k) => k === 'non_finite').length,
    type_errors: kinds.filter((k) => k === 'type_error').length,
    count: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

describe('addReference on a CSV', () => {
  const rng = mulberry32(7);
  const n = 1200;
  const cells = {
    amount: [] as string[],
    messy: [] as string[],
    mostly: [] as string[],
    mixed: [] as string[],
    country: [] as string[],
    flag: [] as string[],
    code: [] as string[],
    word: [] as string[],
  };
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const u = rng();
    // amount: numbers, empty cells and NaN/±Infinity: DuckDB types the column DOUBLE.
    const amount = u < 0.05 ? '' : u < 0.07 ? 'NaN' : u < 0.08 ? 'Infinity' : u < 0.09 ? '-Infinity' : (rng() * 1000).toFixed(3);
    // messy: numbers with a few words in: text, judged numeric by content, the words type errors.
    const messy = u < 0.03 ? 'abc' : u < 0.06 ? '' : u < 0.07 ? 'nan' : String(Math.floor(rng() * 50));
    const mostly = u < 0.02 ? 'n/a' : (rng() * 10).toFixed(2);
    const mixed = u < 0.4 ? 'low' : String(Math.floor(rng() * 9));
    const country = u < 0.1 ? '' : ['DE', 'FR', 'IT'][Math.floor(rng() * 3)];
    const flag = rng() < 0.3 ? 'true' : 'false';
    const code = String(100 + Math.floor(rng() * 5));
    const word = u < 0.5 ? 'x' : '7';
    const ts = new Date(T0 + (n - i) * 60_000).toISOString();
    rows.push([String(i), ts, String(i % 2), amount, messy, mostly, mixed, country, flag, code, word, (rng() * 0.9).toFixed(4)]);
    Object.entries({ amount, messy, mostly, mixed, country, flag, code, word }).forEach(([k, v]) => cells[k as keyof typeof cells].push(v));
  }
  const header = ['id', 'ts', 'label', 'amount', 'messy', 'mostly', 'mixed', 'country', 'flag', 'code', 'word', 'p'];
  const storage = new TestStorage();
  let result: Awaited<ReturnType<typeof addReference>>;

  beforeAll(async () => {
    const file = await writeCsv(join(dir, 'ref.csv'), header, rows);
    result = await addReference({ storage, model: 'shop', name: 'test', file, idCol: 'id', timestampCol: 'ts', labelCol: 'label', scoreCol: 'p', categorical: ['code'], numeric: ['word'] });
  });

  it('infers kinds from types and content, applies overrides, and keeps id, time and label out', async () => {
    const meta = ModelMeta.parse(JSON.parse(storage.text(layout.model('shop'))));
    expect(Object.fromEntries(meta.features.map((f) => [f.name, f.kind]))).toEqual({
      amount: 'numeric',
      messy: 'numeric',
      mostly: 'numeric',
      mixed: 'categorical',
      country: 'categorical',
      flag: 'categorical',
      code: 'categorical',
      word: 'numeric',
      p: 'numeric',
    });
    expect(meta.score).toBe('p');
    expect(meta.columns).toEqual({ id: 'id', timestamp: 'ts', label: 'label', score: 'p' });
  });

  it('counts nulls, non-finite values and type errors exactly', async () => {
    const whole = byFeature((await profileRows(storage, layout.referenceProfile('shop', 'test'))).filter((r) => r.chunk === -1));
    for (const name of ['amount', 'messy', 'mostly', 'word'] as const) {
      const row = whole.get(name)!;
      expect({ rows: row.rows, nulls: row.nulls, non_finite: row.non_finite, type_errors: row.type_errors, count: row.count, min: row.min, max: row.max }, name).toEqual(expectedCounts(cells[name]));
    }
    const country = whole.get('country')!;
    expect(country.nulls).toBe(cells.country.filter((c) => c === '').length);
    expect(Object.fromEntries(country.categories.map((c, i) => [c, country.category_counts[i]]))).toEqual(
      Object.fromEntries(['DE', 'FR', 'IT'].map((c) => [c, cells.country.filter((x) => x === c).length])),
    );
    const code = whole.get('code')!;
    expect(code.categories.sort()).toEqual(['100', '101', '102', '103', '104']);
    expect(whole.get('flag')!.categories.sort()).toEqual(['false', 'true']);
  });

  it('splits the reference into time-ordered chunks of about max(500, rows/20) rows', async () => {
    expect(defaultChunkCount(1200)).toBe(2);
    expect(defaultChunkCount(50_000)).toBe(20);
    expect(defaultChunkCount(300)).toBe(1);
    const all = await profileRows(storage, layout.referenceProfile('shop', 'test'));
    const chunks = [0, 1].map((c) => byFeature(all.filter((r) => r.chunk === c)).get('amount')!);
    expect(chunks.map((c) => c.rows)).toEqual([600, 600]);
    // Rows were written newest first: chunk 0 must hold the older half.
    expect(chunks[0].period_end).toBeLessThanOrEqual(chunks[1].period_start);
    expect(chunks[0].period_start).toBe(T0 + 60_000);
    expect(chunks[1].period_end).toBe(T0 + n * 60_000 + 1);
    const meta = ReferenceMeta.parse(JSON.parse(storage.text(layout.referenceMeta('shop', 'test'))));
    expect(meta).toMatchObject({ rows: n, chunks: 2, chunk_rows: 600, period_start: T0 + 60_000, period_end: T0 + n * 60_000 + 1 });
    expect(result.rows.length).toBe(9 * 3);
  });

  it('names the file and column when a flag points at nothing', async () => {
    const file = join(dir, 'ref.csv');
    await expect(addReference({ storage, model: 'shop', name: 'x', file, timestampCol: 'when' })).rejects.toThrow(/ref\.csv: column "when" given as --timestamp-col is not in the file/);
    await expect(addReference({ storage, model: 'shop', name: 'x', file, numeric: ['nope'] })).rejects.toThrow(ProfileInputError);
  });
});

describe('addReference on NDJSON events', () => {
  it('profiles features and the score, counting JSON nulls, NaN, wrong types exactly', async () => {
    const rng = mulberry32(11);
    const values: unknown[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 700; i++) {
      const u = rng();
      const x = u < 0.05 ? null : u < 0.08 ? 'NaN' : u < 0.1 ? { a: 1 } : u < 0.12 ? [1] : u < 0.14 ? 'abc' : u < 0.16 ? '12.5' : u < 0.17 ? '' : Math.round(rng() * 1e4) / 100;
      values.push(x);
      const features: Record<string, unknown> = { color: rng() < 0.5 ? 'red' : rng() < 0.05 ? 7 : 'blue' };
      if (x !== undefined && !(u > 0.98)) features.x = x;
      else values[values.length - 1] = undefined;
      const event = JSON.stringify({ model: 'ev', id: `e${i}`, ts: T0 / 1000 + i * 30, features, score: rng() });
      lines.push(i === 3 ? event.replace('"score":', '"nan":NaN,"score":') : event);
    }
    const file = await writeNdjson(join(dir, 'ref-events.ndjson.gz'), lines);
    const storage = new TestStorage();
    // 6% wrong types is more than inference tolerates (5%): --numeric says what x is.
    const { rows, reference, model } = await addReference({ storage, model: 'ev', name: 'test', file, numeric: ['x'] });
    expect(model.score).toBe('score');
    expect(reference.rows).toBe(700);
    expect(reference.period_start).toBe(T0);
    const x = byFeature(rows.filter((r) => r.chunk === -1)).get('x')!;
    const isNull = (v: unknown) => v === null || v === undefined || v === '';
    const numbers = values.filter((v): v is number => typeof v === 'number').concat(values.filter((v) => v === '12.5').map(() => 12.5));
    expect(model.features.find((f) => f.name === 'x')?.kind).toBe('numeric');
    expect(model.features.find((f) => f.name === 'color')?.kind).toBe('categorical');
    expect(byFeature(rows.filter((r) => r.chunk === -1)).get('color')!.categories.sort()).toEqual(['7', 'blue', 'red']);
    expect({ nulls: x.nulls, non_finite: x.non_finite, type_errors: x.type_errors, count: x.count, max: x.max }).toEqual({
      nulls: values.filter(isNull).length,
      non_finite: values.filter((v) => v === 'NaN').length,
      type_errors: values.filter((v) => v === 'abc' || (typeof v === 'object' && v !== null)).length,
      count: numbers.length,
      max: Math.max(...numbers),
    });
  });
});
