import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { COLLECTOR_FAULT_ENV } from '@/lib/collector/fault-injection';
import { createIntake } from '@/lib/collector/intake';
import { createRedisSource, type RedisSourceOptions } from '@/lib/collector/redis-source';
import { bundleCli, spawnCollector } from '@/test/helpers/collector-process';
import { makeQueueStore, QueueRuns, profiledRows, queueEvent, storedIdCounts, type QueueStore } from '@/test/helpers/queue-store';
import { startRedisServer, type RedisTestServer } from '@/test/helpers/redis-server';

/** Redis Streams → the real intake → a local store → profile: nothing lost, each id counted once. */
let server: RedisTestServer;
let redis: Redis;
let streamNo = 0;
const stores: QueueStore[] = [];
const runs = new QueueRuns();
const logs: string[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { protocol: 2 });
});
afterEach(async () => {
  await runs.stopAll();
  delete process.env[COLLECTOR_FAULT_ENV];
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  for (const store of stores) await store.cleanup();
});

async function newStore(): Promise<QueueStore> {
  const store = await makeQueueStore('driftwatch-redis-store-');
  stores.push(store);
  return store;
}

async function collect(store: QueueStore, stream: string, extra: Partial<RedisSourceOptions> = {}) {
  const intake = createIntake({ storage: store.storage, limits: { maxAgeMs: 100, maxEvents: 500 }, log: (l) => logs.push(l) });
  return runs.start(createRedisSource({ url: server.url, stream, consumer: 'c1', blockMs: 100, log: (l) => logs.push(l), ...extra }), intake);
}

/** XADD `entries` entries of 1–10 events; answers the ids. */
async function produce(stream: string, entries: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  let n = 0;
  for (let i = 0; i < entries; i++) {
    const lines: string[] = [];
    for (let k = 1 + (i % 10); k > 0; k--) {
      lines.push(queueEvent(n, prefix));
      ids.push(`${prefix}${n++}`);
    }
    await redis.xadd(stream, '*', 'e', lines.join('\n'));
  }
  return ids;
}

async function drained(stream: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
      const fields = new Map<string, unknown>();
      for (let i = 0; i < groups[0].length; i += 2) fields.set(String(groups[0][i]), groups[0][i + 1]);
      // lag is nil (null) when Redis cannot tell: not drained.
      expect({ pending: Number(fields.get('pending')), lag: fields.get('lag') }).toEqual({ pending: 0, lag: 0 });
    },
    { timeout: 15_000, interval: 50 },
  );
}

function exactlyOnce(counts: Map<string, number>, ids: readonly string[]): void {
  expect(ids.filter((id) => !counts.has(id))).toEqual([]);
  expect(counts.size).toBe(new Set(ids).size);
}

