import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLIENT = resolve('lib/client/index.ts');
const KILL_AFTER_MS = 20_000;

/** Accepts connections and never answers: a collector that hangs. */
let blackHole: Server;
const sockets: Socket[] = [];
let port = 0;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-client-exit-'));
  blackHole = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  port = (blackHole.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Runs a script with the logger in a child process; resolves with how it ended (killed = it hung). */
async function run(name: string, body: string): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  const file = join(dir, `${name}.mts`);
  await writeFile(file, `import { createPredictionLogger } from ${JSON.stringify(CLIENT)};\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, KILL_AFTER_MS);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, killed, stdout, stderr };
}

const events = `for (let i = 0; i < 3000; i++) logger.log({ model: 'm', id: 'e' + i, features: { a: i } });`;

describe('the logger never keeps a process alive', () => {
  it('a script that logs to a black-holed collector and ends exits by itself', async () => {
    const r = await run('ends', `const logger = createPredictionLogger({ transport: { type: 'http', url: 'http://127.0.0.1:${port}' }, batchSize: 100 });\n${events}\nconst t = setInterval(() => { const s = logger.stats(); if (s.inFlight > 0) { clearInterval(t); console.log(JSON.stringify(s)); } }, 5);`);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as { inFlight: number; dropped: { queue_full: number } };
    expect(stats.inFlight).toBe(100); // a request was hanging on the black hole when it exited
    expect(stats.dropped.queue_full).toBe(3000 - 2048);
  });

  it('close() against a black-holed collector returns within its deadline and the process exits', async () => {
    const r = await run(
      'close',
      `const logger = createPredictionLogger({ transport: { type: 'http', url: 'http://127.0.0.1:${port}' }, timeoutMs: 200, closeTimeoutMs: 500, retryBaseMs: 50 });\n${events}\nconst t = Date.now();\nawait logger.close();\nconsole.log(JSON.stringify({ ms: Date.now() - t, ...logger.stats() }));`,
    );
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as { ms: number; sent: number; queued: number; dropped: Record<string, number> };
    expect(stats.sent).toBe(0);
    expect(stats.queued).toBe(0);
    // Every event is accounted for: refused at the door, given up after retries, or dropped at close.
    expect(stats.dropped.queue_full + stats.dropped.send_failed + stats.dropped.closed).toBe(3000);
    expect(stats.dropped.closed).toBeGreaterThan(0);
  });

  it('a script whose Redis is not there flushes (every batch failing), then exits by itself', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const r = await run('redis', `const logger = createPredictionLogger({ transport: { type: 'redis', url: 'redis://127.0.0.1:${deadPort}' }, batchSize: 100, retryBaseMs: 20 });\n${events}\nawait logger.flush();\nconsole.log(JSON.stringify(logger.stats()));`);
    // flush() held the process up until every batch failed; then nothing (no reconnect timer) keeps it alive.
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as { sent: number; dropped: { send_failed: number; queue_full: number }; lastError: string };
    expect(stats.sent).toBe(0);
    expect(stats.dropped).toMatchObject({ send_failed: 2048, queue_full: 3000 - 2048 });
    expect(stats.lastError).toMatch(/ECONNREFUSED|redis/);
  });
});
