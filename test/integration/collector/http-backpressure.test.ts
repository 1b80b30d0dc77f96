import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '@/lib/storage';
import { type Collector, collectorFixture, type CollectorFixture, event, MODEL, rawBatches, startCollector } from './http-harness';

/** A full spool answers 503 with Retry-After instead of losing data; what was acknowledged is written. */
let dir: string;
let storeDir: string;
let storage: LocalStorage;
let cli: CollectorFixture['cli'];
let fixture: CollectorFixture;
let collector: Collector | undefined;

beforeAll(async () => {
  fixture = await collectorFixture('http-backpressure');
  ({ dir, storeDir, storage, cli } = fixture);
});

afterAll(async () => {
  if (collector && collector.child.exitCode === null && collector.child.signalCode === null) await collector.stop();
  await fixture?.cleanup();
});

describe('a full spool', () => {
  it('answers 503 with Retry-After, loses nothing acknowledged, and takes events again once written', async () => {
    const spool = join(dir, 'spool');
    // Nothing is written before SIGTERM (max-age 1h), so the 256 KiB spool fills.
    const args = ['--store', storeDir, '--spool', spool, '--spool-max-bytes', '256KiB', '--max-age', '1h', '--max-events', '1000000'];
    collector = await startCollector(cli.path, args);
    const acked: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const ids = Array.from({ length: 50 }, (_, j) => `full-${i}-${j}`);
      const res = await fetch(`${collector.url}/v1/events`, { method: 'POST', body: ids.map((id) => event(id)).join('\n') + '\n' });
      if (res.status === 202) {
        expect(((await res.json()) as { accepted: number }).accepted).toBe(50);
        acked.push(...ids);
      } else refused = res;
    }
    expect(refused?.status).toBe(503);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(((await refused!.json()) as { error: string }).error).toBe('unavailable');
    // ~125 bytes an event, 256 KiB: a few thousand events fit before the 503.
    expect(acked.length).toBeGreaterThan(500);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^driftwatch_collector_backpressure_total(\{[^}]*\})? [1-9]/m);

    expect(await collector.stop()).toEqual({ code: 0, signal: null });
    const stored = [...(await rawBatches(storage)).values()].flat();
    expect(stored.length).toBe(acked.length);
    expect(new Set(stored)).toEqual(new Set(acked));

    // The same spool, now empty, takes events again.
    collector = await startCollector(cli.path, args);
    const again = await fetch(`${collector.url}/v1/events`, { method: 'POST', body: event('after-full') + '\n' });
    expect(again.status).toBe(202);
    expect(await collector.stop()).toEqual({ code: 0, signal: null });
    expect([...(await rawBatches(storage)).values()].flat()).toContain('after-full');
  });

  it('during a store outage answers /healthz 503; a shutdown that cannot write exits 1 and the next start writes from the spool', async () => {
    const spool = join(dir, 'spool-outage');
    // A file where the raw directory should be: every batch write fails (ENOTDIR, even for root).
    const raw = join(storeDir, 'models', MODEL, 'raw');
    await rm(raw, { recursive: true, force: true });
    await writeFile(raw, 'not a directory');
    const failing = await startCollector(cli.path, ['--store', storeDir, '--spool', spool, '--max-age', '100ms', '--shutdown-timeout', '2s']);
    collector = failing;
    const ids = Array.from({ length: 40 }, (_, i) => `outage-${i}`);
    const res = await fetch(`${failing.url}/v1/events`, { method: 'POST', body: ids.map((id) => event(id)).join('\n') + '\n' });
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await fetch(`${failing.url}/healthz`)).status, { timeout: 20_000, interval: 100 })
      .toBe(503);
    const health = (await (await fetch(`${failing.url}/healthz`)).json()) as { status: string; last_error?: string };
    expect(health.status).toBe('failing');
    expect(health.last_error ?? '').not.toContain(storeDir);
    expect(await failing.stop()).toEqual({ code: 1, signal: null });
    expect(failing.lines.some((l) => /shutdown timed out after 2 s: .*stay in the spool/.test(l))).toBe(true);

    // The store is back: the next start replays the spool and writes them.
    await rm(raw, { force: true });
    const recovered = await startCollector(cli.path, ['--store', storeDir, '--spool', spool, '--max-age', '1h']);
    collector = recovered;
    expect(await recovered.stop()).toEqual({ code: 0, signal: null });
    expect(recovered.lines.some((l) => /replayed \d+ message\(s\) from the spool/.test(l))).toBe(true);
    expect([...(await rawBatches(storage)).values()].flat().filter((id) => id.startsWith('outage-')).sort()).toEqual([...ids].sort());
  });
});
