import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  calibrateReference,
  calibrationFingerprint,
  compareModel,
  DEFAULT_CONFIG,
  loadReference,
  metricsOfKind,
  parseConfig,
  RANDOM_CHUNK_BASE,
  ReferenceCache,
  referenceThreshold,
  referenceWarnings,
  type Config,
  type MetricName,
} from '@/lib/compare';
import { readSummaryParquetMany } from '@/lib/duckdb';
import { CALIBRATION_FORMAT, HOUR_MS, layout, ReferenceCalibration, type SummaryRow } from '@/lib/format';
import { addReference } from '@/lib/profile';
import { MemoryStorage } from '@/lib/storage';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { tempDir, writeCsv } from '../profile/helpers';
import { putHourProfile } from '@/test/helpers/hour-profiles';

// Profiles are stored as JSON in the in-memory suites: calibration is tested without DuckDB.
const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => files.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[]);
const START = Date.parse('2026-11-01T00:00:00Z');

function values(n: number, seed: number): Float64Array {
  const z = standardNormal(mulberry32(seed));
  return Float64Array.from({ length: n }, () => Math.exp(5 + 0.4 * z()));
}

function counts(seed: number): Map<string, number> {
  const rng = mulberry32(seed);
  return new Map(['a', 'b', 'c', 'd'].map((c, i) => [c, 100 + i * 50 + Math.floor(rng() * 40)]));
}

/** A model "m" with a reference "test" of `chunks` chunks (two numeric features, one categorical) and 12 live hours. */
async function store(chunks = 10): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const rows: SummaryRow[] = [];
  for (let c = -1; c < chunks; c++) {
    const key = (feature: string) => ({ model: 'm', feature, period_start: 0, period_end: 0, chunk: c });
    const n = c < 0 ? 500 * chunks : 500;
    rows.push({ ...numericSummary(key('amount'), values(n, 10 + c), 3, 0), chunk: c });
    rows.push({ ...numericSummary(key('wait'), values(n, 50 + c).map((x) => Math.round(x / 10)), 0, 1), chunk: c });
    rows.push({ ...categoricalSummary(key('country'), counts(90 + c), 2, 0), chunk: c });
  }
  await s.write(layout.referenceProfile('m', 'test'), JSON.stringify(rows));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 500 * chunks, period_start: null, period_end: null, chunks, chunk_rows: 500, created_at: '2026-11-01T00:00:00Z' }));
  for (let h = 0; h < 12; h++) {
    const t = START + h * HOUR_MS;
    const key = (feature: string) => ({ model: 'm', feature, period_start: t, period_end: t + HOUR_MS });
    await putHourProfile(s, 'm', t, [numericSummary(key('amount'), values(200, 200 + h), 0, 0), numericSummary(key('wait'), values(200, 300 + h), 0, 0), categoricalSummary(key('country'), counts(400 + h), 0, 0)]);
  }
  return s;
}

async function storedCalibration(s: MemoryStorage): Promise<ReferenceCalibration | undefined> {
  const bytes = await s.read(layout.referenceCalibration('m', 'test'));
  return bytes === undefined ? undefined : ReferenceCalibration.parse(JSON.parse(new TextDecoder().decode(bytes)));
}

/** Every default threshold as referenceThreshold computes it from the loaded reference. */
async function recomputed(s: MemoryStorage, defaults = DEFAULT_CONFIG.defaults) {
  const ref = await loadReference(s, 'm', 'test', decode);
  const chunks = await ref.loadChunks();
  const out: Record<string, Record<string, unknown>> = {};
  for (const [feature, row] of ref.whole) {
    out[feature] = {};
    for (const metric of metricsOfKind(row.kind)) out[feature][metric] = referenceThreshold(chunks.get(feature) ?? [], metric, defaults);
  }
  return out;
}

const compare = (s: MemoryStorage, config: Config, cache: ReferenceCache, metric?: MetricName) =>
  compareModel({ storage: s, model: 'm', fromMs: START, toMs: START + 12 * HOUR_MS, reference: 'test', config, decode, cache, metric });

