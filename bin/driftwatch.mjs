#!/usr/bin/env node
// Runs the TypeScript CLI from a checkout without a build step. Loading its ~150 modules through
// tsx cost 1–1.5 s of every command, so the CLI is bundled once by esbuild (packages left
// external), kept in node_modules/.cache/driftwatch and rebuilt when a source is newer. Without
// esbuild, or when the bundle cannot be written, it runs through tsx as before.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The AWS SDK warns on Node 20 about releases after January 2027; the lock file pins an older one.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The bundle of lib/cli/main.ts, built when missing or older than a source (its mtime is the build's start). */
async function bundle() {
  const out = join(root, 'node_modules', '.cache', 'driftwatch', 'cli.mjs');
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
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await build({ entryPoints: [join(root, 'lib', 'cli', 'main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: tmp, logLevel: 'silent', tsconfig: join(root, 'tsconfig.json') });
    // A source saved during the build is newer than the bundle, so the next run builds again.
    utimesSync(tmp, started, started);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

let main;
try {
  main = (await import(pathToFileURL(await bundle()).href)).main;
} catch (error) {
  if (process.env.DRIFTWATCH_DEBUG) console.error(`driftwatch: no bundle (${error instanceof Error ? error.message : String(error)}); running through tsx`);
}
if (main) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  const tsx = require.resolve('tsx/cli');
  const result = spawnSync(process.execPath, [tsx, join(root, 'lib/cli/main.ts'), ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
  process.exit(result.status ?? 1);
}
