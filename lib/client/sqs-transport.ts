import type { SQSClient } from '@aws-sdk/client-sqs';
import { TransportError, type SendResult, type SqsTransportOptions, type Transport } from './types.js';

/** SQS's limit on one message and on the sum of the messages of one SendMessageBatch call. */
export const SQS_MAX_BYTES = 256 * 1024;
const MAX_ENTRIES = 10;

/** Characters an SQS message body may not hold (outside #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF): lone surrogates, U+FFFE, U+FFFF, C0 controls. */
const SQS_REFUSED = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * An NDJSON line SQS will carry: every character SQS refuses is written as its JSON `\uXXXX` escape.
 * In JSON text such characters can only be inside strings, so the line means the same event; one
 * such value cannot make SQS refuse a whole packed message.
 */
export function sqsSafe(line: string): string {
  SQS_REFUSED.lastIndex = 0;
  if (!SQS_REFUSED.test(line)) return line;
  return line.replace(SQS_REFUSED, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Packs NDJSON lines into message bodies of at most `maxBytes` (UTF-8), whole lines only. A line
 * that alone is larger cannot be carried: it is counted in `oversize`.
 */
export function packMessages(body: string, maxBytes: number): { messages: { body: string; bytes: number }[]; oversize: number } {
  const messages: { body: string; bytes: number }[] = [];
  let oversize = 0;
  let current = '';
  let currentBytes = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    end = end < 0 ? body.length : end + 1;
    const line = sqsSafe(body.slice(start, end));
    start = end;
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > maxBytes) {
      oversize++;
      continue;
    }
    if (currentBytes + bytes > maxBytes) {
      messages.push({ body: current, bytes: currentBytes });
      current = '';
      currentBytes = 0;
    }
    current += line;
    currentBytes += bytes;
  }
  if (currentBytes > 0) messages.push({ body: current, bytes: currentBytes });
  return { messages, oversize };
}

/** Groups messages into SendMessageBatch calls: ≤ 10 entries and ≤ `maxBytes` in all per call. */
export function groupCalls<M extends { bytes: number }>(messages: M[], maxBytes: number): M[][] {
  const calls: M[][] = [];
  let call: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (call.length === MAX_ENTRIES || (call.length > 0 && bytes + m.bytes > maxBytes)) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(m);
    bytes += m.bytes;
  }
  if (call.length) calls.push(call);
  return calls;
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/** A client fault (no such queue, access denied, bad request) will not get better by retrying; throttling will. */
function retryable(error: AwsErrorShape): boolean {
  if (error.$fault !== 'client') return true;
  const status = error.$metadata?.httpStatusCode ?? 400;
  return /throttl/i.test(error.name ?? '') || status === 429 || status === 408;
}

/** SendMessageBatch per batch: messages ≤ 256 KiB, ≤ 10 entries and ≤ 256 KiB per call; failed entries are retried. */
export async function createSqsTransport(options: SqsTransportOptions): Promise<Transport> {
  const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  let client: SQSClient;
  let owned = false;
  if (options.client) {
    client = options.client as SQSClient;
  } else {
    const { createSqsClient } = await import('./sqs-client.js');
    client = createSqsClient({ region: options.region, endpoint: options.endpoint, protocol: options.protocol, credentials: options.credentials });
    owned = true;
  }
  const maxBytes = Math.min(options.maxMessageBytes ?? SQS_MAX_BYTES, SQS_MAX_BYTES);

  return {
    async send(body: string, signal: AbortSignal): Promise<SendResult | void> {
      const { messages, oversize } = packMessages(body, maxBytes);
      const dropped = oversize ? { oversize } : undefined;
      const calls = groupCalls(messages, SQS_MAX_BYTES);
      const rest = (from: number): string => calls.slice(from).flat().map((m) => m.body).join('');
      for (let c = 0; c < calls.length; c++) {
        const entries = calls[c].map((m, i) => ({ Id: String(i), MessageBody: m.body }));
        let failed: { Id?: string; SenderFault?: boolean; Code?: string; Message?: string }[];
        try {
          const out = await client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }), { abortSignal: signal });
          failed = out.Failed ?? [];
        } catch (e) {
          const error = e as AwsErrorShape;
          throw new TransportError(`sqs SendMessageBatch: ${error.name ?? 'Error'}: ${error.message ?? String(e)}`, retryable(error), { remaining: rest(c), dropped });
        }
        if (failed.length > 0) {
          const again = failed.map((f) => entries[Number(f.Id)]?.MessageBody ?? '').join('');
          const first = failed[0];
          throw new TransportError(`sqs: ${failed.length} of ${entries.length} messages failed (${first.Code ?? '?'}: ${first.Message ?? ''})`, !failed.every((f) => f.SenderFault), {
            remaining: again + rest(c + 1),
            dropped,
          });
        }
      }
      return dropped ? { dropped } : undefined;
    },
    async close(): Promise<void> {
      if (owned) client.destroy();
    },
  };
}
