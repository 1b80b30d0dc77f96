// Runs inside a worker thread (compute-worker.mjs loads it), outside Next: no 'server-only' here.
import type { MessagePort } from 'node:worker_threads';
import { ProfileCache, ReferenceCache, type Config } from '../../compare';
import { readSummaryParquetMany } from '../../duckdb';
import { openStorage, type Storage } from '../../storage';
import { computeTrend, computeWindow, type TrendTask, type WindowTask } from '../compute';

interface Caches {
  storage: Storage;
  references: ReferenceCache;
  profiles: ProfileCache;
}

/** Decoded profiles per worker: DRIFTWATCH_WORKER_CACHE_MIB each (default 128), besides the request thread's 256. */
const cacheBytes = (Number(process.env.DRIFTWATCH_WORKER_CACHE_MIB) || 128) << 20;
const stores = new Map<string, Caches>();

function caches(location: string): Caches {
  let c = stores.get(location);
  if (!c) stores.set(location, (c = { storage: openStorage(location), references: new ReferenceCache({ storeCalibration: false }), profiles: new ProfileCache({ checkVersions: true, maxBytes: cacheBytes }) }));
  return c;
}

interface Message {
  id: number;
  kind: 'window' | 'trend';
  location: string;
  config: Config;
  task: WindowTask | TrendTask;
}

async function handle(m: Message): Promise<unknown> {
  const deps = { ...caches(m.location), config: m.config, decode: readSummaryParquetMany };
  if (m.kind === 'window') return computeWindow(deps, m.task as WindowTask);
  return computeTrend(deps, m.task as TrendTask);
}

/** Answer the pool's tasks on `port`, one message per task: `{id, value}` or `{id, error}`. */
export function serveTasks(port: MessagePort): void {
  port.on('message', (m: Message) => {
    handle(m).then(
      (value) => port.postMessage({ id: m.id, value }),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ id: m.id, error: { name: error.name, message: error.message, status: (error as { status?: number }).status } });
      },
    );
  });
}
