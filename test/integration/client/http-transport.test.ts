import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictionLogger } from '@/lib/client';
import { freePort } from '@/test/helpers/redis-server';
import { predictionEvent, startBlackHole, startFakeCollector, type FakeCollector } from './services';

let collector: FakeCollector;
let blackHole: Awaited<ReturnType<typeof startBlackHole>>;

beforeAll(async () => {
  collector = await startFakeCollector();
  blackHole = await startBlackHole();
});

afterAll(async () => {
  await collector.stop();
  await blackHole.stop();
});

describe('HTTP transport against a collector speaking the contract', () => {
  it('delivers every event once, in order, in batches of at most batchSize', async () => {
    collector.requests.length = 0;
    const logger = createPredictionLogger({ transport: { type: 'http', url: collector.url }, batchSize: 300 });
    for (let i = 0; i < 2000; i++) logger.log(predictionEvent(i));
    await logger.close();
    const ids = collector.requests.flatMap((r) => r.lines.map((l) => (JSON.parse(l) as { id: string }).id));
    // 2,048 fit in the queue: nothing dropped, nothing duplicated.
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => `ev-${i}`));
    expect(Math.max(...collector.requests.map((r) => r.lines.length))).toBeLessThanOrEqual(300);
    expect(collector.requests[0].contentType).toBe('application/x-ndjson');
    expect(logger.stats()).toMatchObject({ sent: 2000, queued: 0, inFlight: 0, dropped: { queue_full: 0, send_failed: 0, invalid: 0 } });
    expect(JSON.parse(collector.requests[0].lines[0])).toEqual(predictionEvent(0));
  });

  it("counts the events the collector's 202 answer says it rejected", async () => {
    collector.requests.length = 0;
    const logger = createPredictionLogger({ transport: { type: 'http', url: collector.url } });
    for (let i = 0; i < 10; i++) logger.log(i % 5 === 0 ? { ...predictionEvent(i), model: 'unknown-model' } : predictionEvent(i));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 10, rejectedByCollector: 2 });
  });

  it('gzips the body when asked', async () => {
    collector.requests.length = 0;
    const logger = createPredictionLogger({ transport: { type: 'http', url: `${collector.url}/v1/events`, gzip: true } });
    for (let i = 0; i < 10; i++) logger.log(predictionEvent(i));
    await logger.close();
    expect(collector.requests.map((r) => [r.encoding, r.lines.length])).toEqual([['gzip', 10]]);
  });

  it('retries a 503 after its Retry-After and a 500, then delivers', async () => {
    collector.requests.length = 0;
    collector.answerNext({ status: 503, retryAfter: '1' }, { status: 500 });
    const logger = createPredictionLogger({ transport: { type: 'http', url: collector.url }, retryBaseMs: 10 });
    for (let i = 0; i < 5; i++) logger.log(predictionEvent(i));
    const t = Date.now();
    await logger.flush();
    expect(Date.now() - t).toBeGreaterThanOrEqual(990);
    expect(collector.requests.flatMap((r) => r.lines).length).toBe(5);
    expect(logger.stats()).toMatchObject({ sent: 5, retries: 2, dropped: { send_failed: 0 } });
    await logger.close();
  });

  it('drops a batch the collector refuses (4xx) as rejected, without retrying', async () => {
    collector.requests.length = 0;
    collector.answerNext({ status: 413 });
    const logger = createPredictionLogger({ transport: { type: 'http', url: collector.url } });
    for (let i = 0; i < 5; i++) logger.log(predictionEvent(i));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 0, retries: 0, dropped: { rejected: 5 } });
    expect(logger.stats().lastError).toMatch(/413/);
  });

  it('counts send_failed against a black-holed collector after bounded retries', async () => {
    const logger = createPredictionLogger({ transport: { type: 'http', url: blackHole.url }, timeoutMs: 200, maxRetries: 2, retryBaseMs: 20, batchSize: 50 });
    for (let i = 0; i < 50; i++) logger.log(predictionEvent(i));
    await logger.flush();
    expect(logger.stats()).toMatchObject({ sent: 0, retries: 2, dropped: { send_failed: 50 }, lastError: 'send timed out after 200 ms' });
    expect(blackHole.connections()).toBeGreaterThanOrEqual(1);
    await logger.close();
  });

  it('counts send_failed when nothing listens', async () => {
    const port = await freePort();
    const logger = createPredictionLogger({ transport: { type: 'http', url: `http://127.0.0.1:${port}` }, maxRetries: 1, retryBaseMs: 10 });
    logger.log(predictionEvent(1));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 0, dropped: { send_failed: 1 } });
    expect(logger.stats().lastError).toMatch(/ECONNREFUSED/);
  });
});
