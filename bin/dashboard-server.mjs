#!/usr/bin/env node
// The dashboard server `driftwatch serve` starts: Next.js (production build) behind the answer
// front (lib/dashboard/front/server.ts), loaded as one cached esbuild bundle like the CLI.
// Usage: dashboard-server.mjs [--port N] [--host H] (default PORT or 3000, HOSTNAME or 127.0.0.1;
// DRIFTWATCH_STORE in the environment). `npm start` runs it.
import { bundledEntry } from './bundle-cache.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const entry = await bundledEntry(join(root, 'lib', 'dashboard', 'front', 'server.ts'), 'dashboard-server.mjs', fileURLToPath(import.meta.url));
const { startDashboardServer } = await import(pathToFileURL(entry).href);
const port = Number(arg('--port') ?? process.env.PORT ?? 3000);
const host = arg('--host') ?? process.env.HOSTNAME ?? '127.0.0.1';
try {
  await startDashboardServer({ dir: root, port, host });
} catch (error) {
  const message = error?.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use: stop the other server or pass another --port` : error instanceof Error ? error.message : String(error);
  console.error(`driftwatch dashboard: ${message}`);
  process.exit(1);
}
console.log(`▲ driftwatch dashboard ready on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);
