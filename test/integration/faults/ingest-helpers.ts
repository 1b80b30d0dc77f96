import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { main } from '@/lib/cli/main';

/** The CLI in-process against a fresh store per test, its output captured (the ingest fault suites). */
export interface CliStore {
  /** The suite's temporary directory (removed after it). */
  dir: string;
  /** This test's store, initialised. */
  store: string;
  out: string[];
  err: string[];
  run: (...args: string[]) => Promise<number>;
  /** Forget the output so far. */
  clear: () => void;
}

export function cliStore(name: string): CliStore {
  const t: CliStore = {
    dir: '',
    store: '',
    out: [],
    err: [],
    run: (...args) => main([...args, '--store', t.store], { log: (l) => t.out.push(l), error: (l) => t.err.push(l) }),
    clear: () => {
      t.out.length = 0;
      t.err.length = 0;
    },
  };
  beforeAll(async () => {
    t.dir = await mkdtemp(join(tmpdir(), `driftwatch-faults-${name}-`));
  });
  afterAll(() => rm(t.dir, { recursive: true, force: true }));
  beforeEach(async () => {
    t.store = join(t.dir, `store-${Math.random().toString(36).slice(2)}`);
    t.clear();
    expect(await t.run('init')).toBe(0);
    t.clear();
  });
  return t;
}

/** `N lines read = A accepted + Q quarantined` of the last ingest in `out`, checked to add up. */
export function accounting(out: readonly string[]): { read: number; accepted: number; quarantined: number } {
  const line = out.find((l) => / lines read = /.test(l));
  const m = / (\d+) lines read = (\d+) accepted \+ (\d+) quarantined/.exec(line ?? '');
  expect(m, `no accounting line in ${JSON.stringify(out)}`).not.toBeNull();
  const [read, accepted, quarantined] = m!.slice(1).map(Number);
  expect(accepted + quarantined).toBe(read);
  return { read, accepted, quarantined };
}