describe('stored calibration', () => {
  it('holds every feature × metric of its kind, exactly as referenceThreshold computes them', async () => {
    const s = await store();
    const ref = await loadReference(s, 'm', 'test', decode);
    const calibration = calibrateReference('m', 'test', ref.identity, ref.whole, await ref.loadChunks(), DEFAULT_CONFIG.defaults);
    expect(Object.keys(calibration.features).sort()).toEqual(['amount', 'country', 'wait']);
    expect(Object.keys(calibration.features.amount.thresholds).sort()).toEqual(['area', 'hellinger', 'js', 'ks', 'psi', 'wasserstein_norm']);
    expect(Object.keys(calibration.features.country.thresholds).sort()).toEqual(['js', 'linf', 'psi']);
    // Through JSON, as it is stored: doubles round-trip exactly.
    const roundTrip = ReferenceCalibration.parse(JSON.parse(JSON.stringify(calibration)));
    const expected = await recomputed(s);
    for (const [feature, { thresholds }] of Object.entries(roundTrip.features)) expect(thresholds).toStrictEqual(expected[feature]);
    expect(roundTrip.features.amount.thresholds.area.source).toBe('reference');
  });

  it('is written by the first comparison of a store without one, then read instead of recomputed', async () => {
    const s = await store();
    expect(await storedCalibration(s)).toBeUndefined();
    const first = await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const written = await storedCalibration(s);
    expect(written?.format).toBe(CALIBRATION_FORMAT);
    expect(written?.inputs.fingerprint).toBe(calibrationFingerprint(DEFAULT_CONFIG.defaults));
    // A stored value is used as it is: change one and a fresh process (cache) shows it.
    const edited = structuredClone(written as ReferenceCalibration);
    edited.features.amount.thresholds.area = { value: 0.5, source: 'reference', chunk_mean: 0.4, chunk_sd: 0.03333333333333333, chunks: 10, n_eff: 450, floor: 0.08, sigmas: 3 };
    await s.write(layout.referenceCalibration('m', 'test'), JSON.stringify(edited));
    const second = await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const area = (r: typeof first) => r.features.find((f) => f.name === 'amount');
    expect(area(second)?.threshold).not.toBe(area(first)?.threshold);
    // Rescaled from the stored n_eff (450) to this comparison's: 5,000 reference against 12 × 200 live values.
    expect(area(second)?.threshold).toBeCloseTo(0.5 * Math.sqrt(450 / ((5000 * 2400) / 7400)), 12);
  });

  it('is derived again, equal to a fresh computation, when sigmas or materiality change, and stored again', async () => {
    const s = await store();
    await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const changed = parseConfig('defaults:\n  sigmas: 2\n  materiality:\n    ks: 0.01\n');
    const result = await compare(s, changed, new ReferenceCache(), 'ks');
    const written = await storedCalibration(s);
    expect(written?.inputs.fingerprint).toBe(calibrationFingerprint(changed.defaults));
    expect(written?.inputs.sigmas).toBe(2);
    const expected = await recomputed(s, changed.defaults);
    for (const [feature, { thresholds }] of Object.entries(written?.features ?? {})) expect(thresholds).toStrictEqual(expected[feature]);
    expect((expected.amount.ks as { sigmas: number }).sigmas).toBe(2);
    // And the comparison used the new thresholds.
    const ref = await loadReference(s, 'm', 'test', decode);
    const amount = result.features.find((f) => f.name === 'amount');
    expect(amount?.threshold_source).toBe((expected.amount.ks as { source: string }).source);
    expect(ref.calibration?.inputs.fingerprint).toBe(calibrationFingerprint(changed.defaults));
  });

  it('is not written by a reader that may not write (the dashboard), which computes in memory the same thresholds', async () => {
    const s = await store();
    const reader = await compare(s, DEFAULT_CONFIG, new ReferenceCache({ storeCalibration: false }));
    expect(await storedCalibration(s)).toBeUndefined();
    const writer = await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    expect(await storedCalibration(s)).toBeDefined();
    expect(writer.features.map((f) => [f.name, f.threshold, f.verdict])).toEqual(reader.features.map((f) => [f.name, f.threshold, f.verdict]));
    const stored = await compare(s, DEFAULT_CONFIG, new ReferenceCache({ storeCalibration: false }));
    expect(stored.features).toEqual(reader.features);
  });

  it('is ignored when the reference profile was replaced after it was written', async () => {
    const s = await store();
    await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const old = await storedCalibration(s);
    const rows = JSON.parse(new TextDecoder().decode(await s.read(layout.referenceProfile('m', 'test')))) as SummaryRow[];
    await s.write(layout.referenceProfile('m', 'test'), JSON.stringify(rows.filter((r) => r.chunk !== 9)));
    expect((await loadReference(s, 'm', 'test', decode)).calibration).toBeUndefined();
    await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const again = await storedCalibration(s);
    expect(again?.profile.sha256).not.toBe(old?.profile.sha256);
    expect(again?.features).toStrictEqual(calibrateReference('m', 'test', (await loadReference(s, 'm', 'test', decode)).identity, new Map(rows.filter((r) => r.chunk < 0).map((r) => [r.feature, r])), new Map(['amount', 'wait', 'country'].map((f) => [f, rows.filter((r) => r.feature === f && r.chunk >= 0 && r.chunk !== 9)])), DEFAULT_CONFIG.defaults).features);
  });

  it('that lacks a metric of a feature (written by another version) is computed again whole', async () => {
    const s = await store();
    await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const partial = structuredClone((await storedCalibration(s)) as ReferenceCalibration);
    delete partial.features.wait.thresholds.psi;
    await s.write(layout.referenceCalibration('m', 'test'), JSON.stringify(partial));
    await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    const expected = await recomputed(s);
    expect((await storedCalibration(s))?.features.wait.thresholds).toStrictEqual(expected.wait);
  });

  it('of another format is recomputed, and an unreadable file does not stop a comparison', async () => {
    const s = await store();
    await s.write(layout.referenceCalibration('m', 'test'), JSON.stringify({ format: 'driftwatch-calibration/0', features: {} }));
    const result = await compare(s, DEFAULT_CONFIG, new ReferenceCache());
    expect(result.features).toHaveLength(3);
    expect((await storedCalibration(s))?.format).toBe(CALIBRATION_FORMAT);
    await s.write(layout.referenceCalibration('m', 'test'), '{ not json');
    expect((await compare(s, DEFAULT_CONFIG, new ReferenceCache({ storeCalibration: false }))).features).toEqual(result.features);
  });
});

