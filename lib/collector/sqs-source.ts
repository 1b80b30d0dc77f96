import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient, type SqsClientOptions } from '../client/sqs-client';
import { QueueConsumer } from './queue-consumer';
import { DEFAULT_DUMP_LIMITS, type CollectorMetrics, type DumpLimits, type Intake, type Source } from './types';

export interface SqsSourceOptions extends SqsClientOptions {
  queueUrl: string;
  /** Long-poll wait (s); 20 is SQS's maximum. */
  waitTimeSeconds?: number;
  /** Messages per ReceiveMessage (1–10). */
  maxMessages?: number;
  /**
   * How long a received message stays invisible (s). Must exceed the longest batch age plus an
   * upload (limits.maxAgeMs + 30 s); while the store is down, held messages are extended before expiry.
   */
  visibilityTimeoutSeconds?: number;
  /**
   * A message received more than this many times goes to `deadLetterUrl` (and is deleted; a failed
   * delete is retried). Without `deadLetterUrl` it is logged once and left alone (not accepted, not
   * extended): the queue's redrive policy should move it.
   */
  maxDeliveries?: number;
  deadLetterUrl?: string;
  /** Concurrent long polls. */
  pollers?: number;
  /** The intake's dump limits, to check the visibility timeout against its batch age. */
  limits?: Partial<DumpLimits>;
  /** Deletes of durable messages are coalesced over this window (ms). */
  deleteIntervalMs?: number;
  /** A client built elsewhere (tests); otherwise one is made from the client options. */
  client?: SQSClient;
  log?: (line: string) => void;
}

interface Held {
  receiptHandle: string;
  /** When the message becomes visible again unless extended (ms since epoch). */
  visibleUntil: number;
}

const SOURCE = 'sqs';
const UPLOAD_ALLOWANCE_MS = 30_000;
/** Local receive counts kept for at most this many messages (goaws does not count receives). */
const MAX_TRACKED_RECEIVES = 100_000;
/** A dead-lettered message's delete is tried this many times (with back-off) before it is left to come back. */
const DEAD_LETTER_DELETE_ATTEMPTS = 5;

/**
 * SQS source: long-polls the queue, hands each body (one or more NDJSON events) to the intake and
 * deletes the message only once everything in it is written (onDurable). Messages held longer than
 * the visibility timeout (store outage) get their visibility extended; a message redelivered while
 * held is not accepted again (its newest receipt handle is kept for the delete).
 */
