import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { initStore } from '@/lib/cli/commands/init';
import { readSummaryParquetMany } from '@/lib/duckdb';
import { HOUR_MS, layout } from '@/lib/format';
import { addReference } from '@/lib/profile';
import { LocalStorage, type Storage } from '@/lib/storage';
import { bundleCli } from '@/test/helpers/collector-process';

export { bundleCli, REPO, spawnCollector, startCollector, type Collector } from '@/test/helpers/collector-process';
export const MODEL = 'm';

/** What a collector test file sets up once: a directory, a local store with model `m`, the bundled CLI. */
export interface CollectorFixture {
  dir: string;
  storeDir: string;
  storage: LocalStorage;
  cli: Awaited<ReturnType<typeof bundleCli>>;
  /** Remove the bundle and the directory (afterAll). */
  cleanup(): Promise<void>;
}

export async function collectorFixture(name: string): Promise<CollectorFixture> {
  const dir = await mkdtemp(join(tmpdir(), `driftwatch-${name}-`));
  const storeDir = await makeStore(dir);
  const storage = new LocalStorage(storeDir);
  await addModel(storage, dir);
  const cli = await bundleCli(name);
  return {
    dir,
    storeDir,
    storage,
    cli,
    cleanup: async () => {
      await cli.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A store with model `m` (numeric `x`, categorical `c`, a score) from a 600-row reference. */
export async function makeStore(dir: string, location = join(dir, 'store')): Promise<string> {
  await writeReference(dir);
  await initStore(location, () => {});
  return location;
}

async function writeReference(dir: string): Promise<void> {
  const csv = join(dir, 'reference.csv');
  const start = Date.now() - 30 * 24 * HOUR_MS;
  const rows = Array.from({ length: 600 }, (_, i) => `r${i},${new Date(start + i * HOUR_MS).toISOString()},${(i % 97) / 10},${'abc'[i % 3]},${(i % 10) / 10}`);
  await writeFile(csv, ['id,ts,x,c,score', ...rows].join('\n') + '\n');
}

export async function addModel(storage: Storage, dir: string): Promise<void> {
  await addReference({ storage, model: MODEL, name: 'test', file: join(dir, 'reference.csv'), idCol: 'id', timestampCol: 'ts', scoreCol: 'score' });
}

/** One event line of model `m` at `ms` (default: now). */
export function event(id: string, ms = Date.now(), x: unknown = 1.5): string {
  return JSON.stringify({ model: MODEL, id, ts: new Date(ms).toISOString(), features: { x, c: 'a' }, score: 0.25 });
}

/** Every raw prediction batch of `m`: key → its event ids (throws on a torn file). */
export async function rawBatches(storage: Storage): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(MODEL))) {
    const bytes = await storage.read(key);
    if (bytes === undefined) throw new Error(`${key} is listed but cannot be read`);
    const text = gunzipSync(bytes).toString('utf8');
    if (!text.endsWith('\n')) throw new Error(`${key} does not end with a newline`);
    out.set(
      key,
      text
        .slice(0, -1)
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    );
  }
  return out;
}

/** Rows profiled for feature `x`, summed over every hourly summary of `m`. */
export async function profiledRows(storage: Storage): Promise<number> {
  const keys = (await storage.list(layout.hourlyProfilesPrefix(MODEL))).filter((k) => k.endsWith('.parquet'));
  const files = await Promise.all(keys.map(async (k) => (await storage.read(k))!));
  const rows = (await readSummaryParquetMany(files)).flat();
  return rows.filter((r) => r.feature === 'x' && r.chunk === -1).reduce((n, r) => n + r.rows, 0);
}
