import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSummaryParquet } from '@/lib/duckdb';
import { layout, type SummaryRow } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';

/** The in-memory store of lib/storage, under one name for the profile tests. */
export class TestStorage extends MemoryStorage {
  constructor() {
    super('profile-test');
  }

  text(key: string): string {
    const bytes = this.objects.get(key);
    if (!bytes) throw new Error(`no object ${key}`);
    return new TextDecoder().decode(bytes);
  }
}

/** A temporary directory for one suite; call the returned function to remove it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-profile-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A CSV file from a header and rows of cells (cells are written as given: quote them yourself). */
export async function writeCsv(path: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): Promise<string> {
  await writeFile(path, `${[header.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`);
  return path;
}

/** An NDJSON file (gzipped when the name ends in .gz) from objects or ready-made lines. */
export async function writeNdjson(path: string, lines: readonly (string | object)[]): Promise<string> {
  const text = `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
  await writeFile(path, path.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** The rows of one stored profile file. */
export async function profileRows(storage: TestStorage, key: string): Promise<SummaryRow[]> {
  const bytes = await storage.read(key);
  if (!bytes) throw new Error(`no profile at ${key}`);
  return readSummaryParquet(bytes);
}

/** One hour's rows from its day's pack (format 2.0). */
export async function hourRows(storage: TestStorage, model: string, hourMs: number): Promise<SummaryRow[]> {
  return (await profileRows(storage, layout.hourlyProfile(model, hourMs))).filter((r) => r.period_start === hourMs);
}

/** One 6-hour block's rows from its day's block pack; empty when the block has none. */
export async function blockRows(storage: TestStorage, model: string, blockMs: number): Promise<SummaryRow[]> {
  const bytes = await storage.read(layout.sixHourProfile(model, blockMs));
  return bytes ? (await readSummaryParquet(bytes)).filter((r) => r.period_start === blockMs) : [];
}

export function byFeature(rows: readonly SummaryRow[]): Map<string, SummaryRow> {
  return new Map(rows.map((r) => [r.feature, r]));
}
