import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictionLogger } from '@/lib/client';
import { SQS_MAX_BYTES } from '@/lib/client/sqs-transport';
import { startGoawsServer, type GoawsTestServer } from '@/test/helpers/goaws-server';
import { predictionEvent } from './services';

let goaws: GoawsTestServer;
let credentials: GoawsTestServer['credentials'];
let sqs: SQSClient;
/** A queue's URL; queues not created (`nope`) get the URL they would have. */
const queueUrl = (name: string) => goaws.queueUrls[name] ?? `${goaws.endpoint}/100010001000/${name}`;

beforeAll(async () => {
  goaws = await startGoawsServer([{ name: 'events' }, { name: 'big' }, { name: 'shared' }]);
  credentials = goaws.credentials;
  sqs = goaws.client;
});

afterAll(async () => {
  await goaws?.stop();
});

/** Receives (and deletes) every message on the queue. */
async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) {
      empty++;
      continue;
    }
    bodies.push(...messages.map((m) => m.Body ?? ''));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
  return bodies;
}

const ids = (bodies: string[]) =>
  bodies
    .flatMap((b) => b.split('\n').filter(Boolean))
    .map((l) => (JSON.parse(l) as { id: string }).id)
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));

describe('SQS transport against goaws (query protocol)', () => {
  it('delivers every event as NDJSON message bodies', async () => {
    const logger = createPredictionLogger({ transport: { type: 'sqs', queueUrl: queueUrl('events'), endpoint: goaws.endpoint, protocol: 'query', credentials } });
    for (let i = 0; i < 2000; i++) logger.log(predictionEvent(i));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 2000, dropped: { send_failed: 0, rejected: 0 } });
    const bodies = await drain(queueUrl('events'));
    expect(ids(bodies)).toEqual(Array.from({ length: 2000 }, (_, i) => `ev-${i}`));
    for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(SQS_MAX_BYTES);
  });

  it('splits large events over messages of at most 256 KiB and drops an event larger than that as oversize', async () => {
    const logger = createPredictionLogger({ transport: { type: 'sqs', queueUrl: queueUrl('big'), endpoint: goaws.endpoint, protocol: 'query', credentials }, batchSize: 20 });
    const blob = (i: number, kib: number) => ({ ...predictionEvent(i), features: { text: 'x'.repeat(kib * 1024) } });
    for (let i = 0; i < 19; i++) logger.log(blob(i, 100));
    logger.log(blob(19, 300));
    await logger.close();
    expect(logger.stats()).toMatchObject({ sent: 19, dropped: { oversize: 1, send_failed: 0 } });
    const bodies = await drain(queueUrl('big'));
    expect(ids(bodies)).toEqual(Array.from({ length: 19 }, (_, i) => `ev-${i}`));
    // Two 100 KiB events to a message: whole lines, never over the limit.
    expect(bodies.length).toBe(10);
    for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(SQS_MAX_BYTES);
  });

  it('uses an SQSClient it is given and leaves it usable', async () => {
    const logger = createPredictionLogger({ transport: { type: 'sqs', queueUrl: queueUrl('shared'), client: sqs } });
    logger.log(predictionEvent(1));
    await logger.close();
    expect(ids(await drain(queueUrl('shared')))).toEqual(['ev-1']);
  });

  it('drops as rejected when the queue does not exist, and as send_failed when the endpoint is dead', async () => {
    const missing = createPredictionLogger({ transport: { type: 'sqs', queueUrl: queueUrl('nope'), endpoint: goaws.endpoint, protocol: 'query', credentials }, maxRetries: 1, retryBaseMs: 10 });
    missing.log(predictionEvent(1));
    await missing.close();
    expect(missing.stats()).toMatchObject({ sent: 0, retries: 0, dropped: { rejected: 1, send_failed: 0 } });
    expect(missing.stats().lastError).toMatch(/QueueDoesNotExist/);
    const dead = createPredictionLogger({ transport: { type: 'sqs', queueUrl: 'http://127.0.0.1:1/100010001000/events', endpoint: 'http://127.0.0.1:1', protocol: 'query', credentials }, maxRetries: 1, retryBaseMs: 10 });
    for (let i = 0; i < 10; i++) dead.log(predictionEvent(i));
    await dead.close();
    expect(dead.stats()).toMatchObject({ sent: 0, dropped: { send_failed: 10 } });
  });
});