describe('small-reference warnings', () => {
  it('names a reference of fewer than 10 chunks, or of chunks under 500 rows, and nothing else', () => {
    expect(referenceWarnings({ name: 'test', rows: 2000, chunks: 4, chunk_rows: 500 })).toEqual([
      'reference "test" has 4 chunks (2,000 rows): thresholds need at least 10 chunks of 500 rows to be calibrated reliably; add a reference of at least 5,000 rows',
    ]);
    expect(referenceWarnings({ name: 'x', rows: 900, chunks: 2, chunk_rows: 450 })[0]).toContain('so the materiality floors are used instead');
    expect(referenceWarnings({ name: 'test', rows: 2000, chunks: 20, chunk_rows: 100 })).toEqual(['reference "test" has chunks of 100 rows: thresholds need chunks of at least 500 rows to be calibrated reliably']);
    expect(referenceWarnings({ name: 'test', rows: 5000, chunks: 10, chunk_rows: 500 })).toEqual([]);
  });

  it('reach every comparison with the reference', async () => {
    expect((await compare(await store(4), DEFAULT_CONFIG, new ReferenceCache())).warnings).toEqual([
      'reference "test" has 4 chunks (2,000 rows): thresholds need at least 10 chunks of 500 rows to be calibrated reliably; add a reference of at least 5,000 rows',
    ]);
    expect((await compare(await store(10), DEFAULT_CONFIG, new ReferenceCache())).warnings).toEqual([]);
  });
});

describe('addReference', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => ({ dir, remove } = await tempDir()));
  afterAll(() => remove());

  async function csv(name: string, n: number): Promise<string> {
    const rng = mulberry32(n);
    const z = standardNormal(rng);
    const rows = Array.from({ length: n }, (_, i) => [new Date(START + i * 60_000).toISOString(), (100 * Math.exp(0.5 * z())).toFixed(3), ['DE', 'FR', 'IT'][Math.floor(rng() * 3)]]);
    return writeCsv(join(dir, name), ['ts', 'amount', 'country'], rows);
  }

  it('stores the calibration beside the reference, equal to the thresholds computed from the stored profile', async () => {
    const s = new MemoryStorage();
    await s.write('config.yaml', 'defaults:\n  sigmas: 2.5\n');
    const result = await addReference({ storage: s, model: 'm', name: 'test', file: await csv('big.csv', 6000), timestampCol: 'ts' });
    expect(result.warnings).toEqual([]);
    expect(result.reference.chunks).toBe(12);
    const stored = await storedCalibration(s);
    const config = parseConfig('defaults:\n  sigmas: 2.5\n');
    expect(stored?.inputs.fingerprint).toBe(calibrationFingerprint(config.defaults));
    expect(stored?.profile.rows).toBe(6000);
    const ref = await loadReference(s, 'm', 'test', readSummaryParquetMany);
    expect(ref.calibration).toStrictEqual(stored);
    // Read with only the whole-reference rows; the chunks come on demand, as they were written.
    expect([...ref.whole.values()].every((r) => r.chunk === -1)).toBe(true);
    const chunks = await ref.loadChunks();
    // The row-ordered chunks, then (format 1.1) as many drawn at random.
    expect(chunks.get('amount')?.map((r) => r.chunk)).toEqual([...Array.from({ length: 12 }, (_, i) => i), ...Array.from({ length: 12 }, (_, i) => RANDOM_CHUNK_BASE + i)]);
    for (const [feature, { kind, thresholds }] of Object.entries(stored?.features ?? {})) {
      expect(kind).toBe(ref.whole.get(feature)?.kind);
      // Time-ordered rows without a trend: the ordered statistics are used, as before random chunks existed (format 1.1).
      for (const metric of metricsOfKind(kind)) expect(thresholds[metric]).toMatchObject({ ...referenceThreshold(chunks.get(feature) ?? [], metric, config.defaults), chunking: 'ordered' });
    }
  });

  it('returns the small-reference warning', async () => {
    const s = new MemoryStorage();
    const result = await addReference({ storage: s, model: 'm', name: 'small', file: await csv('small.csv', 1500), timestampCol: 'ts' });
    expect(result.reference.chunks).toBe(3);
    expect(result.warnings).toEqual(['reference "small" has 3 chunks (1,500 rows): thresholds need at least 10 chunks of 500 rows to be calibrated reliably; add a reference of at least 5,000 rows']);
  });
});
