import { createServer, Socket, type Server } from 'node:net';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { COLLECTOR_FAULT_ENV } from '@/lib/collector/fault-injection';
import { createIntake, type CollectorIntake } from '@/lib/collector/intake';
import { createSqsSource, type SqsSourceOptions } from '@/lib/collector/sqs-source';
import type { DumpLimits } from '@/lib/collector/types';
import { S3Storage } from '@/lib/storage/s3-storage';
import type { Storage } from '@/lib/storage/storage';
import { DelegatingStorage } from '@/test/helpers/delegating-storage';
import { goawsSourceOptions, startGoawsServer, type GoawsTestServer } from '@/test/helpers/goaws-server';
import { addQueueModel, makeQueueStore, QueueRuns, profiledRows, queueEvent, storedIdCounts, type QueueStore } from '@/test/helpers/queue-store';
import { freePort } from '@/test/helpers/redis-server';
import { startS3Server, type S3TestServer } from '@/test/helpers/s3-server';

/** SQS (goaws) → the real intake → a store (local, or S3 on s3rver) → profile: deletes only after writes, nothing lost. */
let goaws: GoawsTestServer;
const stores: QueueStore[] = [];
const runs = new QueueRuns();
const logs: string[] = [];
const LIMITS: Partial<DumpLimits> = { maxAgeMs: 200, maxEvents: 400 };

beforeAll(async () => {
  goaws = await startGoawsServer([
    { name: 'held', visibilityTimeout: 2 },
    { name: 'lost-delete', visibilityTimeout: 1 },
    { name: 'outage', visibilityTimeout: 2 },
  ]);
});
afterEach(async () => {
  await runs.stopAll();
  delete process.env[COLLECTOR_FAULT_ENV];
});
afterAll(async () => {
  await goaws?.stop();
  for (const store of stores) await store.cleanup();
});

/** A storage whose writes wait while `closed` (a store that hangs). */
class GatedStorage extends DelegatingStorage {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  writesWaiting = 0;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  override async write(key: string, data: Uint8Array | string) {
    if (this.gate) {
      this.writesWaiting++;
      await this.gate;
    }
    return this.inner.write(key, data);
  }
}

