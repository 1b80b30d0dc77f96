import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layout } from '@/lib/format';
import { bundleCli, startCollector, type Collector } from '@/test/helpers/collector-process';
import { startGoawsServer, type GoawsTestServer } from '@/test/helpers/goaws-server';
import { makeQueueStore, QUEUE_MODEL, queueEvent, type QueueStore } from '@/test/helpers/queue-store';
import { startRedisServer, type RedisTestServer } from '@/test/helpers/redis-server';

/**
 * A shutdown that gives up (the store fails every write, --shutdown-timeout 1s): `driftwatch collect`
 * exits with status 1 promptly, its queue connections released at once instead of waiting up to a
 * minute for acks that cannot come. What it held stays unacknowledged and is delivered again.
 */
let redis: RedisTestServer;
let goaws: GoawsTestServer;
let store: QueueStore;
let cli: Awaited<ReturnType<typeof bundleCli>>;
let collector: Collector | undefined;

beforeAll(async () => {
  [redis, goaws, cli] = await Promise.all([startRedisServer(), startGoawsServer([{ name: 'events' }]), bundleCli('shutdown-timeout')]);
  store = await makeQueueStore('driftwatch-shutdown-timeout-');
  // The raw batches' directory is a file: every write of a batch fails (and is retried).
  const raw = path.join(store.location, layout.rawPredictionsPrefix(QUEUE_MODEL).slice(0, -1));
  await mkdir(path.dirname(raw), { recursive: true });
  await writeFile(raw, 'not a directory\n');
}, 60_000);

afterAll(async () => {
  if (collector && collector.child.exitCode === null && collector.child.signalCode === null) collector.child.kill('SIGKILL');
  await cli?.remove();
  await redis?.stop();
  await goaws?.stop();
  await store?.cleanup();
});

/** SIGTERM once the collector holds events it cannot write; answers the exit and how long it took. */
async function stopHolding(args: string[], env: Record<string, string>, produce: () => Promise<void>) {
  const spool = path.join(store.dir, `spool-${args[1]}`);
  collector = await startCollector(cli.path, ['--store', store.location, '--spool', spool, '--max-age', '100ms', '--shutdown-timeout', '1s', '--status-every', '1h', ...args], { env });
  await produce();
  const running = collector;
  await expect.poll(() => running.lines.some((l) => /collector: store .* failed \(attempt \d+\), retrying/.test(l)), { timeout: 20_000, interval: 50 }).toBe(true);
  const started = Date.now();
  const exit = await running.stop();
  return { exit, ms: Date.now() - started, lines: running.lines };
}

describe('a shutdown that times out', () => {
  it('redis: exits with status 1 promptly, not after the ack grace period', { timeout: 60_000 }, async () => {
    const producer = new Redis(redis.url, { protocol: 2 });
    try {
      const { exit, ms, lines } = await stopHolding(['--source', 'redis', '--redis-url', redis.url, '--stream', 'timeout'], {}, async () => {
        for (let i = 0; i < 5; i++) await producer.xadd('timeout', '*', 'e', queueEvent(i, 'r'));
      });
      expect(exit).toEqual({ code: 1, signal: null });
      expect(lines.some((l) => /collect: shutdown timed out/.test(l))).toBe(true);
      expect(ms).toBeLessThan(15_000);
      // Nothing was acknowledged: the entries are still pending for the next collector.
      expect(((await producer.call('XPENDING', 'timeout', 'driftwatch')) as [number])[0]).toBe(5);
    } finally {
      producer.disconnect();
    }
  });

  it('sqs: exits with status 1 promptly, not after the delete grace period', { timeout: 60_000 }, async () => {
    const queueUrl = goaws.queueUrls.events;
    const args = ['--source', 'sqs', '--sqs-queue-url', queueUrl, '--sqs-endpoint', goaws.endpoint, '--sqs-protocol', 'query', '--sqs-region', goaws.region];
    const env = { AWS_ACCESS_KEY_ID: goaws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: goaws.credentials.secretAccessKey };
    const { exit, ms, lines } = await stopHolding(args, env, async () => {
      for (let i = 0; i < 5; i++) await goaws.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: queueEvent(i, 's') }));
    });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines.some((l) => /collect: shutdown timed out/.test(l))).toBe(true);
    expect(ms).toBeLessThan(15_000);
  });
});
