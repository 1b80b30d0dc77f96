#!/usr/bin/env node
// Runs the TypeScript CLI from a checkout without a build step. Loading its ~150 modules through
// tsx cost 1–1.5 s of every command, so the CLI is bundled once by esbuild (packages left
// external), kept in node_modules/.cache/driftwatch and rebuilt when a source is newer. Without
// esbuild, or when the bundle cannot be written, it runs through tsx as before.
import { spawnSync } from 'node:child_process';
import { bundledEntry } from './bundle-cache.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The AWS SDK warns on Node 20 about releases after January 2027; the lock file pins an older one.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let main;
try {
  main = (await import(pathToFileURL(await bundledEntry(join(root, 'lib', 'cli', 'main.ts'), 'cli.mjs', fileURLToPath(import.meta.url))).href)).main;
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