/** A TCP relay in front of s3rver that can be cut (connections refused and dropped) and restored on the same port. */
async function tcpRelay(target: URL): Promise<{ endpoint: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        upstream.connect(Number(target.port), target.hostname, () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      sockets.clear();
    });
    server = undefined;
  };
  await listen();
  return { endpoint: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

async function collect(storage: Storage, queue: string, extra: Partial<SqsSourceOptions> = {}) {
  const intake = createIntake({ storage, limits: LIMITS, retry: { baseMs: 100, capMs: 500 }, log: (l) => logs.push(l) });
  return runs.start(createSqsSource({ ...goawsSourceOptions(goaws, queue), limits: LIMITS, log: (l) => logs.push(l), ...extra }), intake);
}

/** Send `messages` messages of 1–10 events; answers the ids. */
async function send(queue: string, messages: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  let n = 0;
  const bodies: string[] = [];
  for (let i = 0; i < messages; i++) {
    const lines: string[] = [];
    for (let k = 1 + (i % 10); k > 0; k--) {
      lines.push(queueEvent(n, prefix));
      ids.push(`${prefix}${n++}`);
    }
    bodies.push(lines.join('\n'));
  }
  for (let i = 0; i < bodies.length; i += 10) {
    await goaws.client.send(new SendMessageBatchCommand({ QueueUrl: goaws.queueUrls[queue], Entries: bodies.slice(i, i + 10).map((b, k) => ({ Id: String(k), MessageBody: b })) }));
  }
  return ids;
}

async function depth(queue: string): Promise<{ total: number; inFlight: number }> {
  const r = await goaws.client.send(
    new GetQueueAttributesCommand({ QueueUrl: goaws.queueUrls[queue], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  // goaws counts hidden messages in ApproximateNumberOfMessages too.
  return { total: Number(r.Attributes!.ApproximateNumberOfMessages), inFlight: Number(r.Attributes!.ApproximateNumberOfMessagesNotVisible) };
}

function exactlyOnce(counts: Map<string, number>, ids: readonly string[]): void {
  expect(ids.filter((id) => !counts.has(id))).toEqual([]);
  expect(counts.size).toBe(new Set(ids).size);
}

const redeliveries = (intake: CollectorIntake) =>
  [...intake.metrics.render().matchAll(/^driftwatch_collector_queue_redeliveries_total\{[^}]*\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);

describe('sqs source with the intake and a store', () => {
  test('messages are deleted only after their write: in flight while the write is held, gone after', async () => {
    const store = await makeQueueStore('driftwatch-sqs-store-');
    stores.push(store);
    const gated = new GatedStorage(store.storage);
    gated.hold();
    const ids = await send('held', 40, 'h');
    const run = await collect(gated, 'held');
    await vi.waitFor(() => expect(gated.writesWaiting).toBeGreaterThan(0), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await depth('held')).toEqual({ total: 40, inFlight: 40 }), { timeout: 10_000 });
    gated.release();
    await vi.waitFor(async () => expect((await depth('held')).total).toBe(0), { timeout: 10_000 });
    await run.stop();
    exactlyOnce(await storedIdCounts(store.storage), ids);
    expect(await profiledRows(store.storage)).toBe(ids.length);
  }, 30_000);

  test('a delete lost after the write (ack-fail-once): redelivered after the visibility timeout, counted once by profile', async () => {
    process.env[COLLECTOR_FAULT_ENV] = 'ack-fail-once';
    const store = await makeQueueStore('driftwatch-sqs-store-');
    stores.push(store);
    const ids = await send('lost-delete', 30, 'l');
    const run = await collect(store.storage, 'lost-delete', { visibilityTimeoutSeconds: 1 });
    await vi.waitFor(async () => expect((await depth('lost-delete')).total).toBe(0), { timeout: 15_000 });
    await run.stop();
    expect(redeliveries(run.intake)).toBeGreaterThan(0);
    exactlyOnce(await storedIdCounts(store.storage), ids);
    expect(await profiledRows(store.storage)).toBe(ids.length);
  }, 30_000);

  describe('S3 outage longer than the visibility timeout', () => {
    let s3: S3TestServer;
    beforeAll(async () => {
      s3 = await startS3Server();
    }, 60_000);
    afterAll(async () => {
      await s3?.stop();
    });

    test('nothing is deleted before it is written; after recovery every event is in the store exactly once', async () => {
      const relay = await tcpRelay(new URL(s3.endpoint));
      const storage = new S3Storage({ bucket: s3.bucket, endpoint: relay.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
      await addQueueModel(storage);
      try {
        const before = await send('outage', 20, 'o');
        const run = await collect(storage, 'outage', { visibilityTimeoutSeconds: 2 });
        await vi.waitFor(async () => expect((await depth('outage')).total).toBe(0), { timeout: 10_000 });

        // S3 goes away for 3 visibility timeouts while messages keep coming.
        await relay.cut();
        const during = await send('outage', 30, 'p');
        await vi.waitFor(() => expect(run.intake.health().status).toBe('failing'), { timeout: 10_000 });
        await new Promise((r) => setTimeout(r, 6_000));
        expect(await depth('outage')).toEqual({ total: 30, inFlight: 30 });
        await relay.restore();

        await vi.waitFor(async () => expect((await depth('outage')).total).toBe(0), { timeout: 20_000 });
        await run.stop();
        expect(redeliveries(run.intake)).toBe(0);
        const ids = [...before, ...during];
        const counts = await storedIdCounts(storage);
        exactlyOnce(counts, ids);
        expect([...counts.values()].every((c) => c === 1)).toBe(true);
        expect(await profiledRows(storage)).toBe(ids.length);
      } finally {
        storage.client.destroy();
        await relay.close();
      }
    }, 90_000);
  });
});
