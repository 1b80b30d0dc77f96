import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictionLogger } from '@/lib/client';
import { freePort, startRedisServer, type RedisTestServer } from '@/test/helpers/redis-server';
import { predictionEvent, startBlackHole } from './services';

let redis: RedisTestServer;
let reader: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  reader = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  reader?.disconnect();
  await redis?.stop();
});

async function entries(stream: string): Promise<{ fields: string[]; lines: string[] }[]> {
  const all = await reader.xrange(stream, '-', '+');
  return all.map(([, fields]) => ({ fields, lines: fields[1].split('\n').filter(Boolean) }));
}

describe('Redis Streams transport against redis-server', () => {
  it('XADDs one entry per batch with the single field e holding the NDJSON lines', async () => {
    const logger = createPredictionLogger({ transport: { type: 'redis', url: redis.url, stream: 'dw:basic' }, batchSize: 100 });
    for (let i = 0; i < 1000; i++) logger.log(predictionEvent(i));
    await logger.close();
    const got = await entries('dw:basic');
    expect(got.length).toBe(10);
    for (const e of got) {
      expect(e.fields.length).toBe(2);
      expect(e.fields[0]).toBe('e');
      expect(e.fields[1].endsWith('\n')).toBe(true);
    }
    const ids = got.flatMap((e) => e.lines.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `ev-${i}`));
    expect(logger.stats()).toMatchObject({ sent: 1000, batches: 10, dropped: { send_failed: 0 } });
  });

  it('writes to driftwatch:events by default and trims approximately to maxLen', async () => {
    const logger = createPredictionLogger({ transport: { type: 'redis', url: redis.url, maxLen: 100 }, batchSize: 5, maxQueue: 10_000 });
    for (let i = 0; i < 5000; i++) logger.log(predictionEvent(i));
    await logger.close();
    expect(logger.stats().sent).toBe(5000);
    const len = await reader.xlen('driftwatch:events');
    // 1,000 entries were added; `MAXLEN ~ 100` trims whole radix-tree nodes (100 entries each by default).
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(300);
    const last = await reader.xrevrange('driftwatch:events', '+', '-', 'COUNT', 1);
    expect(last[0][1][1].trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['ev-4995', 'ev-4996', 'ev-4997', 'ev-4998', 'ev-4999']);
  });

  it('uses a client it is given and leaves it open', async () => {
    const client = new Redis(redis.url);
    const logger = createPredictionLogger({ transport: { type: 'redis', client, stream: 'dw:shared' } });
    logger.log(predictionEvent(1));
    await logger.close();
    expect(await client.xlen('dw:shared')).toBe(1);
    expect(client.status).toBe('ready');
    client.disconnect();
  });

  it('with nothing listening: log() never throws, drops are counted, close returns', async () => {
    const port = await freePort();
    const logger = createPredictionLogger({ transport: { type: 'redis', url: `redis://127.0.0.1:${port}` }, batchSize: 50, retryBaseMs: 10, maxRetries: 2 });
    for (let i = 0; i < 3000; i++) expect(() => logger.log(predictionEvent(i))).not.toThrow();
    await logger.close();
    const s = logger.stats();
    expect(s.sent).toBe(0);
    expect(s.dropped.queue_full).toBe(3000 - 2048);
    expect(s.dropped.send_failed + s.dropped.closed).toBe(2048);
    expect(s.lastError).toMatch(/ECONNREFUSED/);
  });

  it('with a Redis that accepts and never answers: each attempt times out on its own connection, drops are counted', async () => {
    const hole = await startBlackHole();
    try {
      const logger = createPredictionLogger({ transport: { type: 'redis', url: `redis://127.0.0.1:${hole.port}` }, batchSize: 10, retryBaseMs: 10, maxRetries: 1, timeoutMs: 300 });
      for (let i = 0; i < 30; i++) logger.log(predictionEvent(i));
      await logger.close();
      expect(logger.stats()).toMatchObject({ sent: 0, queued: 0, dropped: { send_failed: 30 } });
      // Every attempt made its own connection: a hung one was abandoned, not waited on forever.
      expect(hole.connections()).toBeGreaterThanOrEqual(3);
    } finally {
      await hole.stop();
    }
  });

  it('survives Redis dying and delivers again once it is back', async () => {
    const logger = createPredictionLogger({ transport: { type: 'redis', url: redis.url, stream: 'dw:restart' }, batchSize: 10, retryBaseMs: 10, maxRetries: 1, timeoutMs: 500 });
    for (let i = 0; i < 10; i++) logger.log(predictionEvent(i));
    await logger.flush();
    expect(logger.stats().sent).toBe(10);
    await redis.kill();
    for (let i = 10; i < 20; i++) logger.log(predictionEvent(i));
    await logger.flush();
    expect(logger.stats()).toMatchObject({ sent: 10, dropped: { send_failed: 10 } });
    await redis.restart();
    reader.disconnect();
    reader = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    for (let i = 20; i < 30; i++) logger.log(predictionEvent(i));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 20, dropped: { send_failed: 10 } });
    const ids = (await entries('dw:restart')).flatMap((e) => e.lines.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `ev-${20 + i}`));
  });
});