export function createSqsSource(options: SqsSourceOptions): Source {
  const queueUrl = options.queueUrl;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const maxMessages = Math.min(10, Math.max(1, options.maxMessages ?? 10));
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 300;
  const visibilityMs = visibilityTimeoutSeconds * 1000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const pollers = Math.max(1, options.pollers ?? 2);
  const deleteIntervalMs = options.deleteIntervalMs ?? 10;
  const limits = { ...DEFAULT_DUMP_LIMITS, ...options.limits };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const client = options.client ?? createSqsClient(options);

  /** Held (accepted, not yet deleted) by MessageId; deletes of durable messages are coalesced. */
  const queue: QueueConsumer<Held> = new QueueConsumer<Held>({
    source: SOURCE,
    ackIntervalMs: deleteIntervalMs,
    log,
    describeAck: (n) => `the delete of ${n} sqs messages`,
    ack: (ids): Promise<string[]> => deleteNow(ids.filter((id) => held.has(id)).map((id) => ({ id, receiptHandle: held.get(id)!.receiptHandle }))),
    release: () => {
      clearInterval(extendTimer);
      if (!options.client) client.destroy();
    },
  });
  const { held } = queue;
  const receives = new Map<string, number>();
  let extendTimer: NodeJS.Timeout | undefined;
  let extendRunning: Promise<void> | undefined;
  let batchVisibility = true;
  let loops: Promise<void>[] = [];

  /** SQS's ApproximateReceiveCount, or this process's own count when higher (goaws 0.4.5 always says 1). */
  function receiveCount(message: Message): number {
    const id = message.MessageId!;
    const local = (receives.get(id) ?? 0) + 1;
    receives.delete(id);
    receives.set(id, local);
    if (receives.size > MAX_TRACKED_RECEIVES) receives.delete(receives.keys().next().value!);
    return Math.max(local, Number(message.Attributes?.ApproximateReceiveCount ?? 1));
  }

  /** Bounded sets of message ids: over the limit and logged (no DLQ); sent to the DLQ (delete not yet confirmed). */
  const overLimitLogged = new Set<string>();
  const sentToDeadLetter = new Set<string>();
  const remember = (set: Set<string>, id: string) => {
    set.add(id);
    if (set.size > MAX_TRACKED_RECEIVES) set.delete(set.values().next().value!);
  };

  async function deadLetter(message: Message, count: number): Promise<void> {
    const id = message.MessageId!;
    if (!options.deadLetterUrl) {
      // Logged once per message, never accepted nor extended: SQS's redrive policy (maxReceiveCount) moves it.
      if (overLimitLogged.has(id)) return;
      remember(overLimitLogged, id);
      queue.intake?.metrics.inc('queue_over_limit_total', { source: SOURCE });
      log(`driftwatch collector: sqs message ${id} received ${count} times (> ${maxDeliveries}); no dead-letter queue set, left to the queue's redrive policy (logged once)`);
      return;
    }
    // Sent once: a message whose delete failed and came back is only deleted, not dead-lettered again.
    if (!sentToDeadLetter.has(id)) await client.send(
      new SendMessageCommand({
        QueueUrl: options.deadLetterUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'max_deliveries' },
          deliveries: { DataType: 'Number', StringValue: String(count) },
          original_id: { DataType: 'String', StringValue: message.MessageId! },
        },
      }),
    );
    if (!sentToDeadLetter.has(id)) remember(sentToDeadLetter, id);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        break;
      } catch (error) {
        if (attempt >= DEAD_LETTER_DELETE_ATTEMPTS || queue.stopping) {
          log(`driftwatch collector: sqs delete of dead-lettered ${id} failed ${attempt} times (${(error as Error).message}); it comes back and is deleted then`);
          return;
        }
        await queue.sleep(100 * 2 ** attempt);
      }
    }
    sentToDeadLetter.delete(id);
    receives.delete(id);
    queue.intake?.metrics.inc('queue_dead_letters_total', { source: SOURCE, reason: 'max_deliveries' });
    log(`driftwatch collector: sqs message ${message.MessageId} → dead-letter queue (${count} receives)`);
  }

  async function handle(message: Message): Promise<void> {
    const intake = queue.intake;
    if (!intake || !message.MessageId || !message.ReceiptHandle) return;
    const id = message.MessageId;
    const count = receiveCount(message);
    const known = held.get(id);
    if (known) {
      // Redelivered while still held (its visibility lapsed): keep the newest handle, do not accept twice.
      known.receiptHandle = message.ReceiptHandle;
      known.visibleUntil = Date.now() + visibilityMs;
      intake.metrics.inc('queue_redeliveries_total', { source: SOURCE, held: 'true' });
      return;
    }
    if (count > maxDeliveries) return deadLetter(message, count);
    if (count > 1) intake.metrics.inc('queue_redeliveries_total', { source: SOURCE });
    // Not taken (stopping): it becomes visible again after its timeout and is received anew.
    await queue.accept(id, { receiptHandle: message.ReceiptHandle, visibleUntil: Date.now() + visibilityMs }, Buffer.from(message.Body ?? '', 'utf8'));
  }

  /** DeleteMessageBatch in groups of 10; answers the ids to try again (network errors, a newer handle known). */
  async function deleteNow(entries: readonly { id: string; receiptHandle: string }[]): Promise<string[]> {
    const retry: string[] = [];
    for (let i = 0; i < entries.length; i += 10) {
      const group = entries.slice(i, i + 10);
      try {
        const result = await client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: group.map((e, n) => ({ Id: String(n), ReceiptHandle: e.receiptHandle })) }),
        );
        for (const ok of result.Successful ?? []) {
          const id = group[Number(ok.Id)].id;
          held.delete(id);
          receives.delete(id);
        }
        for (const failed of result.Failed ?? []) {
          const entry = group[Number(failed.Id)];
          const now = held.get(entry.id);
          if (now && now.receiptHandle !== entry.receiptHandle) retry.push(entry.id);
          else {
            // The handle is stale and no newer one is known: the message comes back and is written again (deduplicated by id).
            log(`driftwatch collector: sqs delete of ${entry.id} failed (${failed.Code}): it will be redelivered`);
            held.delete(entry.id);
          }
        }
      } catch (error) {
        log(`driftwatch collector: DeleteMessageBatch failed, retrying: ${(error as Error).message}`);
        retry.push(...group.map((e) => e.id).filter((id) => held.has(id)));
      }
    }
    return retry;
  }

  /** Extend the visibility of messages held past half their timeout (the store is slow or down). */
  async function extend(): Promise<void> {
    const now = Date.now();
    const due = [...held].filter(([, h]) => h.visibleUntil - now < visibilityMs / 2);
    for (let i = 0; i < due.length; i += 10) {
      const group = due.slice(i, i + 10);
      if (batchVisibility) {
        try {
          const result = await client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: group.map(([, h], n) => ({ Id: String(n), ReceiptHandle: h.receiptHandle, VisibilityTimeout: visibilityTimeoutSeconds })),
            }),
          );
          for (const ok of result.Successful ?? []) group[Number(ok.Id)][1].visibleUntil = now + visibilityMs;
          continue;
        } catch (error) {
          // goaws 0.4.5 has no ChangeMessageVisibilityBatch (it answers 400 "Bad Request"): try one call per message;
          // if those work, use them from now on.
          log(`driftwatch collector: ChangeMessageVisibilityBatch failed (${(error as Error).message.split('\n')[0]}); trying one message at a time`);
        }
      }
      let single = 0;
      for (const [id, h] of group) {
        try {
          await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: h.receiptHandle, VisibilityTimeout: visibilityTimeoutSeconds }));
          h.visibleUntil = now + visibilityMs;
          single++;
        } catch (error) {
          log(`driftwatch collector: visibility of ${id} not extended (${(error as Error).message}); a redelivery is deduplicated`);
        }
      }
      if (single > 0 && batchVisibility) {
        batchVisibility = false;
        log('driftwatch collector: ChangeMessageVisibilityBatch unsupported by this endpoint: extending one message at a time');
      }
    }
  }

  async function poll(): Promise<void> {
    let backoffMs = 100;
    while (!queue.stopping) {
      try {
        await queue.roomFor();
        if (queue.stopping) break;
        const reply = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            AttributeNames: ['All'],
          }),
          { abortSignal: queue.abort.signal },
        );
        for (const message of reply.Messages ?? []) await handle(message);
        backoffMs = 100;
      } catch (error) {
        if (queue.stopping) break;
        log(`driftwatch collector: sqs receive failed, retrying in ${backoffMs} ms: ${(error as Error).message}`);
        await queue.sleep(backoffMs * (0.5 + Math.random()));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  return {
    name: SOURCE,
    async start(target: Intake) {
      queue.intake = target;
      if (visibilityMs < limits.maxAgeMs + UPLOAD_ALLOWANCE_MS) {
        log(
          `driftwatch collector: warning: SQS visibility timeout ${visibilityTimeoutSeconds} s is shorter than the batch age limit ` +
            `(${limits.maxAgeMs / 1000} s) plus ${UPLOAD_ALLOWANCE_MS / 1000} s for the upload: messages may be redelivered before they are written ` +
            `(they are extended while held, and redeliveries are deduplicated)`,
        );
      }
      // Fails fast on a wrong URL, endpoint or credentials rather than in a background loop.
      try {
        await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }));
      } catch (error) {
        queue.release();
        throw new Error(`cannot start consuming ${queueUrl}: ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`);
      }
      extendTimer = setInterval(() => {
        extendRunning ??= extend().finally(() => (extendRunning = undefined));
      }, Math.max(200, Math.min(visibilityMs / 4, 30_000)));
      loops = Array.from({ length: pollers }, () => poll());
    },
    async stop() {
      // Held messages stay invisible (extended) while the intake finishes writing them, then are deleted.
      await queue.stop(loops);
    },
    async close() {
      await queue.close();
    },
    async refreshMetrics(metrics: CollectorMetrics) {
      if (queue.closed) return;
      try {
        const reply = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
        );
        const labels = { source: SOURCE, queue: queueUrl.slice(queueUrl.lastIndexOf('/') + 1) };
        metrics.set('queue_lag', Number(reply.Attributes?.ApproximateNumberOfMessages ?? 0), labels);
        metrics.set('queue_in_flight', Number(reply.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0), labels);
      } catch (error) {
        log(`driftwatch collector: GetQueueAttributes failed: ${(error as Error).message}`);
      }
    },
  };
}
