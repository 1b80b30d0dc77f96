import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorServer, HttpEventsSource, MAX_CONNECTIONS } from '@/lib/collector/http-source';
import { MetricsRegistry } from '@/lib/collector/metrics';
import type { AcceptResult, Intake } from '@/lib/collector/types';

/** An intake that holds every accepted body until `release()` (so bodies stay in flight). */
function holdingIntake() {
  const waiting: (() => void)[] = [];
  let accepted = 0;
  const metrics = new MetricsRegistry();
  const intake = {
    full: false,
    metrics,
    waitForRoom: async () => undefined,
    accept: (body: Uint8Array): Promise<AcceptResult> => {
      accepted++;
      return new Promise((resolve) => waiting.push(() => resolve({ accepted: 0, rejected: 0, reasons: {}, duplicates: 0, bytes: body.length } as AcceptResult)));
    },
  } as unknown as Intake;
  return { intake, metrics, release: () => waiting.splice(0).forEach((w) => w()), accepted: () => accepted };
}

function post(port: number, body: Buffer): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/events', agent: false, headers: { 'content-encoding': 'gzip', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let server: CollectorServer | undefined;
afterEach(async () => {
  await server?.close(1_000);
  server = undefined;
});

describe('HTTP: the in-flight body budget (M1)', () => {
  it('concurrent gzip bombs of blank lines: all but what fits the budget are refused 503 + Retry-After; the budget is never passed', async () => {
    const { intake, metrics, release, accepted } = holdingIntake();
    const budgetBytes = 24 << 20;
    const source = new HttpEventsSource({ maxInFlightBodyBytes: budgetBytes });
    await source.start(intake);
    server = new CollectorServer({ events: source, listen: { host: '127.0.0.1', port: 0 }, metrics: async () => '', health: async () => ({ ok: true, body: {} }) });
    const { port } = await server.listen();
    // 16 MiB of newlines each (a few KB gzipped): one fits the budget, two do not.
    const bomb = gzipSync(Buffer.alloc(16 << 20, 0x0a));
    expect(bomb.length).toBeLessThan(100_000);
    const answers = Promise.all(Array.from({ length: 12 }, () => post(port, bomb)));
    // Every request is either refused or held by the intake; then the held ones are answered.
    const settled = answers.then((a) => a);
    const refusedOrHeld = async () => {
      for (;;) {
        if (source.budget.refused + accepted() >= 12) return;
        await new Promise((r) => setImmediate(r));
      }
    };
    await refusedOrHeld();
    release();
    const result = await settled;
    const refused = result.filter((r) => r.status === 503);
    expect(refused.length + result.filter((r) => r.status === 202).length).toBe(12);
    expect(refused.length).toBeGreaterThanOrEqual(11);
    expect(refused.every((r) => r.retryAfter === '1')).toBe(true);
    expect(source.budget.peak).toBeLessThanOrEqual(budgetBytes);
    expect(source.budget.inUse).toBe(0);
    expect(metrics.get('backpressure_total')).toBe(refused.length);
  });

  it('bounds connections and request/header times', async () => {
    const { intake } = holdingIntake();
    const source = new HttpEventsSource();
    await source.start(intake);
    server = new CollectorServer({ events: source, listen: { host: '127.0.0.1', port: 0 }, metrics: async () => '', health: async () => ({ ok: true, body: {} }) });
    await server.listen();
    const raw = (server as unknown as { server: import('node:http').Server }).server;
    expect([raw.maxConnections, raw.requestTimeout, raw.headersTimeout]).toEqual([MAX_CONNECTIONS, 60_000, 30_000]);
  });
});
