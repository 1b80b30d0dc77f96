import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackHole } from './services';
import { runLoad, startPredictionService, type RunningService, type ServiceStats } from './prediction-service';

/**
 * The prediction path with the collector black-holed (issue #14): a service logging every request
 * keeps answering all of them, counts the drops, and its memory stays flat.
 */
let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
let service: RunningService;
let redisService: RunningService;

beforeAll(async () => {
  blackHole = await startBlackHole();
  service = await startPredictionService({ type: 'http', url: blackHole.url });
  redisService = await startPredictionService({ type: 'redis', url: `redis://127.0.0.1:${blackHole.port}` }, { timeoutMs: 300, maxRetries: 1, retryBaseMs: 10 });
});

afterAll(async () => {
  await service?.stop();
  await redisService?.stop();
  await blackHole?.stop();
});

describe('prediction service with its collector black-holed', () => {
  it('answers all 50,000 requests, counts drops and keeps the logger bounded', async () => {
    const samples: ServiceStats[] = [];
    const warm = await runLoad(service.url, 5000, 16);
    expect(warm.ok).toBe(5000);
    const before = await service.stats();
    expect(before.gc).toBe(true);
    const load = await runLoad(service.url, 50_000, 16, async () => {
      samples.push(await service.stats());
    });
    const after = await service.stats();
    expect(load.ok).toBe(50_000);
    expect(load.failed).toBe(0);
    const stats = after.logger!;
    expect(after.requests).toBe(55_000);
    // Nothing reached the collector; everything is accounted for: queued, in flight, or dropped by reason.
    expect(stats.sent).toBe(0);
    expect(stats.dropped.queue_full).toBeGreaterThan(40_000);
    expect(stats.queued + stats.inFlight + stats.dropped.queue_full + stats.dropped.send_failed).toBe(55_000);
    expect(after.maxQueued).toBeLessThanOrEqual(2048);
    for (const s of samples) expect(s.logger!.queued).toBeLessThanOrEqual(2048);
    expect(samples.length).toBe(10);
    // Heap after a full GC: the queue holds at most 2,048 events plus one batch, whatever the load.
    const growthMiB = (after.heapUsed - before.heapUsed) / 2 ** 20;
    expect(growthMiB).toBeLessThan(32);
    // Flat across the run, not only at the end: the largest sample within 16 MiB of the first.
    const heaps = samples.map((s) => s.heapUsed);
    expect((Math.max(...heaps) - heaps[0]) / 2 ** 20).toBeLessThan(16);
  });

  it('answers every request when its Redis accepts connections and never answers', async () => {
    await runLoad(redisService.url, 2000, 16);
    const before = await redisService.stats();
    const load = await runLoad(redisService.url, 20_000, 16);
    const after = await redisService.stats();
    expect(load.ok).toBe(20_000);
    const stats = after.logger!;
    expect(stats.sent).toBe(0);
    expect(stats.dropped.queue_full).toBeGreaterThan(15_000);
    expect(stats.dropped.send_failed).toBeGreaterThan(0);
    expect(stats.queued + stats.inFlight + stats.dropped.queue_full + stats.dropped.send_failed).toBe(22_000);
    expect(after.maxQueued).toBeLessThanOrEqual(2048);
    expect((after.heapUsed - before.heapUsed) / 2 ** 20).toBeLessThan(32);
  });
});
