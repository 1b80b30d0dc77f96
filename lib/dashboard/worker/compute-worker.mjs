// The dashboard's worker thread (lib/dashboard/worker-pool.ts starts it). Next bundles the server
// code, so a worker needs an entry of its own: this file loads lib/dashboard/worker/tasks.ts as one
// esbuild bundle (packages external), cached in node_modules/.cache/driftwatch and rebuilt when a
// source is newer, as bin/driftwatch.mjs does for the CLI; without esbuild, through tsx.
import { mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { setPriority } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, threadId } from 'node:worker_threads';

// Yield the CPU to the request thread from the start: loading the modules below (DuckDB among them)
// overlaps the server's first requests. tasks.ts sets the same nice again (DRIFTWATCH_WORKER_NICE).
try {
  const nice = Number(process.env.DRIFTWATCH_WORKER_NICE ?? 10);
  if (Number.isInteger(nice) && nice > 0) setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), Math.min(19, nice));
} catch {
  // not Linux, or not allowed
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(import.meta.url);
const source = join(here, 'tasks.ts');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

async function bundle() {
  const out = join(root, 'node_modules', '.cache', 'driftwatch', 'compute-worker.mjs');
  let built = -1;
  try {
    built = statSync(out).mtimeMs;
  } catch {
    // not built yet
  }
  const sources = Math.max(newestSource(join(root, 'lib')), statSync(join(root, 'package.json')).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  if (built > sources) return out;
  const started = new Date();
  const { build } = require('esbuild');
  mkdirSync(dirname(out), { recursive: true });
  // Every worker of the pool may build at once: each writes its own file, the rename is atomic.
  const tmp = `${out}.${process.pid}-${threadId}.tmp`;
  try {
    await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: tmp, logLevel: 'silent', tsconfig: join(root, 'tsconfig.json') });
    utimesSync(tmp, started, started);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

let tasks;
try {
  tasks = await import(pathToFileURL(await bundle()).href);
} catch (error) {
  if (process.env.DRIFTWATCH_DEBUG) console.error(`driftwatch worker: no bundle (${error instanceof Error ? error.message : String(error)}); loading through tsx`);
  const { tsImport } = await import('tsx/esm/api');
  tasks = await tsImport(pathToFileURL(source).href, import.meta.url);
}
tasks.serveTasks(parentPort);
// The pool sends work here only from now on; until a worker is ready, it computes on the request thread.
parentPort.postMessage({ ready: true });
