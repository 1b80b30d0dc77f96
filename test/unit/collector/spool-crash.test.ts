import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from '@/lib/collector/spool';

const CYCLES = 12;
const CHILD = join(import.meta.dirname, 'fixtures', 'spool-child.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-spool-crash-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Run the child until it has acknowledged `acks` appends (plus a random extra moment), then kill -9 it. */
function runAndKill(tag: string, acks: number, extraMs: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, tag], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Set<number>();
    let pending = '';
    let killing = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
      if (!killing && acked.size >= acks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('error', reject);
    // Acks read after the kill still count: each was printed after its fsync.
    child.on('close', () => resolve(acked));
  });
}

describe('spool under kill -9', () => {
  it(`every acknowledged record survives ${CYCLES} kills at random moments; the stale lock is taken over`, async () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let recoveredTotal = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const tag = `c${cycle}`;
      const acked = await runAndKill(tag, 50 + Math.floor(random() * 400), Math.floor(random() * 30));
      expect(acked.size).toBeGreaterThan(0);
      const spool = await Spool.open({ dir, segmentBytes: 4_096 });
      const found = new Set<number>();
      for await (const { body, record } of spool.recover()) {
        const [t, n] = body.toString('utf8').split('-');
        expect(t).toBe(tag);
        found.add(Number(n));
        spool.release(record);
      }
      const lost = [...acked].filter((n) => !found.has(n));
      expect(lost).toEqual([]);
      recoveredTotal += found.size;
      await spool.close();
      expect((await readdir(dir)).filter((n) => n.endsWith('.spool'))).toEqual([]);
    }
    expect(recoveredTotal).toBeGreaterThan(CYCLES * 50);
  }, 120_000);
});
