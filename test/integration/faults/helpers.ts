import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAY_MS, HOUR_MS } from '@/lib/format';
import { mulberry32, standardNormal } from '@/test/helpers/random';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'driftwatch.mjs');
export const MODEL = 'fault-model';
export const START = Date.parse('2026-11-01T00:00:00Z');
export const iso = (h: number) => new Date(START + h * HOUR_MS).toISOString();

export interface Event {
  id: string;
  ts: string;
  x: number | null;
  c: string;
}

/** `n` events of hour `hour`: `x` lognormal seconds (×`scale`), `c` one of three categories. */
export function events(seed: number, hour: number, n: number, prefix: string, scale = 1): Event[] {
  const u = mulberry32(seed);
  const z = standardNormal(u);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${hour}-${i}`,
    ts: new Date(START + hour * HOUR_MS + Math.floor((i / n) * HOUR_MS)).toISOString(),
    x: scale * Math.exp(5 + 0.5 * z()),
    c: ['a', 'b', 'c'][Math.floor(u() * 3)],
  }));
}

export const ndjson = (rows: Event[]) => rows.map((r) => JSON.stringify({ model: MODEL, id: r.id, ts: r.ts, features: { x: r.x, c: r.c } })).join('\n') + '\n';

/** Hours `[from, to)` of events, 60 an hour; `scale(h)` multiplies x (×1000: the drift the alerts catch). */
export async function writeEvents(path: string, from: number, to: number, scale: (h: number) => number = () => 1, perHour = 60): Promise<void> {
  const rows: Event[] = [];
  for (let h = from; h < to; h++) rows.push(...events(100 + h, h, perHour, 'p', scale(h)));
  await writeFile(path, ndjson(rows));
}

export async function writeReference(path: string): Promise<void> {
  const rows = events(1, 0, 5000, 'ref').map((r, i) => ({ ...r, ts: new Date(START - 30 * DAY_MS + i * 60_000).toISOString() }));
  await writeFile(path, ['id,ts,x,c', ...rows.map((r) => `${r.id},${r.ts},${r.x},${r.c}`)].join('\n') + '\n');
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/driftwatch.mjs …` as a child process; `child` lets the caller kill it. */
export function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Run to completion; throws with its output when it fails. */
export async function cliOk(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  const exit = await cli(args, env).done;
  if (exit.code !== 0) throw new Error(`driftwatch ${args.join(' ')} exited ${exit.code ?? exit.signal}:\n${exit.stdout}\n${exit.stderr}`);
  return exit;
}
