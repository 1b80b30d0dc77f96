/**
 * The collector's contracts (issue #14): sources (HTTP, Redis Streams, SQS) hand raw bytes to the
 * intake; the intake validates, quarantines the bad, buffers the good per model and writes batch
 * files to the store's raw area; a source acknowledges its messages only once everything they held
 * is durably written (accepted events in a raw batch, rejected ones in a quarantine file).
 *
 * Layering: lib/collector is an adapter (it imports lib/format, lib/storage, lib/profile; nothing
 * below imports it). lib/client must never import it.
 */

/** Dump limits: a model's buffer is written when it reaches any of them, whichever comes first. */
export interface DumpLimits {
  /** Events in one batch (exact: a batch never holds more). Default 10,000. */
  maxEvents: number;
  /** Bytes of normalised NDJSON in one batch (before gzip; exact: never more, unless one event alone is larger). Default 8 MiB. */
  maxBytes: number;
  /** Age of the oldest buffered event of the model (ms). Default 60,000. */
  maxAgeMs: number;
}

export const DEFAULT_DUMP_LIMITS: DumpLimits = { maxEvents: 10_000, maxBytes: 8 << 20, maxAgeMs: 60_000 };

/** Events larger than this (bytes of their JSON line) are quarantined as oversized. */
export const MAX_EVENT_BYTES = 1 << 20;
/** Objects/arrays nested deeper than this are quarantined (the event itself is depth 1). */
export const MAX_EVENT_DEPTH = 32;

/** Why an event was rejected: the reason's machine-readable class (metrics label, HTTP answer). */
export type RejectReason =
  | 'malformed_json'
  | 'invalid_utf8'
  | 'unknown_model'
  | 'invalid_event' // wrong types in the envelope (id, ts, model, features not an object, score not a number/null), NaN/Infinity in the envelope
  | 'oversize'
  | 'too_deep';

/** The answer to one accepted message (HTTP answers `{"accepted": n, "rejected": m, "reasons": {...}}`). */
export interface AcceptResult {
  accepted: number;
  rejected: number;
  /** Rejected events by reason class. */
  reasons: Partial<Record<RejectReason, number>>;
  /** Events dropped as duplicates of an event id already buffered (counted as accepted: they are stored once). */
  duplicates: number;
}

/**
 * How a message becomes durable:
 * - `spool`: the intake appends the body to its local spool and fsyncs before `accept` resolves
 *   (HTTP: answer 202 only after that). Spool segments are deleted once everything in them is written.
 * - `queue`: the queue keeps the message until acked; `accept` resolves once it is buffered and
 *   `onDurable` is called when everything in it is written to the store (then XACK / DeleteMessage).
 * - `recovered`: replayed from the spool at start-up (already on disk).
 */
export type Durability = 'spool' | 'queue' | 'recovered';

export interface AcceptOptions {
  /** Source name for metrics and quarantine headers: `http`, `redis`, `sqs`, `test`. */
  source: string;
  durability: Durability;
  /**
   * Called exactly once when every accepted event of this message is in a written raw batch and
   * every rejected one in a written quarantine file (immediately when the message held nothing to
   * write). Never called for a message whose data was not written (crash, shutdown timeout).
   */
  onDurable?: () => void;
}

/** Thrown by `accept` when the spool or the in-memory buffer is over its bound (HTTP: 503 + Retry-After). */
export class BackpressureError extends Error {
  override readonly name = 'BackpressureError';
  constructor(
    message: string,
    /** Seconds a client should wait before retrying. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The intake, as sources see it. */
export interface Intake {
  /**
   * Validate one message (one or more NDJSON events, `\n`-separated; blank lines ignored), quarantine
   * the bad, buffer the good. Resolves with the counts once the message is durable per its
   * `durability`. Rejects with BackpressureError when full (nothing of the message was taken).
   */
  accept(body: Uint8Array, options: AcceptOptions): Promise<AcceptResult>;
  /** True while the intake is over a bound: queue sources stop polling until `waitForRoom` resolves. */
  readonly full: boolean;
  waitForRoom(signal?: AbortSignal): Promise<void>;
  /** Add a counter/gauge sample to /metrics (sources report queue lag, dead letters, redeliveries). */
  readonly metrics: CollectorMetrics;
}

/** Prometheus-style registry (text format 0.0.4). Names are prefixed `driftwatch_collector_`. */
export interface CollectorMetrics {
  inc(name: string, labels?: Record<string, string>, by?: number): void;
  set(name: string, value: number, labels?: Record<string, string>): void;
  /** The exposition text: `# HELP`, `# TYPE` and samples for every metric. */
  render(): string;
}

/** A source of messages. `start` resolves once it is consuming; `stop` stops taking new messages (in-flight ones finish). */
export interface Source {
  readonly name: string;
  start(intake: Intake): Promise<void>;
  stop(): Promise<void>;
  /**
   * Release connections now, without waiting for acks: after a shutdown that gave up (held messages
   * stay unacknowledged and are delivered again), or after a normal one once acks are flushed. Optional.
   */
  close?(): Promise<void>;
  /** Refresh source gauges (queue lag) before /metrics renders; optional. */
  refreshMetrics?(metrics: CollectorMetrics): Promise<void>;
}
