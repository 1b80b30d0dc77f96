import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { COLLECTOR_FAULT_ENV } from '@/lib/collector/fault-injection';
import { createRedisSource } from '@/lib/collector/redis-source';
import type { Source } from '@/lib/collector/types';
import { FakeIntake } from '@/test/helpers/fake-intake';
import { startRedisServer, type RedisTestServer } from '@/test/helpers/redis-server';

/** Source mechanics against a real redis-server and a fake intake (acks follow the fake's flush()). */
let server: RedisTestServer;
let redis: Redis;
let streamNo = 0;
const sources: Source[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { protocol: 2 });
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  delete process.env[COLLECTOR_FAULT_ENV];
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const event = (id: string) => JSON.stringify({ model: 'm', id, ts: '2026-12-01T10:00:00Z', features: { x: 1 } });
const nextStream = () => `s${++streamNo}`;
const quiet = () => undefined;

function source(stream: string, extra: Partial<Parameters<typeof createRedisSource>[0]> = {}): Source {
  const s = createRedisSource({ url: server.url, stream, consumer: 'c1', blockMs: 100, claimIdleMs: 60_000, log: quiet, ...extra });
  sources.push(s);
  return s;
}

async function pendingCount(stream: string): Promise<number> {
  const [count] = (await redis.call('XPENDING', stream, 'driftwatch')) as [number];
  return Number(count);
}

describe('redis source', () => {
  test('accepts each entry once, acks only after the write', async () => {
    const stream = nextStream();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const lines = [0, 1, 2].map((k) => event(`e${i}-${k}`));
      ids.push(...[0, 1, 2].map((k) => `e${i}-${k}`));
      await redis.xadd(stream, '*', 'e', lines.join('\n'));
    }
    const intake = new FakeIntake();
    await source(stream).start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(30), { timeout: 5000 });
    expect(await pendingCount(stream)).toBe(30);
    intake.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 5000 });
    const seen = intake.written.flatMap((b) => b.split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
    expect(seen.sort()).toEqual([...ids].sort());
  });

  test('claims the pending entries of a dead consumer and drains its own pending on restart', async () => {
    const stream = nextStream();
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    for (let i = 0; i < 5; i++) await redis.xadd(stream, '*', 'e', event(`d${i}`));
    // A consumer that read and died.
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'dead', 'COUNT', '3', 'STREAMS', stream, '>');
    // Our own earlier incarnation read the other two and died too.
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'c1', 'COUNT', '2', 'STREAMS', stream, '>');
    const intake = new FakeIntake();
    await source(stream, { claimIdleMs: 300, claimIntervalMs: 100 }).start(intake);
    // Own pending first, at once (idle time not needed).
    await vi.waitFor(() => expect(intake.accepted.map((a) => JSON.parse(a.body).id)).toEqual(['d3', 'd4']), { timeout: 2000 });
    await vi.waitFor(() => expect(intake.accepted.length).toBe(5), { timeout: 5000 });
    expect(intake.counter('queue_claimed_total')).toBe(3);
    intake.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 5000 });
  });

  test('poison entries go to the dead-letter stream', async () => {
    const stream = nextStream();
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    const noField = await redis.xadd(stream, '*', 'x', 'no e here');
    const tooMany = await redis.xadd(stream, '*', 'e', event('p1'));
    // Delivered 4 times to consumers that died (XCLAIM bumps the count; the first read is 1).
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'dead', 'STREAMS', stream, '>');
    for (let i = 0; i < 3; i++) await redis.call('XCLAIM', stream, 'driftwatch', 'dead', '0', tooMany!);
    const good = await redis.xadd(stream, '*', 'e', event('p2'));
    const intake = new FakeIntake();
    await source(stream, { maxDeliveries: 3, claimIdleMs: 100, claimIntervalMs: 50 }).start(intake);
    await vi.waitFor(async () => expect(await redis.xlen(`${stream}:dead`)).toBe(2), { timeout: 5000 });
    const dead = (await redis.xrange(`${stream}:dead`, '-', '+')).map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
    expect(dead.map((d) => [d.original_id, d.reason]).sort()).toEqual([[noField, 'missing_field_e'], [tooMany, 'max_deliveries']].sort());
    expect(dead.find((d) => d.original_id === tooMany)).toMatchObject({ e: event('p1'), deliveries: '5' });
    await vi.waitFor(() => expect(intake.accepted.map((a) => JSON.parse(a.body).id)).toEqual(['p2']), { timeout: 5000 });
    intake.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 5000 });
    expect(good).toBeTruthy();
    expect(intake.counter('queue_dead_letters_total')).toBe(2);
  });

  test('stops reading while the intake is full', async () => {
    const stream = nextStream();
    const intake = new FakeIntake();
    intake.setFull(true);
    await source(stream).start(intake);
    await redis.xadd(stream, '*', 'e', event('b1'));
    await new Promise((r) => setTimeout(r, 300));
    expect(intake.accepted).toEqual([]);
    intake.setFull(false);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(1), { timeout: 3000 });
  });

  test('a lost ack (ack-fail-once) means a redelivery, never a loss', async () => {
    process.env[COLLECTOR_FAULT_ENV] = 'ack-fail-once';
    const stream = nextStream();
    for (let i = 0; i < 4; i++) await redis.xadd(stream, '*', 'e', event(`a${i}`));
    const intake = new FakeIntake();
    await source(stream, { claimIdleMs: 300, claimIntervalMs: 100 }).start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(4), { timeout: 3000 });
    intake.flush();
    // The dropped acks leave the entries pending; they are claimed again and written a second time.
    await vi.waitFor(() => expect(intake.accepted.length).toBe(8), { timeout: 5000 });
    intake.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 5000 });
    expect(intake.counter('queue_redeliveries_total')).toBe(4);
  });

  test('stop leaves unwritten entries pending, and the lag gauge reports them', async () => {
    const stream = nextStream();
    for (let i = 0; i < 3; i++) await redis.xadd(stream, '*', 'e', event(`s${i}`));
    const intake = new FakeIntake();
    const s = source(stream);
    await s.start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(3), { timeout: 3000 });
    await s.refreshMetrics!(intake.metrics);
    expect(intake.gauges.get(`queue_pending${JSON.stringify({ source: 'redis', stream, group: 'driftwatch' })}`)).toBe(3);
    expect(intake.gauges.get(`queue_lag${JSON.stringify({ source: 'redis', stream, group: 'driftwatch' })}`)).toBe(0);
    await s.stop();
    intake.crash();
    expect(await pendingCount(stream)).toBe(3);
  });

  test('an unreachable Redis fails start with the cause, password hidden', async () => {
    const s = createRedisSource({ url: 'redis://:hunter2@127.0.0.1:1', log: quiet });
    const error = await s.start(new FakeIntake()).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^cannot start consuming driftwatch:events at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*ECONNREFUSED/);
    expect(error?.message).not.toContain('hunter2');
  });
});
