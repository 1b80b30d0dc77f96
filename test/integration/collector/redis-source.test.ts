import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { COLLECTOR_FAULT_ENV } from '@/lib/collector/fault-injection';
import { createRedisSource } from '@/lib/collector/redis-source';
import { BackpressureError, type AcceptOptions, type AcceptResult, type Source } from '@/lib/collector/types';
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

/** A FakeIntake that refuses while full, as the real one does (BackpressureError): accepts wait for room. */
class RefusingIntake extends FakeIntake {
  override async accept(body: Uint8Array, options: AcceptOptions): Promise<AcceptResult> {
    if (this.full) throw new BackpressureError('full', 1);
    return super.accept(body, options);
  }
}

async function deliveries(stream: string): Promise<Map<string, number>> {
  const reply = (await redis.call('XPENDING', stream, 'driftwatch', '-', '+', '10000')) as [string, string, number, number][];
  return new Map(reply.map(([id, , , n]) => [id, Number(n)]));
}

/** Fail the source's blocked read (CLIENT UNBLOCK … ERROR): the read loop sees an error, as after a Redis blip. */
async function failBlockedRead(name: string): Promise<number> {
  const list = String(await redis.call('CLIENT', 'LIST', 'TYPE', 'normal'));
  let failed = 0;
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    if (id && line.includes(`name=${name}`)) failed += Number(await redis.call('CLIENT', 'UNBLOCK', id, 'ERROR'));
  }
  return failed;
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
    expect(dead.map((d) => d.original_id)).not.toContain(good);
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

  test('reconnects and a long backpressure while another collector runs XAUTOCLAIM: no good entry dead-lettered, a poison one is', async () => {
    const stream = nextStream();
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    // A poison entry: taken over from dying consumers 4 times already.
    const poison = await redis.xadd(stream, '*', 'e', event('poison'));
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'ghost', 'STREAMS', stream, '>');
    for (let i = 0; i < 3; i++) await redis.call('XCLAIM', stream, 'driftwatch', 'ghost', '0', poison!);
    const good: string[] = [];
    for (let i = 0; i < 20; i++) good.push((await redis.xadd(stream, '*', 'e', event(`g${i}`)))!);
    const claimIdleMs = 600;
    const lines: string[] = [];
    const options = { maxDeliveries: 2, claimIdleMs, claimIntervalMs: 100, log: (line: string) => void lines.push(line) };
    const intake = new RefusingIntake();
    const first = source(stream, options);
    await first.start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(20), { timeout: 10_000 });
    // The ghost's poison entry, claimed once idle (a 5th delivery), is dead-lettered at once.
    await vi.waitFor(async () => expect(await redis.xlen(`${stream}:dead`)).toBe(1), { timeout: 10_000 });
    // The store is down (nothing written: the 20 stay held) and Redis connections drop a few times:
    // each read error makes the source look at its own pending entries again.
    for (let blip = 1; blip <= 3; blip++) {
      await vi.waitFor(async () => expect(await failBlockedRead('driftwatch-collector-reader')).toBe(1), { timeout: 10_000 });
      await vi.waitFor(() => expect(lines.filter((l) => l.includes('redis read failed')).length).toBe(blip), { timeout: 10_000 });
    }
    // Then the intake is full for long: held entries must not look dead to another collector.
    intake.setFull(true);
    // Another collector takes over whatever looks dead.
    const stolen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const [, claimed] = (await redis.call('XAUTOCLAIM', stream, 'driftwatch', 'other', String(claimIdleMs), '0-0', 'COUNT', '100', 'JUSTID')) as [string, string[]];
      for (const id of claimed) stolen.add(id);
      await new Promise((r) => setTimeout(r, claimIdleMs / 3));
    }
    expect([...stolen].filter((id) => good.includes(id))).toEqual([]);
    const counts = await deliveries(stream);
    expect(good.map((id) => counts.get(id))).toEqual(good.map(() => 1));
    // A crash and a restart under the same consumer name: its own pending entries are drained without adding deliveries.
    await first.stop();
    intake.crash();
    await first.close?.();
    const second = new RefusingIntake();
    await source(stream, options).start(second);
    await vi.waitFor(() => expect(second.accepted.length).toBe(20), { timeout: 10_000 });
    second.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 10_000 });
    const dead = await redis.xrange(`${stream}:dead`, '-', '+');
    expect(dead.map(([, f]) => f[f.indexOf('original_id') + 1])).toEqual([poison]);
    expect(second.accepted.map((a) => (JSON.parse(a.body) as { id: string }).id).sort()).toEqual(good.map((_, i) => `g${i}`).sort());
  }, 60_000);

  test('the default consumer name is the hostname; consumers idle with nothing pending are removed, others kept', async () => {
    const stream = nextStream();
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    const h0 = await redis.xadd(stream, '*', 'e', event('h0'));
    // One that holds nothing (it acked what it read; removed once idle) and one that holds an entry (kept).
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'retired', 'STREAMS', stream, '>');
    await redis.call('XACK', stream, 'driftwatch', h0!);
    await redis.xadd(stream, '*', 'e', event('h1'));
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'holder', 'STREAMS', stream, '>');
    expect(((await redis.call('XINFO', 'CONSUMERS', stream, 'driftwatch')) as unknown[][]).map((c) => String(c[1])).sort()).toEqual(['holder', 'retired']);
    const s = createRedisSource({ url: server.url, stream, blockMs: 100, claimIdleMs: 60_000, deadConsumerIdleMs: 300, log: quiet });
    sources.push(s);
    const intake = new FakeIntake();
    await s.start(intake);
    await redis.xadd(stream, '*', 'e', event('h2'));
    await vi.waitFor(() => expect(intake.accepted.length).toBe(1), { timeout: 10_000 });
    const names = async () => ((await redis.call('XINFO', 'CONSUMERS', stream, 'driftwatch')) as unknown[][]).map((c) => String(c[1])).sort();
    await vi.waitFor(async () => expect(await names()).toEqual([hostname(), 'holder'].sort()), { timeout: 10_000 });
  });

  test('a restart drains a long own pending list without XAUTOCLAIM adding deliveries to it', async () => {
    const stream = nextStream();
    await redis.call('XGROUP', 'CREATE', stream, 'driftwatch', '0', 'MKSTREAM');
    for (let i = 0; i < 300; i++) await redis.xadd(stream, '*', 'e', event(`r${i}`));
    await redis.call('XREADGROUP', 'GROUP', 'driftwatch', 'c1', 'COUNT', '300', 'STREAMS', stream, '>');
    // Idle longer than claimIdleMs by the time the restart drains them, 10 at a time.
    await vi.waitFor(async () => {
      const [[, , idle]] = (await redis.call('XPENDING', stream, 'driftwatch', '-', '+', '1')) as [string, string, number, number][];
      expect(Number(idle)).toBeGreaterThan(100);
    });
    const intake = new FakeIntake();
    await source(stream, { batchCount: 10, claimIdleMs: 50, claimIntervalMs: 10 }).start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(300), { timeout: 20_000 });
    const counts = await deliveries(stream);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(intake.counter('queue_redeliveries_total')).toBe(0);
    intake.flush();
    await vi.waitFor(async () => expect(await pendingCount(stream)).toBe(0), { timeout: 10_000 });
  }, 30_000);
});
