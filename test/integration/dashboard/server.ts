import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { main } from '@/lib/cli/main';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  output: string[];
  stop: () => Promise<void>;
}

/**
 * `driftwatch serve` for a store on a free loopback port, as a user runs it; resolves once the
 * API answers. Needs a build (`npm run build`; test:all builds first).
 */
export async function startServe(store: string): Promise<RunningServer> {
  if (!existsSync(join(ROOT, '.next', 'BUILD_ID'))) throw new Error('no Next.js build: run `npm run build` first (test:all does)');
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'driftwatch.mjs'), 'serve', '--store', store, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${output.join('')}`);
    try {
      const response = await fetch(`${url}/api/openapi.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`serve did not answer within 60 s: ${output.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // The bin runs tsx, which runs next: signal the whole process group.
      process.kill(-(child.pid as number), 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    },
  };
}

/** Where browser tests save their screenshots. */
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

/** Debian's Chromium, headless and quiet (playwright-core cannot download browsers here). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh demo store (`driftwatch demo --no-serve`) in a new temporary directory; `dir` is for the caller to remove. */
export async function makeDemoStore(prefix: string): Promise<{ dir: string; store: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const log: string[] = [];
  const code = await main(['demo', '--store', join(dir, 'store'), '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
  if (code !== 0) throw new Error(`demo exited with ${code}:\n${log.join('\n')}`);
  return { dir, store: join(dir, 'store') };
}
