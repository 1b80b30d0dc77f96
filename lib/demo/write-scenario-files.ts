import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FeatureValue } from './features';
import type { ReferenceRow, Scenario } from './generate-scenario';

export interface ScenarioFiles {
  predictions: string;
  labels: string;
  test: string;
  train: string;
  faults: string;
  scenario: string;
}

export interface WrittenScenario {
  files: ScenarioFiles;
  counts: { predictions: number; labels: number; test: number; train: number };
}

/** Lines are joined into chunks of about this size: one write per line is slow, one string per file is huge. */
const CHUNK_CHARS = 1 << 16;

function* chunked(lines: Iterable<string>, counter: { n: number }): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line + '\n';
    counter.n++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const counter = { n: 0 };
  await pipeline(Readable.from(chunked(lines, counter)), createWriteStream(path));
  return counter.n;
}

function* map<T>(items: Iterable<T>, f: (item: T) => string): Generator<string> {
  for (const item of items) yield f(item);
}

/** RFC 4180 field: empty for null, quoted only when it contains a comma, quote or line break. */
export function csvField(value: FeatureValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function* csvLines(columns: readonly string[], rows: Iterable<ReferenceRow>): Generator<string> {
  yield columns.map(csvField).join(',');
  const record = (row: ReferenceRow): Record<string, FeatureValue> => row;
  for (const row of rows) {
    const values = record(row);
    yield columns.map((c) => csvField(values[c] ?? null)).join(',');
  }
}

/**
 * Writes the scenario to `dir` (created if missing): predictions.ndjson and labels.ndjson (one
 * event per line, in time order), test.csv and train.csv (id,ts,<features…>,score,label; empty
 * field for null), faults.json, and scenario.json (model, period and feature list).
 */
export async function writeScenarioFiles(scenario: Scenario, dir: string): Promise<WrittenScenario> {
  await mkdir(dir, { recursive: true });
  const files: ScenarioFiles = {
    predictions: join(dir, 'predictions.ndjson'),
    labels: join(dir, 'labels.ndjson'),
    test: join(dir, 'test.csv'),
    train: join(dir, 'train.csv'),
    faults: join(dir, 'faults.json'),
    scenario: join(dir, 'scenario.json'),
  };
  const columns = ['id', 'ts', ...scenario.features.map((f) => f.name), 'score', 'label'];
  const toJson = (event: unknown) => JSON.stringify(event);
  const predictions = await writeLines(files.predictions, map(scenario.events(), toJson));
  const labels = await writeLines(files.labels, map(scenario.labels(), toJson));
  const test = (await writeLines(files.test, csvLines(columns, scenario.test()))) - 1;
  const train = (await writeLines(files.train, csvLines(columns, scenario.train()))) - 1;
  await writeFile(files.faults, JSON.stringify(scenario.faults, null, 2) + '\n');
  const { model, modelVersion, seed, start, end, features } = scenario;
  await writeFile(files.scenario, JSON.stringify({ model, modelVersion, seed, start, end, features }, null, 2) + '\n');
  return { files, counts: { predictions, labels, test, train } };
}
