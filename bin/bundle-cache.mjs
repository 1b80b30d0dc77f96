// One esbuild bundle of a TypeScript entry (packages left external), cached in
// node_modules/.cache/driftwatch and rebuilt when a source under lib/, package.json or the caller
// is newer. The CLI (bin/driftwatch.mjs) and the dashboard's worker threads load their code this
// way: loading ~150 modules through tsx cost 1–1.5 s of every start.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The bundle of `source` (a path), built as `name` when missing or older than a source; its mtime is the build's start. */
export async function bundledEntry(source, name, caller) {
  const out = join(root, 'node_modules', '.cache', 'driftwatch', name);
  let built = -1;
  try {
    built = statSync(out).mtimeMs;
  } catch {
    // not built yet
  }
  const sources = Math.max(newestSource(join(root, 'lib')), statSync(join(root, 'package.json')).mtimeMs, statSync(caller).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  if (built > sources) return out;
  const started = new Date();
  const { build } = require('esbuild');
  mkdirSync(dirname(out), { recursive: true });
  // Several processes or worker threads may build at once: each writes its own file, the rename is atomic.
  const tmp = `${out}.${process.pid}-${threadId}.tmp`;
  try {
    await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: tmp, logLevel: 'silent', tsconfig: join(root, 'tsconfig.json') });
    // A source saved during the build is newer than the bundle, so the next run builds again.
    utimesSync(tmp, started, started);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}
