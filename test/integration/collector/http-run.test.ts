import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '@/lib/storage';
import { collectorFixture, type CollectorFixture, event, profiledRows, rawBatches, startCollector } from './http-harness';

/** `driftwatch run --collect`: the collector beside the hourly profile/evaluate schedule, one process, one signal. */
let dir: string;
let storeDir: string;
let storage: LocalStorage;
let cli: CollectorFixture['cli'];
let fixture: CollectorFixture;

beforeAll(async () => {
  fixture = await collectorFixture('http-run');
  ({ dir, storeDir, storage, cli } = fixture);
});

afterAll(async () => {
  await fixture?.cleanup();
});

describe('run --collect', () => {
  it('collects while the schedule runs, and SIGTERM stops both after writing what is buffered', async () => {
    const run = await startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool'), '--max-age', '1h', '--every', '1h'], { command: ['run', '--collect'] });
    const ids = Array.from({ length: 120 }, (_, i) => `run-${i}`);
    const res = await fetch(`${run.url}/v1/events`, { method: 'POST', body: ids.map((id) => event(id)).join('\n') + '\n' });
    expect(res.status).toBe(202);
    // The schedule's first cycle ran in the same process (profile + evaluate of model m).
    await expect.poll(() => run.lines.some((l) => /run: next cycle in \d+ min/.test(l)), { timeout: 60_000, interval: 100 }).toBe(true);
    expect(await run.stop()).toEqual({ code: 0, signal: null });
    expect(new Set([...(await rawBatches(storage)).values()].flat())).toEqual(new Set(ids));
    expect(run.lines.some((l) => /collect: stopped; everything buffered was written/.test(l))).toBe(true);

    // The next cycle (here: run --once) profiles what the collector wrote.
    const once = await startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool'), '--once'], { command: ['run', '--collect'] });
    expect(await once.exited).toEqual({ code: 0, signal: null });
    expect(await profiledRows(storage)).toBe(120);
  });

  it('rejects a bad collect flag with one line', async () => {
    const bad = startCollector(cli.path, ['--store', storeDir, '--max-bytes', 'lots'], { command: ['run', '--collect'] });
    await expect(bad).rejects.toThrow(/--max-bytes: "lots" is not a size like 8MiB/);
  });
});
