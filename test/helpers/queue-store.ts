import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { initStore } from '@/lib/cli/commands/init';
import type { CollectorIntake } from '@/lib/collector/intake';
import type { Source } from '@/lib/collector/types';
import { readSummaryParquet } from '@/lib/duckdb/summary-parquet';
import { layout } from '@/lib/format';
import { profileModel } from '@/lib/profile/profile';
import { updateModelMeta, writeModelMeta } from '@/lib/profile/model-store';
import { openStorage } from '@/lib/storage';
import type { Storage } from '@/lib/storage/storage';

/** The model the queue suites write: one numeric feature `x` and a score. */
export const QUEUE_MODEL = 'queue-model';
/** Events are spread over hours from here (a fixed past day: profile's hours are stable). */
export const QUEUE_T0 = Date.UTC(2026, 10, 30, 0, 0, 0);

export interface QueueStore {
  dir: string;
  /** The store's location (a directory). */
  location: string;
  storage: Storage;
  cleanup(): Promise<void>;
}

/** A local store made as a user would (`init`), holding the model the collector accepts events of. */
export async function makeQueueStore(prefix: string): Promise<QueueStore> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const location = path.join(dir, 'store');
  await initStore(location, () => undefined);
  const storage = openStorage(location);
  await addQueueModel(storage);
  return { dir, location, storage, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Declare the queue model in a store (what `reference add` would leave: its features and score). */
export async function addQueueModel(storage: Storage): Promise<void> {
  const { meta } = updateModelMeta(undefined, QUEUE_MODEL, { found: new Map([['x', 'numeric']]), score: 'score' });
  await writeModelMeta(storage, meta);
}

/** One event line; `n` picks its id and its hour (ids spread over 6 hours). */
export function queueEvent(n: number, prefix = 'e'): string {
  const ts = new Date(QUEUE_T0 + (n % 6) * 3_600_000 + (n % 3_600) * 1000).toISOString();
  return JSON.stringify({ model: QUEUE_MODEL, id: `${prefix}${n}`, ts, features: { x: n % 97 }, score: 0.5 });
}

/** Every id in the model's raw batches, with how many times it was written. */
export async function storedIdCounts(storage: Storage, model = QUEUE_MODEL): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(model))) {
    if (!key.endsWith('.ndjson.gz')) continue;
    const text = gunzipSync((await storage.read(key))!).toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const id = (JSON.parse(line) as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Run `profile` on the model and answer the rows it counted for feature `x`, in total (duplicates by id removed per hour). */
export async function profiledRows(storage: Storage, model = QUEUE_MODEL): Promise<number> {
  await profileModel({ storage, model });
  let rows = 0;
  for (const key of await storage.list(layout.hourlyProfilesPrefix(model))) {
    if (!key.endsWith('.parquet')) continue;
    for (const row of await readSummaryParquet((await storage.read(key))!)) if (row.feature === 'x') rows += row.rows;
  }
  return rows;
}

/** A queue source and its intake, started by a test; `stop()` stops taking messages and writes what is buffered. */
export interface QueueRun {
  source: Source;
  intake: CollectorIntake;
  stop(): Promise<void>;
}

/** The source + intake pairs a queue suite started: a test stops its own, afterEach (`stopAll`) the ones a failed test left running. */
export class QueueRuns {
  private readonly running = new Set<{ source: Source; intake: CollectorIntake }>();

  /** Start the intake and then the source on it. */
  async start(source: Source, intake: CollectorIntake): Promise<QueueRun> {
    await intake.start();
    await source.start(intake);
    const handle = { source, intake };
    this.running.add(handle);
    return {
      source,
      intake,
      stop: async () => {
        this.running.delete(handle);
        await source.stop();
        await intake.close({ timeoutMs: 10_000 });
      },
    };
  }

  async stopAll(): Promise<void> {
    const all = [...this.running];
    this.running.clear();
    for (const { source, intake } of all) {
      await source.stop();
      await intake.close({ timeoutMs: 5_000 }).catch(() => undefined);
    }
  }
}
