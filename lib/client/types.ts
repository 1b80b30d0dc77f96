/**
 * The prediction logger's public types (`import … from 'driftwatch/client'`). This package part
 * imports only node:* and, lazily inside their transports, ioredis and @aws-sdk/client-sqs.
 */

/**
 * One prediction as the service logs it (the wire format of lib/format/events.ts). `ts` is filled
 * with the time of the `log()` call when absent.
 */
export interface PredictionLogEvent {
  model: string;
  id: string | number;
  ts?: string | number;
  features: Record<string, unknown>;
  score?: number | null;
  model_version?: string;
  [key: string]: unknown;
}

/** Why events were dropped by the logger (they never reached the transport, or it gave up). */
export type DropReason =
  /** The queue held `maxQueue` events: the newest (the one being logged) is dropped. */
  | 'queue_full'
  /** Not an event (not an object, no model/id/features), or not serialisable as JSON. */
  | 'invalid'
  /** Every attempt to send the batch failed (timeouts, connection errors, 5xx/503). */
  | 'send_failed'
  /** The receiver refused the batch for good (an HTTP 4xx, an SQS sender fault). */
  | 'rejected'
  /** One event is larger than the transport can carry (an SQS message is at most 256 KiB). */
  | 'oversize'
  /** Logged after `close()`, or still queued when `close()` reached its deadline. */
  | 'closed';

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'invalid', 'send_failed', 'rejected', 'oversize', 'closed'];

export interface LoggerStats {
  /** Events waiting in the queue (not yet taken into a batch). */
  queued: number;
  /** Events the transport accepted (HTTP 202, XADD done, SQS message stored). */
  sent: number;
  /** Batches sent successfully. */
  batches: number;
  /** Send attempts that failed and were retried. */
  retries: number;
  dropped: Record<DropReason, number>;
  /** Events in the batch being sent (0 when none). */
  inFlight: number;
  /**
   * Of the events sent, those the collector answered as rejected (HTTP's `202 {"rejected": m}`):
   * quarantined there for a bad envelope or an unknown model. Queues cannot tell; always 0 for them.
   */
  rejectedByCollector: number;
  /** The last send or connection error, for logs and health checks. */
  lastError?: string;
}

/** What a transport may report about a batch it delivered only partly. */
export interface SendResult {
  /** Events it could not carry and will never carry, by reason (e.g. `oversize`). */
  dropped?: Partial<Record<DropReason, number>>;
  /** Events the receiver took but rejected (the collector's 202 answer counts them; they are quarantined there). */
  rejectedByReceiver?: number;
}

/**
 * A transport delivers one batch: NDJSON, one event per line, each line ending in `\n`. It rejects
 * to have the batch retried; a `TransportError` with `retryable: false` drops it as `rejected`.
 */
export interface Transport {
  send(body: string, signal: AbortSignal): Promise<SendResult | void>;
  /** The same body as UTF-8 bytes, when the transport writes bytes anyway (HTTP, Redis): the logger encodes it piecewise. */
  sendBytes?(body: Uint8Array, signal: AbortSignal): Promise<SendResult | void>;
  close?(): Promise<void>;
}

/** A custom transport: any object with `send(body)`; a rejection is retried like any failure. */
export interface CustomTransport {
  send(body: string, signal?: AbortSignal): Promise<unknown>;
  close?(): Promise<void>;
}

export interface HttpTransportOptions {
  type: 'http';
  /** The collector: `http://host:port` (POST goes to `/v1/events`) or the full `…/v1/events` URL. */
  url: string;
  headers?: Record<string, string>;
  /** Gzip the body (`Content-Encoding: gzip`). Default false: on a LAN the CPU costs more than the bytes. */
  gzip?: boolean;
}

/** The subset of an ioredis client the Redis transport uses (pass your own to share a connection). */
export interface RedisLikeClient {
  xadd(key: string, ...args: (string | number | Uint8Array)[]): Promise<unknown>;
  status?: string;
}

export interface RedisTransportOptions {
  type: 'redis';
  /** `redis://host:port/db`; ignored when `client` is given. */
  url?: string;
  /** An existing ioredis client; the logger never closes it. */
  client?: RedisLikeClient;
  /** Default `driftwatch:events`. */
  stream?: string;
  /** Approximate MAXLEN of the stream (`XADD … MAXLEN ~ n`). Default 1,000,000. */
  maxLen?: number;
}

export interface SqsTransportOptions {
  type: 'sqs';
  queueUrl: string;
  endpoint?: string;
  region?: string;
  /** `json` (AWS, default) or `query` (goaws and other emulators that speak only the query protocol). */
  protocol?: 'json' | 'query';
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** An existing SQSClient (`@aws-sdk/client-sqs`); the logger never destroys it. */
  client?: unknown;
  /** Largest message body in bytes. Default 256 KiB (the SQS limit, also per SendMessageBatch call). */
  maxMessageBytes?: number;
}

export type TransportOptions = HttpTransportOptions | RedisTransportOptions | SqsTransportOptions | CustomTransport;

export interface PredictionLoggerOptions {
  transport: TransportOptions;
  /** Events held in memory at most; when full the newest is dropped. Default 2,048. */
  maxQueue?: number;
  /** A batch is sent when this many events are queued… Default 512. */
  batchSize?: number;
  /** …or when the oldest queued event is this old (ms). Default 1,000. */
  flushIntervalMs?: number;
  /** Time limit of one send attempt (ms). Default 2,000. */
  timeoutMs?: number;
  /** Attempts after the first before a batch is dropped as `send_failed`. Default 3. */
  maxRetries?: number;
  /** First backoff (ms), doubled per attempt with jitter. Default 200. */
  retryBaseMs?: number;
  /** Longest wait between attempts (ms), also the cap on a server's Retry-After. Default 5,000. */
  maxRetryDelayMs?: number;
  /** How long `close()` waits for the queue to drain before dropping the rest as `closed` (ms). Default 10,000. */
  closeTimeoutMs?: number;
  /** Called (never awaited, errors swallowed) when events are dropped: for a log line or a metric. */
  onDrop?: (reason: DropReason, count: number) => void;
}

export interface PredictionLogger {
  /** Queue one event. Synchronous, O(1), never throws, never waits on I/O. */
  log(event: PredictionLogEvent | unknown): void;
  stats(): LoggerStats;
  /** Resolves when every event queued before the call is sent or dropped. */
  flush(): Promise<void>;
  /** Flush (up to `closeTimeoutMs`), then release the transport's connections. Later `log()` calls drop as `closed`. */
  close(): Promise<void>;
}

/**
 * A failed send; `retryable: false` drops the batch as `rejected`. `remaining`: the lines still to
 * send when part of the batch got through; `dropped`: events the transport will never carry.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: { retryAfterMs?: number; remaining?: string; dropped?: Partial<Record<DropReason, number>> } = {},
  ) {
    super(message);
  }
}
