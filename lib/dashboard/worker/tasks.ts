// Runs inside a worker thread (compute-worker.mjs loads it), outside Next: no 'server-only' here.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
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

/**
 * Heavy work yields the CPU to the request thread: this thread (and the DuckDB threads it starts,
 * which inherit it) runs at DRIFTWATCH_WORKER_NICE (default 10). Linux sets nice per thread; the
 * thread's id comes from /proc/thread-self. Elsewhere this does nothing.
 */
function lowerPriority(): void {
  const nice = Number(process.env.DRIFTWATCH_WORKER_NICE ?? 10);
  if (!Number.isInteger(nice) || nice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, nice));
  } catch {
    // not Linux, or not allowed: run at the process's priority
  }
}

/** Answer the pool's tasks on `port`, one message per task: `{id, value}` or `{id, error}`. */
export function serveTasks(port: MessagePort): void {
  lowerPriority();
  port.on('message', (m: Message) => {
    handle(m).then(
      (value) => port.postMessage({ id: m.id, value }),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        const { status, reason } = error as { status?: number; reason?: unknown };
        port.postMessage({ id: m.id, error: { name: error.name, message: error.message, status, reason: typeof reason === 'string' ? reason : undefined } });
      },
    );
  });
}
