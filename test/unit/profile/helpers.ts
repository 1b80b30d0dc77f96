import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSummaryParquet } from '@/lib/duckdb';
import type { SummaryRow } from '@/lib/format';
import { assertKey, type Storage } from '@/lib/storage/storage';

/** A tiny in-memory Storage for profile tests (lib/storage's implementations are built elsewhere). */
export class TestStorage implements Storage {
  readonly url = 'memory://profile-test';
  readonly objects = new Map<string, Uint8Array>();
  writes = 0;

  async list(prefix: string): Promise<string[]> {
    assertKey(prefix, true);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.objects.get(assertKey(key));
    return bytes ? bytes.slice() : undefined;
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    this.writes++;
    this.objects.set(assertKey(key), typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  }

  async writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    if (this.objects.has(assertKey(key))) return false;
    await this.write(key, data);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(assertKey(key));
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(assertKey(key));
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

export function byFeature(rows: readonly SummaryRow[]): Map<string, SummaryRow> {
  return new Map(rows.map((r) => [r.feature, r]));
}
