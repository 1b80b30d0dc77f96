import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSummaryParquet } from '@/lib/duckdb';
import { HOUR_MS, layout, type SummaryRow } from '@/lib/format';
import { addReference, ingest, profileModel } from '@/lib/profile';
import { MemoryStorage } from '@/lib/storage';
import { summaryDigest } from '@/lib/summary';

describe('reference add, ingest and profile on small files we can count by hand', () => {
  let dir: string;
  let storage: MemoryStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-profile-'));
    storage = new MemoryStorage();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const byFeature = (rows: SummaryRow[]) => Object.fromEntries(rows.filter((r) => r.chunk === -1).map((r) => [r.feature, r]));

  it('infers kinds and counts nulls, non-finite values and wrong types in a CSV reference', async () => {
    const lines = ['id,ts,amount,country,flag,score,label'];
    for (let i = 0; i < 1000; i++) {
      const amount = i % 100 === 0 ? '' : i % 250 === 1 ? 'NaN' : i % 333 === 2 ? 'oops' : String(10 + (i % 37));
      lines.push(`r${i},2026-10-01T${String(i % 24).padStart(2, '0')}:00:00Z,${amount},${['DE', 'FR', 'NL'][i % 3]},${i % 2 === 0},${(i % 10) / 10},${i % 2}`);
    }
    const file = join(dir, 'test.csv');
    await writeFile(file, lines.join('\n'));
    const result = await addReference({ storage, model: 'm', name: 'test', file, idCol: 'id', timestampCol: 'ts', scoreCol: 'score', labelCol: 'label' });
    expect(result.reference.rows).toBe(1000);
    const rows = byFeature(result.rows);
    expect(Object.keys(rows).sort()).toEqual(['amount', 'country', 'flag', 'score']);
    expect(rows.country.kind).toBe('categorical');
    expect(rows.flag.kind).toBe('categorical');
    expect(rows.score.kind).toBe('numeric');
    // amount: '' every 100th (10 nulls), 'NaN' at i ≡ 1 mod 250 (4), 'oops' at i ≡ 2 mod 333 (3).
    expect(rows.amount.kind).toBe('numeric');
    expect({ nulls: rows.amount.nulls, non_finite: rows.amount.non_finite, type_errors: rows.amount.type_errors, count: rows.amount.count }).toEqual({ nulls: 10, non_finite: 4, type_errors: 3, count: 983 });
    expect(rows.country.categories.sort()).toEqual(['DE', 'FR', 'NL']);
    expect(rows.country.category_counts.reduce((a, b) => a + b, 0)).toBe(1000);
    // The stored profile decodes to the same rows, chunks included.
    const stored = await readSummaryParquet((await storage.read(layout.referenceProfile('m', 'test')))!);
    expect(stored.filter((r) => r.chunk >= 0).length).toBe(result.reference.chunks * 4);
    expect(summaryDigest(byFeature(stored).amount).quantile(0.5)).toBe(summaryDigest(rows.amount).quantile(0.5));
  });

  it('ingests events into the hour of their prediction time, quarantines bad lines, and is idempotent', async () => {
    const t0 = Date.parse('2026-11-29T08:00:00Z');
    const events = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ model: 'm', id: `o${i}`, ts: new Date(t0 + (i % 3) * HOUR_MS + i * 1000).toISOString(), features: { x: i, c: i % 2 ? 'a' : 'b' }, score: 0.5 }),
    );
    const bad = ['not json', JSON.stringify({ model: 'm', id: 'late', features: {} }), JSON.stringify({ model: 'other', id: 'o', ts: t0, features: {} })];
    const file = join(dir, 'events.ndjson');
    await writeFile(file, [...events.slice(0, 150), ...bad, ...events.slice(150)].join('\n'));
    const first = await ingest({ storage, model: 'm', file });
    expect(first.accepted).toBe(300);
    expect(first.quarantined).toBe(3);
    expect(first.hours).toEqual([t0, t0 + HOUR_MS, t0 + 2 * HOUR_MS]);
    const quarantine = await Promise.all((await storage.list('models/m/quarantine/')).map(async (k) => new TextDecoder().decode(await storage.read(k))));
    expect(quarantine.join('\n').split('\n').filter(Boolean)).toHaveLength(1 + 3); // a header, then the lines
    const again = await ingest({ storage, model: 'm', file });
    expect(again.batches).toBe(0);
    expect(again.duplicateBatches).toBe(first.batches);
    // One raw file per batch and day (format 2.0), holding the day's three hours.
    const raw = await storage.list(layout.rawPredictionsDayPrefix('m', t0));
    const lines = (await Promise.all(raw.map(async (k) => gunzipSync((await storage.read(k))!).toString('utf8')))).flatMap((t) => t.split('\n').filter(Boolean));
    expect(lines).toHaveLength(300);
    expect(lines.filter((l) => Date.parse(JSON.parse(l).ts) < t0 + HOUR_MS)).toHaveLength(100);

    const profiled = await profileModel({ storage, model: 'm' });
    expect(profiled.hours).toBe(3);
    const hour = byFeature((await readSummaryParquet((await storage.read(layout.hourlyProfile('m', t0)))!)).filter((r) => r.period_start === t0));
    expect(hour.x.count).toBe(100);
    expect(hour.x.min).toBe(0);
    expect(hour.x.max).toBe(297);
    expect(hour.score.count).toBe(100);
    // Nothing new: nothing recomputed.
    expect((await profileModel({ storage, model: 'm' })).hours).toBe(0);
  });

  it('recomputes only the hour that received late data', async () => {
    const t0 = Date.parse('2026-11-29T08:00:00Z');
    const make = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => JSON.stringify({ model: 'm', id: `o${offset + i}`, ts: new Date(t0 + (i % 2) * HOUR_MS + i).toISOString(), features: { x: offset + i }, score: 0.1 })).join('\n');
    await writeFile(join(dir, 'a.ndjson'), make(200, 0));
    await ingest({ storage, model: 'm', file: join(dir, 'a.ndjson') });
    expect((await profileModel({ storage, model: 'm' })).hours).toBe(2);
    // Late data for the first hour only.
    await writeFile(join(dir, 'b.ndjson'), Array.from({ length: 50 }, (_, i) => JSON.stringify({ model: 'm', id: `late${i}`, ts: new Date(t0 + 10 * i).toISOString(), features: { x: 1000 + i }, score: 0.2 })).join('\n'));
    await ingest({ storage, model: 'm', file: join(dir, 'b.ndjson') });
    const second = await profileModel({ storage, model: 'm' });
    expect(second.hourStarts).toEqual([t0]);
    const hour = byFeature((await readSummaryParquet((await storage.read(layout.hourlyProfile('m', t0)))!)).filter((r) => r.period_start === t0));
    expect(hour.x.count).toBe(150);
    expect(hour.x.max).toBe(1049);
    const daily = byFeature(await readSummaryParquet((await storage.read(layout.dailyProfile('m', t0)))!));
    expect(daily.x.count).toBe(250);
  });
});