describe('redis source with the intake and a store', () => {
  test('every event of entries of several events is stored once, and XPENDING is empty after the acks', async () => {
    const store = await newStore();
    const stream = `r${++streamNo}`;
    const ids = await produce(stream, 300, 'a');
    const run = await collect(store, stream);
    await drained(stream);
    await run.stop();
    const counts = await storedIdCounts(store.storage);
    exactlyOnce(counts, ids);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(await profiledRows(store.storage)).toBe(ids.length);
  });

  test('a dead consumer’s pending entries are claimed and its own pending drained at start', async () => {
    const store = await newStore();
    const stream = `r${++streamNo}`;
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    const ids = await produce(stream, 60, 'b');
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'gone', 'COUNT', '20', 'STREAMS', stream, '>');
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'c1', 'COUNT', '20', 'STREAMS', stream, '>');
    const run = await collect(store, stream, { claimIdleMs: 300, claimIntervalMs: 100 });
    await drained(stream);
    await run.stop();
    expect(run.intake.metrics.render()).toMatch(/driftwatch_collector_queue_claimed_total\{source="redis"\} 20/);
    exactlyOnce(await storedIdCounts(store.storage), ids);
    expect(await profiledRows(store.storage)).toBe(ids.length);
  });

  test('an entry without `e` and one delivered too often go to the dead-letter stream; the rest is stored', async () => {
    const store = await newStore();
    const stream = `r${++streamNo}`;
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    await redis.xadd(stream, '*', 'body', queueEvent(1, 'poison-'));
    const often = await redis.xadd(stream, '*', 'e', queueEvent(2, 'poison-'));
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'gone', 'STREAMS', stream, '>');
    for (let i = 0; i < 5; i++) await redis.call('XCLAIM', stream, 'driftwatch', 'gone', '0', often!);
    const ids = await produce(stream, 10, 'c');
    const run = await collect(store, stream, { maxDeliveries: 5, claimIdleMs: 100, claimIntervalMs: 50 });
    await drained(stream);
    await run.stop();
    const dead = await redis.xrange(`${stream}:dead`, '-', '+');
    expect(dead.map(([, fields]) => fields[fields.indexOf('reason') + 1]).sort()).toEqual(['max_deliveries', 'missing_field_e']);
    exactlyOnce(await storedIdCounts(store.storage), ids);
  });

  test('the write succeeds but the ack is lost (ack-fail-once): redelivered, and profile counts each id once', async () => {
    process.env[COLLECTOR_FAULT_ENV] = 'ack-fail-once';
    const store = await newStore();
    const stream = `r${++streamNo}`;
    const ids = await produce(stream, 50, 'd');
    const run = await collect(store, stream, { claimIdleMs: 300, claimIntervalMs: 100 });
    await drained(stream);
    await run.stop();
    // The redelivered entries are written again: as the same batch (its name comes from its ids, so it replaces
    // the first) or in other batches (duplicates that profile removes).
    exactlyOnce(await storedIdCounts(store.storage), ids);
    expect(run.intake.metrics.render()).toMatch(/driftwatch_collector_queue_redeliveries_total\{source="redis"\} [1-9]/);
    expect(await profiledRows(store.storage)).toBe(ids.length);
  });

  test('the collector exits after the write and before the ack (exit-before-ack): the restarted collector stores the rest, profile counts each id once', async () => {
    const store = await newStore();
    const stream = `r${++streamNo}`;
    const ids = await produce(stream, 200, 'x');
    const bundle = await bundleCli('redis-store');
    const spool = await mkdtemp(path.join(tmpdir(), 'driftwatch-redis-spool-'));
    const cli = (fault: string | undefined) => {
      const args = ['--store', store.location, '--source', 'redis', '--redis-url', server.url, '--stream', stream, '--consumer', 'c-exit', '--max-age', '100ms', '--max-events', '300', '--spool', spool];
      const run = spawnCollector(bundle.path, args, { wait: false, env: fault ? { [COLLECTOR_FAULT_ENV]: fault } : {} });
      run.listening.catch(() => undefined);
      return { child: run.child, exited: run.exited.then((e) => e.code) };
    };
    try {
      const first = cli('exit-before-ack');
      expect(await first.exited).toBe(137);
      const afterCrash = await storedIdCounts(store.storage);
      expect(afterCrash.size).toBeGreaterThan(0);
      const [pending] = (await redis.call('XPENDING', stream, 'driftwatch')) as [number];
      expect(Number(pending)).toBeGreaterThan(0);

      const second = cli(undefined);
      await drained(stream);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      exactlyOnce(await storedIdCounts(store.storage), ids);
      expect(await profiledRows(store.storage)).toBe(ids.length);
    } finally {
      await rm(spool, { recursive: true, force: true });
      await bundle.remove();
    }
  }, 60_000);

  test('Redis goes away and comes back: the source reconnects, acks what was written, loses nothing', async () => {
    const persistent = await startRedisServer({ appendonly: true });
    const client = new Redis(persistent.url, { protocol: 2, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      const store = await newStore();
      const stream = 'restart';
      const xadd = async (prefix: string, entries: number) => {
        const ids: string[] = [];
        for (let i = 0; i < entries; i++) {
          const lines = [0, 1, 2].map((k) => queueEvent(i * 3 + k, prefix));
          ids.push(...[0, 1, 2].map((k) => `${prefix}${i * 3 + k}`));
          await client.xadd(stream, '*', 'e', lines.join('\n'));
        }
        return ids;
      };
      const intake = createIntake({ storage: store.storage, limits: { maxAgeMs: 100, maxEvents: 500 }, log: (l) => logs.push(l) });
      await runs.start(createRedisSource({ url: persistent.url, stream, consumer: 'c1', blockMs: 100, log: (l) => logs.push(l) }), intake);
      const first = await xadd('f', 50);
      await vi.waitFor(async () => expect(Number(((await client.call('XPENDING', stream, 'driftwatch')) as [number])[0])).toBe(0), { timeout: 10_000 });
      await persistent.restart({ downMs: 1500 });
      const second = await xadd('g', 50);
      await vi.waitFor(
        async () => {
          const [pending] = (await client.call('XPENDING', stream, 'driftwatch')) as [number];
          const info = (await client.call('XINFO', 'GROUPS', stream)) as unknown[][];
          // lag is nil while Redis cannot tell (after a restart, until the group catches up): not drained.
          expect({ pending: Number(pending), lag: info[0][info[0].indexOf('lag') + 1] }).toEqual({ pending: 0, lag: 0 });
        },
        { timeout: 20_000, interval: 100 },
      );
      // The source's connections were refused for 1.5 s (logged once per distinct error) and came back.
      expect(logs.some((l) => /redis \((reader|cmd)\): .*ECONNREFUSED/.test(l))).toBe(true);
      exactlyOnce(await storedIdCounts(store.storage), [...first, ...second]);
    } finally {
      client.disconnect();
      await runs.stopAll();
      await persistent.stop();
    }
  }, 40_000);
});
