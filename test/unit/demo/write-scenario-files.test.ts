import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, generateScenario, type FeatureValue, type Scenario } from '@/lib/demo';
import { csvField, writeScenarioFiles, type WrittenScenario } from '@/lib/demo/write-scenario-files';

const readLines = async (path: string) => (await readFile(path, 'utf8')).split('\n');

/** Our CSV never needs quotes (csvField is tested separately), so a split is an exact parser here. */
const readCsv = async (path: string) => {
  const lines = await readLines(path);
  expect(lines.pop()).toBe('');
  return lines.map((line) => line.split(','));
};

const csvValue = (value: FeatureValue) => (value === null ? '' : String(value));

describe('writeScenarioFiles', () => {
  let dir: string;
  let scenario: Scenario;
  let written: WrittenScenario;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-demo-'));
    // Ten days at low volume: three of the four faults fall inside it (crypto starts on day 11).
    scenario = generateScenario({ days: 10, meanPerHour: 30, testRows: 500, trainRows: 700 });
    written = await writeScenarioFiles(scenario, join(dir, 'nested', 'demo'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every prediction event as one JSON line, in order, equal to the generator', async () => {
    const lines = await readLines(written.files.predictions);
    expect(lines.pop()).toBe('');
    const events = [...scenario.events()];
    expect(lines.length).toBe(events.length);
    expect(written.counts.predictions).toBe(events.length);
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
  });

  it('writes the label events as JSON lines in arrival order', async () => {
    const lines = await readLines(written.files.labels);
    expect(lines.pop()).toBe('');
    const labels = lines.map((l) => JSON.parse(l) as { id: string; ts: string; label: number; model: string });
    expect(labels).toEqual([...scenario.labels()]);
    expect(written.counts.labels).toBe(labels.length);
    expect(labels.every((l, i) => i === 0 || labels[i - 1].ts <= l.ts)).toBe(true);
    expect(new Set(labels.map((l) => l.label))).toEqual(new Set([0, 1]));
  });

  it.each(['test', 'train'] as const)('writes %s.csv with a header and one row per reference row, nulls as empty fields', async (name) => {
    const [header, ...rows] = await readCsv(written.files[name]);
    expect(header).toEqual(['id', 'ts', ...FEATURES.map((f) => f.name), 'score', 'label']);
    const expected = [...scenario[name]()];
    expect(rows.length).toBe(expected.length);
    expect(written.counts[name]).toBe(expected.length);
    const asRecord = (row: (typeof expected)[number]): Record<string, FeatureValue> => row;
    expect(rows).toEqual(expected.map((row) => header.map((column) => csvValue(asRecord(row)[column]))));
    const ts = header.indexOf('ts');
    expect(rows.every((r) => new Date(r[ts]).toISOString() === r[ts])).toBe(true);
    const score = header.indexOf('score');
    expect(rows.every((r) => Number.isFinite(Number(r[score])))).toBe(true);
    const nulls = rows.flat().filter((field) => field === '').length;
    expect(nulls).toBe(expected.reduce((n, row) => n + Object.values(row).filter((v) => v === null).length, 0));
  });

  it('writes faults.json and scenario.json', async () => {
    const faults = JSON.parse(await readFile(written.files.faults, 'utf8'));
    expect(faults).toEqual(scenario.faults);
    expect(faults.map((f: { feature: string }) => f.feature)).toEqual(['basket_value', 'score', 'device_score', 'time_to_order']);
    const meta = JSON.parse(await readFile(written.files.scenario, 'utf8'));
    expect(meta).toEqual({
      model: 'checkout-fraud', modelVersion: '3', seed: 20261129, start: '2026-11-01T00:00:00Z', end: '2026-11-11T00:00:00Z', features: FEATURES,
    });
  });
});

describe('csvField', () => {
  it.each([
    [null, ''],
    [true, 'true'],
    [0.000123, '0.000123'],
    ['DE', 'DE'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
  ] as const)('%j → %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});
