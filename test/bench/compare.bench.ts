import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableProfiles, calibrateReference, compareModel, DEFAULT_CONFIG, loadReference, planKeys, planWindow, ProfileCache, ReferenceCache, writeCalibration } from '@/lib/compare';
import { readSummaryParquetMany, writeSummaryParquetGroups } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout, WEEK_MS, weekStart, type SummaryRow } from '@/lib/format';
import { LocalStorage } from '@/lib/storage';
import { categoricalSummary, mergeSummaries, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { median } from './timing';

const NUMERIC = 150;
const CATEGORICAL = 50;
export const DAYS = 31;
const VALUES_PER_HOUR = 3000;

/** The synthetic store of the compare and dashboard benchmarks: 200 features, `DAYS` days of hourly profiles, rollups and a `test` reference. */
export async function writeSyntheticProfiles(storage: LocalStorage, model: string, start: number, log: (line: string) => void): Promise<void> {
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
  log('compare: writing 720 hourly profiles × 200 features and their rollups …');
  const hourTemplates = Array.from({ length: 24 }, (_, h) => featureRows(start + h * HOUR_MS));
  const rollUp = (t: number, length: number, parts: SummaryRow[][]) => parts[0].map((r, i) => mergeSummaries({ model, feature: r.feature, period_start: t, period_end: t + length }, parts.map((rows) => rows[i])));
  const dailyRows = new Map<number, SummaryRow[]>();
  for (let d = 0; d < DAYS; d++) {
    const day = start + d * DAY_MS;
    const hours = hourTemplates.map((rows, h) => rows.map((r) => ({ ...r, period_start: day + h * HOUR_MS, period_end: day + (h + 1) * HOUR_MS })));
    const files = await writeSummaryParquetGroups(hours);
    await Promise.all(files.map((bytes, h) => storage.write(layout.hourlyProfile(model, day + h * HOUR_MS), bytes)));
    const daily = rollUp(day, DAY_MS, hours);
    dailyRows.set(day, daily);
    const blocks = [0, 6, 12, 18].map((h) => rollUp(day + h * HOUR_MS, 6 * HOUR_MS, hours.slice(h, h + 6)));
    const [dayBytes, ...blockBytes] = await writeSummaryParquetGroups([daily, ...blocks]);
    await storage.write(layout.dailyProfile(model, day), dayBytes);
    await Promise.all(blockBytes.map((bytes, b) => storage.write(layout.sixHourProfile(model, day + b * 6 * HOUR_MS), bytes)));
  }
  for (let week = weekStart(start); week < start + DAYS * DAY_MS; week += WEEK_MS) {
    const days = Array.from({ length: 7 }, (_, d) => dailyRows.get(week + d * DAY_MS)).filter((rows): rows is SummaryRow[] => rows !== undefined);
    const [bytes] = await writeSummaryParquetGroups([rollUp(week, WEEK_MS, days)]);
    await storage.write(layout.weeklyProfile(model, week), bytes);
  }
  const refRows = [...hourTemplates[0].map((r) => ({ ...r, period_start: 0, period_end: 0 })), ...Array.from({ length: 10 }, (_, c) => hourTemplates[c].map((r) => ({ ...r, period_start: 0, period_end: 0, chunk: c })))].flat();
  const [refBytes] = await writeSummaryParquetGroups([refRows]);
  await storage.write(layout.referenceProfile(model, 'test'), refBytes);
  await storage.write(layout.referenceMeta(model, 'test'), JSON.stringify({ model, name: 'test', source: 'bench', rows: VALUES_PER_HOUR, period_start: null, period_end: null, chunks: 10, chunk_rows: VALUES_PER_HOUR, created_at: new Date().toISOString() }));
  await calibrateSyntheticReference(storage, model);
}

/** Store the `test` reference's calibration.json as `reference add` does (a store kept from before it existed gets one too). */
export async function calibrateSyntheticReference(storage: LocalStorage, model: string): Promise<void> {
  const ref = await loadReference(storage, model, 'test', readSummaryParquetMany);
  if (ref.calibration) return;
  await writeCalibration(storage, calibrateReference(model, 'test', ref.identity, ref.whole, await ref.loadChunks(), DEFAULT_CONFIG.defaults));
}

/** Names of the synthetic features. */
export const SYNTHETIC_FEATURES = [...Array.from({ length: NUMERIC }, (_, f) => ({ name: `num_${f}`, kind: 'numeric' as const })), ...Array.from({ length: CATEGORICAL }, (_, f) => ({ name: `cat_${f}`, kind: 'categorical' as const }))];

/**
 * `compare` of a 30-day window over 200 features (150 numeric, 50 categorical) on a local store
 * of 744 hourly profiles and their 6-hour, daily and weekly rollups; the target of issue #3 is
 * ≤ 200 ms. Three figures: "served" (a long-running process, the dashboard: reference and decoded
 * files cached, each file's version checked), "warm" (reference cached, files read and decoded),
 * "cold" (nothing cached but the DuckDB instance: the reference and its stored calibration are read again).
 */
export async function benchCompare(log: (line: string) => void) {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-compare-'));
  try {
    const storage = new LocalStorage(dir);
    const model = 'bench';
    const start = Date.parse('2026-10-01T00:00:00Z');
    await writeSyntheticProfiles(storage, model, start, log);

    // 30 days that are not day-aligned: weeks, days and 6-hour blocks, as `planWindow` picks them.
    const to = start + DAYS * DAY_MS - 12 * HOUR_MS;
    const from = to - 30 * DAY_MS;
    const run = (cache: ReferenceCache, profiles?: ProfileCache) =>
      compareModel({ storage, model, fromMs: from, toMs: to, reference: 'test', config: DEFAULT_CONFIG, decode: readSummaryParquetMany, cache, profiles });
    log('compare: timing …');
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const servedMs: number[] = [];
    const cache = new ReferenceCache();
    // The dashboard's process: reference and decoded profiles cached, each file's version checked.
    const served = new ProfileCache({ checkVersions: true });
    await run(cache, served);
    for (let i = 0; i < 7; i++) {
      let t0 = performance.now();
      await run(new ReferenceCache());
      coldMs.push(performance.now() - t0);
      t0 = performance.now();
      await run(cache);
      warmMs.push(performance.now() - t0);
      t0 = performance.now();
      const result = await run(cache, served);
      servedMs.push(performance.now() - t0);
      if (result.features.length !== NUMERIC + CATEGORICAL) throw new Error(`bench: expected 200 features, got ${result.features.length}`);
    }
    return {
      compare_30d_200_features_served_ms: median(servedMs),
      compare_30d_200_features_ms: median(warmMs),
      compare_30d_200_features_cold_ms: median(coldMs),
      compare_window_summaries_per_feature: planKeys(model, planWindow(from, to, await availableProfiles(storage, model))).length,
    };
  } finally {
    if (!process.env.KEEP_BENCH_STORE) await rm(dir, { recursive: true, force: true }); else log(`kept ${dir}`);
  }
}
