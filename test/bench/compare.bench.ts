import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareModel, DEFAULT_CONFIG, ReferenceCache } from '@/lib/compare';
import { readSummaryParquetMany, writeSummaryParquetGroups } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout, type SummaryRow } from '@/lib/format';
import { LocalStorage } from '@/lib/storage';
import { categoricalSummary, mergeSummaries, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { median } from './timing';

const NUMERIC = 150;
const CATEGORICAL = 50;
const DAYS = 30;
const VALUES_PER_HOUR = 3000;

/**
 * `compare` of a 30-day window over 200 features (150 numeric, 50 categorical) on a local store
 * of 720 hourly profiles and 30 daily rollups: the target of issue #3 is ≤ 200 ms.
 */
export async function benchCompare(log: (line: string) => void) {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-compare-'));
  try {
    const storage = new LocalStorage(dir);
    const model = 'bench';
    const start = Date.parse('2026-10-01T00:00:00Z');
    const z = standardNormal(mulberry32(1));
    // 24 distinct hourly shapes reused across features and days: the merge cost is what counts.
    const hourDigestValues = Array.from({ length: 24 }, (_, h) => Float64Array.from({ length: VALUES_PER_HOUR }, () => Math.exp(5 + 0.1 * Math.sin(h) + z())));
    const categories = new Map(Array.from({ length: 40 }, (_, i) => [`c${i}`, 100 + i * 10]));
    const featureRows = (t: number): SummaryRow[] => {
      const rows: SummaryRow[] = [];
      const h = (t / HOUR_MS) % 24;
      for (let f = 0; f < NUMERIC; f++) rows.push(numericSummary({ model, feature: `num_${f}`, period_start: t, period_end: t + HOUR_MS }, hourDigestValues[(h + f) % 24], 3, 0));
      for (let f = 0; f < CATEGORICAL; f++) rows.push(categoricalSummary({ model, feature: `cat_${f}`, period_start: t, period_end: t + HOUR_MS }, categories, 2, 0));
      return rows;
    };
    log('compare: writing 720 hourly profiles × 200 features …');
    const hourTemplates = Array.from({ length: 24 }, (_, h) => featureRows(start + h * HOUR_MS));
    for (let d = 0; d < DAYS; d++) {
      const hours = hourTemplates.map((rows, h) => rows.map((r) => ({ ...r, period_start: start + d * DAY_MS + h * HOUR_MS, period_end: start + d * DAY_MS + (h + 1) * HOUR_MS })));
      const files = await writeSummaryParquetGroups(hours);
      await Promise.all(files.map((bytes, h) => storage.write(layout.hourlyProfile(model, start + d * DAY_MS + h * HOUR_MS), bytes)));
      const daily = hours[0].map((r, i) => mergeSummaries({ model, feature: r.feature, period_start: start + d * DAY_MS, period_end: start + (d + 1) * DAY_MS }, hours.map((rows) => rows[i])));
      const [dayBytes] = await writeSummaryParquetGroups([daily]);
      await storage.write(layout.dailyProfile(model, start + d * DAY_MS), dayBytes);
    }
    const refRows = [...hourTemplates[0].map((r) => ({ ...r, period_start: 0, period_end: 0 })), ...Array.from({ length: 10 }, (_, c) => hourTemplates[c].map((r) => ({ ...r, period_start: 0, period_end: 0, chunk: c })))].flat();
    const [refBytes] = await writeSummaryParquetGroups([refRows]);
    await storage.write(layout.referenceProfile(model, 'test'), refBytes);
    await storage.write(layout.referenceMeta(model, 'test'), JSON.stringify({ model, name: 'test', source: 'bench', rows: VALUES_PER_HOUR, period_start: null, period_end: null, chunks: 10, chunk_rows: VALUES_PER_HOUR, created_at: new Date().toISOString() }));

    // A window that is not day-aligned: 29 daily rollups and 24 hourly profiles at the edges.
    const to = start + DAYS * DAY_MS - 12 * HOUR_MS;
    const from = to - 30 * DAY_MS + 24 * HOUR_MS;
    const run = (cache: ReferenceCache) => compareModel({ storage, model, fromMs: from, toMs: to, reference: 'test', config: DEFAULT_CONFIG, decode: readSummaryParquetMany, cache });
    log('compare: timing …');
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const cache = new ReferenceCache();
    await run(cache);
    for (let i = 0; i < 5; i++) {
      let t0 = performance.now();
      await run(new ReferenceCache());
      coldMs.push(performance.now() - t0);
      t0 = performance.now();
      const result = await run(cache);
      warmMs.push(performance.now() - t0);
      if (result.features.length !== NUMERIC + CATEGORICAL) throw new Error(`bench: expected 200 features, got ${result.features.length}`);
    }
    return {
      compare_30d_200_features_ms: median(warmMs),
      compare_30d_200_features_cold_ms: median(coldMs),
      compare_window_summaries_per_feature: 29 + 24,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
