import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type ReceiveMessageCommandOutput, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { COLLECTOR_FAULT_ENV } from '@/lib/collector/fault-injection';
import { createSqsSource, type SqsSourceOptions } from '@/lib/collector/sqs-source';
import type { Source } from '@/lib/collector/types';
import { FakeIntake } from '@/test/helpers/fake-intake';
import { goawsSourceOptions, startGoawsServer, type GoawsTestServer } from '@/test/helpers/goaws-server';

/** SQS source mechanics on goaws (query protocol) with a fake intake (deletes follow the fake's flush()). */
let goaws: GoawsTestServer;
const sources: Source[] = [];
const logs: string[] = [];

beforeAll(async () => {
  goaws = await startGoawsServer([
    { name: 'basic', visibilityTimeout: 2 },
    { name: 'fault', visibilityTimeout: 1 },
    { name: 'held', visibilityTimeout: 2 },
    { name: 'poison', visibilityTimeout: 1 },
    { name: 'poison-dlq', visibilityTimeout: 30 },
    { name: 'poison2', visibilityTimeout: 1 },
    { name: 'poison2-dlq', visibilityTimeout: 30 },
    { name: 'poison-nodlq', visibilityTimeout: 1 },
  ]);
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  delete process.env[COLLECTOR_FAULT_ENV];
});
afterAll(async () => {
  await goaws?.stop();
});

const event = (id: string) => JSON.stringify({ model: 'm', id, ts: '2026-12-01T10:00:00Z', features: { x: 1 } });

function source(queue: string, extra: Partial<SqsSourceOptions> = {}): Source {
  const s = createSqsSource({
    ...goawsSourceOptions(goaws, queue),
    limits: { maxAgeMs: 500 },
    log: (l) => logs.push(l),
    ...extra,
  });
  sources.push(s);
  return s;
}

