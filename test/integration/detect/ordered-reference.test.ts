import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareModel, DEFAULT_CONFIG, INFLATION_RATIO, loadReference, referenceThreshold, ReferenceCache, separateChunks, thresholdAt, type CompareResult } from '@/lib/compare';
import { readSummaryParquet, readSummaryParquetMany, writeSummaryParquet } from '@/lib/duckdb';
import { HOUR_MS, layout, ReferenceCalibration } from '@/lib/format';
import { addReference } from '@/lib/profile';
import { MemoryStorage } from '@/lib/storage';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { tempDir, writeCsv } from '../../unit/profile/helpers';
import { putHourProfile, type PackCodec } from '@/test/helpers/hour-profiles';

const PARQUET: PackCodec = { encode: writeSummaryParquet, decode: readSummaryParquet };

const START = Date.parse('2026-11-01T00:00:00Z');
const REGIONS = ['north', 'east', 'south', 'west'];

/** Rows of (region, amount, channel): amount's level depends on the region, so sorting by region orders amount. */
function rows(n: number, seed: number, scale = 1): { region: string; amount: number; channel: string }[] {
  const rng = mulberry32(seed);
  const z = standardNormal(rng);
  return Array.from({ length: n }, () => {
    const r = Math.floor(rng() * REGIONS.length);
    return { region: REGIONS[r], amount: scale * (100 + 40 * r + 15 * z()), channel: rng() < 0.3 ? 'web' : 'app' };
  });
}

async function referenceStore(dir: string, file: string, sorted: boolean): Promise<MemoryStorage> {
  const data = rows(10_000, 7);
  if (sorted) data.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
  const path = await writeCsv(join(dir, file), ['region', 'amount', 'channel'], data.map((r) => [r.region, r.amount.toFixed(3), r.channel]));
  const s = new MemoryStorage();
  const added = await addReference({ storage: s, model: 'm', name: 'test', file: path, categorical: ['region', 'channel'] });
  s.notices = added.notices;
  return s as MemoryStorage;
}

/** One live hour of 3,000 rows, amount scaled by `scale` (1: the reference's population). */
async function liveHour(s: MemoryStorage, scale: number): Promise<void> {
  const live = rows(3000, 99, scale);
  const key = (feature: string) => ({ model: 'm', feature, period_start: START, period_end: START + HOUR_MS });
  const count = (pick: (r: (typeof live)[number]) => string) => live.reduce((m, r) => m.set(pick(r), (m.get(pick(r)) ?? 0) + 1), new Map<string, number>());
  const summaries = [numericSummary(key('amount'), live.map((r) => r.amount), 0, 0), categoricalSummary(key('region'), count((r) => r.region), 0, 0), categoricalSummary(key('channel'), count((r) => r.channel), 0, 0)];
  await putHourProfile(s, 'm', START, summaries, PARQUET);
}

async function compare(s: MemoryStorage): Promise<CompareResult> {
  return compareModel({ storage: s, model: 'm', fromMs: START, toMs: START + HOUR_MS, reference: 'test', config: DEFAULT_CONFIG, decode: readSummaryParquetMany, cache: new ReferenceCache() });
}

async function calibration(s: MemoryStorage): Promise<ReferenceCalibration> {
  return ReferenceCalibration.parse(JSON.parse(new TextDecoder().decode(await s.read(layout.referenceCalibration('m', 'test')))));
}

declare module '@/lib/storage' {
  interface MemoryStorage {
    notices?: string[];
  }
}

describe('a reference whose rows are sorted by a column that correlates with a feature', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let sorted: MemoryStorage;
  let shuffled: MemoryStorage;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    [sorted, shuffled] = await Promise.all([referenceStore(dir, 'sorted.csv', true), referenceStore(dir, 'shuffled.csv', false)]);
  });
  afterAll(() => remove());

  it('calibrates an inflated ordered threshold and uses the random-chunk one', async () => {
    const area = (await calibration(sorted)).features.amount.thresholds.area;
    expect(area.chunking).toBe('random');
    const ordered = area.ordered!.chunk_mean + 3 * area.ordered!.chunk_sd;
    const random = area.random!.chunk_mean + 3 * area.random!.chunk_sd;
    expect(ordered).toBeGreaterThan(0.5);
    expect(ordered / random).toBeGreaterThan(INFLATION_RATIO);
    expect(area.value).toBe(Math.max(random, DEFAULT_CONFIG.defaults.materiality.area));
    // At its calibration size (500-row chunks), the random-chunk threshold is a third of the ordered one.
    expect(area.value).toBeLessThan(ordered / 2);
    // region itself is sorted too (each ordered chunk holds one region): its JS threshold is inflated the same way.
    expect((await calibration(sorted)).features.region.thresholds.js.chunking).toBe('random');
    expect(sorted.notices).toHaveLength(1);
    expect(sorted.notices?.[0]).toMatch(/^reference "test" is not stationary over its rows: amount \(area 0\.\d+ from row-ordered chunks, 0\.\d+ from random ones, \d+\.\d×\), region \(js /);
  });

  it('flags a real shift in a live window, and shows the notice with the comparison', async () => {
    await liveHour(sorted, 1.15);
    const result = await compare(sorted);
    const amount = result.features.find((f) => f.name === 'amount')!;
    expect(amount.verdict).toBe('drift');
    expect(amount.value!).toBeGreaterThan(amount.threshold);
    // With the row-ordered statistics (the threshold before random chunks), the same shift passed unseen.
    const area = (await calibration(sorted)).features.amount.thresholds.area;
    const before = thresholdAt({ ...area, ...area.ordered!, value: 0, source: 'reference' }, 'area', 10_000, 3000);
    expect(before).toBeGreaterThan(0.4);
    expect(amount.value!).toBeLessThan(before);
    expect(result.notices).toEqual(sorted.notices);
    await liveHour(sorted, 1);
    expect((await compare(sorted)).features.find((f) => f.name === 'amount')!.verdict).toBe('ok');
  });

  it('an unsorted reference keeps the row-ordered thresholds, exactly as before', async () => {
    const stored = await calibration(shuffled);
    const ref = await loadReference(shuffled, 'm', 'test', readSummaryParquetMany);
    const chunks = await ref.loadChunks();
    for (const [feature, entry] of Object.entries(stored.features)) {
      for (const [metric, t] of Object.entries(entry.thresholds)) {
        expect(t.chunking, `${feature} ${metric}`).toBe('ordered');
        const before = referenceThreshold(separateChunks(chunks.get(feature) ?? []).ordered, metric as 'area', DEFAULT_CONFIG.defaults);
        expect(t.value).toBe(before.value);
        expect(t.chunk_mean).toBe(before.chunk_mean);
      }
    }
    expect(shuffled.notices).toEqual([]);
    await liveHour(shuffled, 1.15);
    const result = await compare(shuffled);
    expect(result.features.find((f) => f.name === 'amount')!.verdict).toBe('drift');
    expect(result.notices).toEqual([]);
  });
});
