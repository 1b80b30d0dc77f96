// The dashboard's worker thread (lib/dashboard/worker-pool.ts starts it). Next bundles the server
// code, so a worker needs an entry of its own: this file loads lib/dashboard/worker/tasks.ts as one
// esbuild bundle (packages external), cached in node_modules/.cache/driftwatch and rebuilt when a
// source is newer, as bin/driftwatch.mjs does for the CLI; without esbuild, through tsx.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { bundledEntry } from '../../../bin/bundle-cache.mjs';

// Yield the CPU to the request thread from the start: loading the modules below (DuckDB among them)
// overlaps the server's first requests. tasks.ts sets the same nice again (DRIFTWATCH_WORKER_NICE).
try {
  const nice = Number(process.env.DRIFTWATCH_WORKER_NICE ?? 10);
  if (Number.isInteger(nice) && nice > 0) setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), Math.min(19, nice));
} catch {
  // not Linux, or not allowed
}

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'tasks.ts');

let tasks;
try {
  tasks = await import(pathToFileURL(await bundledEntry(source, 'compute-worker.mjs', fileURLToPath(import.meta.url))).href);
} catch (error) {
  if (process.env.DRIFTWATCH_DEBUG) console.error(`driftwatch worker: no bundle (${error instanceof Error ? error.message : String(error)}); loading through tsx`);
  const { tsImport } = await import('tsx/esm/api');
  tasks = await tsImport(pathToFileURL(source).href, import.meta.url);
}
tasks.serveTasks(parentPort);
// The pool sends work here only from now on; until a worker is ready, it computes on the request thread.
parentPort.postMessage({ ready: true });