async function send(queue: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await goaws.client.send(new SendMessageBatchCommand({ QueueUrl: goaws.queueUrls[queue], Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
  }
}

async function depth(queue: string): Promise<{ visible: number; total: number }> {
  const r = await goaws.client.send(new GetQueueAttributesCommand({ QueueUrl: goaws.queueUrls[queue], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  // goaws counts every message in ApproximateNumberOfMessages, hidden ones too.
  const total = Number(r.Attributes!.ApproximateNumberOfMessages);
  return { visible: total - Number(r.Attributes!.ApproximateNumberOfMessagesNotVisible), total };
}

const ids = (intake: FakeIntake) => intake.accepted.flatMap((a) => a.body.split('\n').map((l) => (JSON.parse(l) as { id: string }).id));

describe('sqs source', () => {
  test('deletes a message only after its write', async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => [event(`m${i}a`), event(`m${i}b`)].join('\n'));
    await send('basic', bodies);
    const intake = new FakeIntake();
    await source('basic').start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(25), { timeout: 10_000 });
    expect(await depth('basic')).toEqual({ visible: 0, total: 25 });
    intake.flush();
    await vi.waitFor(async () => expect((await depth('basic')).total).toBe(0), { timeout: 5000 });
    expect(ids(intake).length).toBe(50);
    expect(new Set(ids(intake)).size).toBe(50);
    // 2 s of visibility is shorter than the batch age (0.5 s) plus 30 s for the upload: said at start.
    expect(logs.some((l) => l.includes('warning: SQS visibility timeout 2 s is shorter than the batch age limit'))).toBe(true);
  });

  test('a queue that does not exist fails start with the cause', async () => {
    const s = createSqsSource({ queueUrl: `${goaws.endpoint}/100010001000/missing`, endpoint: goaws.endpoint, region: goaws.region, protocol: 'query', credentials: goaws.credentials, log: () => undefined });
    await expect(s.start(new FakeIntake())).rejects.toThrow(/cannot start consuming .*missing/);
  });

  test('a message held past its visibility timeout is extended, not accepted twice', async () => {
    await send('held', [event('h1'), event('h2')]);
    const intake = new FakeIntake();
    await source('held', { visibilityTimeoutSeconds: 2 }).start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(2), { timeout: 5000 });
    // Three timeouts pass with the write held (store down): extensions keep the messages invisible.
    await new Promise((r) => setTimeout(r, 6000));
    expect(intake.accepted.length).toBe(2);
    expect(intake.counter('queue_redeliveries_total')).toBe(0);
    expect(logs.some((l) => l.includes('extending one message at a time'))).toBe(true);
    expect(await depth('held')).toEqual({ visible: 0, total: 2 });
    intake.flush();
    await vi.waitFor(async () => expect((await depth('held')).total).toBe(0), { timeout: 5000 });
  }, 20_000);

  test('a lost delete (ack-fail-once) means a redelivery after the visibility timeout', async () => {
    process.env[COLLECTOR_FAULT_ENV] = 'ack-fail-once';
    await send('fault', [event('f1'), event('f2'), event('f3')]);
    const intake = new FakeIntake();
    await source('fault', { visibilityTimeoutSeconds: 1, pollers: 1, maxMessages: 10 }).start(intake);
    await vi.waitFor(() => expect(intake.accepted.length).toBe(3), { timeout: 5000 });
    intake.flush();
    await vi.waitFor(() => expect(intake.accepted.length).toBeGreaterThan(3), { timeout: 8000 });
    await vi.waitFor(() => expect(new Set(intake.accepted.slice(3).map((a) => a.body)).size).toBe(intake.accepted.length - 3));
    intake.flush();
    await vi.waitFor(async () => expect((await depth('fault')).total).toBe(0), { timeout: 8000 });
    intake.flush();
    expect(new Set(ids(intake))).toEqual(new Set(['f1', 'f2', 'f3']));
    expect(intake.counter('queue_redeliveries_total')).toBe(intake.accepted.length - 3);
  }, 20_000);

  test('a message received more than maxDeliveries times goes to the dead-letter queue', async () => {
    await send('poison', [event('x1')]);
    const intake = new FakeIntake();
    intake.failWith = new Error('intake broken');
    await source('poison', { visibilityTimeoutSeconds: 1, maxDeliveries: 2, deadLetterUrl: goaws.queueUrls['poison-dlq'], pollers: 1 }).start(intake);
    await vi.waitFor(async () => expect((await depth('poison-dlq')).total).toBe(1), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await depth('poison')).total).toBe(0), { timeout: 5000 });
    const dead = await goaws.client.send(new ReceiveMessageCommand({ QueueUrl: goaws.queueUrls['poison-dlq'], MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual([event('x1')]);
    expect(dead.Messages?.[0].MessageAttributes?.reason?.StringValue).toBe('max_deliveries');
    expect(intake.counter('queue_dead_letters_total')).toBe(1);
  }, 20_000);

  /** goaws's client with the first `failDeletes` deletes failing, counting the receipts of each message. */
  function flakyClient(failDeletes: number): { client: SQSClient; receipts: Map<string, number>; deleteCalls: () => number } {
    const receipts = new Map<string, number>();
    let deletes = 0;
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        const name = command.constructor.name;
        if (name.startsWith('DeleteMessage')) {
          deletes++;
          if (failDeletes-- > 0) throw new Error('injected: delete failed');
        }
        const out = await goaws.client.send(command as never);
        if (name === 'ReceiveMessageCommand') for (const m of (out as ReceiveMessageCommandOutput).Messages ?? []) receipts.set(m.MessageId!, (receipts.get(m.MessageId!) ?? 0) + 1);
        return out;
      },
      destroy: () => undefined,
    } as unknown as SQSClient;
    return { client, receipts, deleteCalls: () => deletes };
  }

  test('a dead-lettered message whose delete fails is deleted on retry, not dead-lettered twice', async () => {
    await send('poison2', [event('y1')]);
    const intake = new FakeIntake();
    intake.failWith = new Error('intake broken');
    const flaky = flakyClient(2);
    await source('poison2', { client: flaky.client, visibilityTimeoutSeconds: 1, maxDeliveries: 2, deadLetterUrl: goaws.queueUrls['poison2-dlq'], pollers: 1 }).start(intake);
    await vi.waitFor(async () => expect((await depth('poison2')).total).toBe(0), { timeout: 15_000 });
    expect(flaky.deleteCalls()).toBeGreaterThanOrEqual(3);
    expect((await depth('poison2-dlq')).total).toBe(1);
    expect(intake.counter('queue_dead_letters_total')).toBe(1);
  }, 30_000);

  test('without a dead-letter queue an over-limit message is logged once, not accepted', async () => {
    await send('poison-nodlq', [event('z1')]);
    const intake = new FakeIntake();
    intake.failWith = new Error('intake broken');
    const flaky = flakyClient(0);
    await source('poison-nodlq', { client: flaky.client, visibilityTimeoutSeconds: 1, maxDeliveries: 1, pollers: 1 }).start(intake);
    // Received 4 times: over the limit from the 2nd on.
    await vi.waitFor(() => expect(Math.max(0, ...flaky.receipts.values())).toBeGreaterThanOrEqual(4), { timeout: 15_000 });
    const [id] = [...flaky.receipts.keys()];
    expect(logs.filter((l) => l.includes(id) && l.includes('no dead-letter queue'))).toHaveLength(1);
    expect((await depth('poison-nodlq')).total).toBe(1);
  }, 30_000);
});
