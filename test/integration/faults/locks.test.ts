import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKED_EXIT_CODE, lockPrefix } from '@/lib/cli/commands/store-lock';
import { openStore } from '@/lib/cli/store-context';
import { cli, cliOk, events, MODEL, ndjson, writeReference } from './helpers';

const HOLDER = /pid (\d+) on host \S+ since \d\d:\d\d:\d\d UTC/;

/** Issue #10, case 10: two `profile` runs at once both redid every hour. */
describe('store locks: concurrent profile runs, and a lock left by a killed run', () => {
  let dir: string;
  let store: string;
  let lockDir: string;

  /** Resolves once a lock entry exists (the first run holds the lock). */
  async function lockTaken(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const entries = await readdir(lockDir).catch(() => []);
      if (entries.some((e) => e.endsWith('.json'))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the first run never took the lock');
  }

  /**
   * Hours `from`…`to − 1` of data, 10 events each, one hour a day (the days before START). Format
   * 2.0 profiles per day, so 480 hours of 20 days took a fraction of a second: too short for the
   * second run to start while the first holds the lock. One hour a day makes 480 days: a run that
   * holds it long enough, as 480 hour files did in 1.x.
   */
  async function ingestHours(from: number, to: number): Promise<void> {
    const file = join(dir, `events-${from}.ndjson`);
    await writeFile(file, ndjson(Array.from({ length: to - from }, (_, k) => events(100 + from + k, (from + k - 960) * 24, 10, 'p')).flat()));
    await cliOk(['ingest', '--store', store, '--model', MODEL, '--file', file]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-faults-locks-'));
    store = join(dir, 'store');
    lockDir = join(store, lockPrefix(MODEL, 'profile'));
    await writeReference(join(dir, 'test.csv'));
    await cliOk(['init', '--store', store]);
    await cliOk(['reference', 'add', '--store', store, '--model', MODEL, '--name', 'test', '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts']);
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the second run exits at once with the holder named (--wait 0), or waits and finds the work done', async () => {
    await ingestHours(0, 480);
    const first = cli(['profile', '--store', store]);
    await lockTaken();
    const others = [cli(['profile', '--store', store, '--wait', '0']), cli(['profile', '--store', store, '--wait', '120'])];
    const [a, refused, b] = await Promise.all([first.done, ...others.map((o) => o.done)]);
    expect(refused.code).toBe(LOCKED_EXIT_CODE);
    expect(refused.stderr.trim()).toMatch(new RegExp(`^driftwatch profile: profile of ${MODEL} is running \\(pid ${first.child.pid} on host \\S+ since \\d\\d:\\d\\d:\\d\\d UTC\\): run again later$`));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain(`${MODEL}: 480 hourly profiles written`);
    expect(b.code, b.stderr).toBe(0);
    // It waited, named the run it waited for, and then had nothing left to do.
    expect(b.stderr).toMatch(new RegExp(`profile of ${MODEL} is running \\(pid ${first.child.pid} on host \\S+ since [\\d:]+ UTC\\): waiting up to 120 s …`));
    expect(b.stdout).toContain(`${MODEL}: 0 hourly profiles written`);
    expect((await readdir(lockDir)).filter((f) => !f.startsWith('.tmp-'))).toEqual([]);
  }, 240_000);

  it('a lock left by a run killed with -9 is recovered at once on the same host', async () => {
    await ingestHours(480, 960);
    const first = cli(['profile', '--store', store]);
    await lockTaken();
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const { storage } = await openStore(store);
    expect(await storage.list(lockPrefix(MODEL, 'profile'))).toHaveLength(1);
    const next = await cli(['profile', '--store', store, '--wait', '0']).done;
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`profile of ${MODEL}: taking over the lock of an earlier run (pid ${first.child.pid} on host`);
    expect(next.stderr).toContain(`process ${first.child.pid} on this host is gone`);
    expect(next.stdout).toMatch(new RegExp(`${MODEL}: \\d+ hourly profiles written`));
    expect((await readdir(lockDir)).filter((f) => !f.startsWith('.tmp-'))).toEqual([]);
  }, 240_000);

  it('a lock of another host is respected until it expires, then recovered', async () => {
    const { storage } = await openStore(store);
    const entry = { owner: 'other', job: `profile of ${MODEL}`, pid: 4242, host: 'elsewhere', since: new Date().toISOString(), expires_at: new Date(Date.now() + 15_000).toISOString() };
    await storage.write(`${lockPrefix(MODEL, 'profile')}0000000005.json`, JSON.stringify(entry));
    const busy = await cli(['profile', '--store', store, '--wait', '0']).done;
    expect(busy.code).toBe(LOCKED_EXIT_CODE);
    expect(busy.stderr).toMatch(HOLDER);
    expect(busy.stderr).toContain('pid 4242 on host elsewhere');
    const waited = await cli(['profile', '--store', store, '--wait', '60']).done;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toContain(`profile of ${MODEL} is running (pid 4242 on host elsewhere`);
    expect(waited.stderr).toMatch(/taking over the lock of an earlier run \(pid 4242 on host elsewhere since [\d:]+ UTC; not renewed since .* \(expired\)\)/);
    expect((await readdir(lockDir)).filter((f) => !f.startsWith('.tmp-'))).toEqual([]);
  }, 240_000);
});
