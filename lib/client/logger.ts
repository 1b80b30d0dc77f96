import { RingBuffer } from './ring-buffer.js';
import { serializeEvent } from './serialize.js';
import { createTransport } from './transport.js';
import {
  DROP_REASONS,
  TransportError,
  type DropReason,
  type LoggerStats,
  type PredictionLogger,
  type PredictionLoggerOptions,
  type SendResult,
  type Transport,
} from './types.js';

export const LOGGER_DEFAULTS = {
  maxQueue: 2048,
  batchSize: 512,
  flushIntervalMs: 1000,
  timeoutMs: 2000,
  maxRetries: 3,
  retryBaseMs: 200,
  maxRetryDelayMs: 5000,
  closeTimeoutMs: 10_000,
} as const;

/**
 * Events serialised (and then encoded) between yields to the event loop: a 512-event batch is
 * ~200 KB, and stringifying, joining or UTF-8-encoding it in one go blocked requests for ~1 ms.
 */
const SERIALIZE_SLICE = 32;

/** The batch's parts as one UTF-8 buffer, a part (~12 KB) per event-loop turn. */
async function encodeParts(parts: string[]): Promise<Buffer> {
  const buffers: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) await yieldToLoop();
    buffers.push(Buffer.from(parts[i], 'utf8'));
  }
  return Buffer.concat(buffers);
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new RangeError(`createPredictionLogger: ${name} must be a number ≥ ${min}; got ${String(value)}`);
  return value;
}

/** O(1) check of the envelope: an object with a model, an id and a features object. Never serialises. */
function looksLikeEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const e = event as Record<string, unknown>;
  if (typeof e.model !== 'string' || e.model === '') return false;
  const id = e.id;
  if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))) return false;
  const features = e.features;
  return typeof features === 'object' && features !== null && !Array.isArray(features);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function countLines(body: string): number {
  let n = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) n++;
  return n;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

class Logger implements PredictionLogger {
  private readonly queue: RingBuffer<unknown>;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly dropped: Record<DropReason, number>;
  private sent = 0;
  private batches = 0;
  private retries = 0;
  private rejectedByCollector = 0;
  private inFlight = 0;
  private lastError: string | undefined;
  /** Events ever queued / taken out of the queue and then sent or dropped: flush() waits on these. */
  private enqueued = 0;
  private settled = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private kickPending = false;
  private pumping: Promise<void> | undefined;
  private current: AbortController | undefined;
  private closed = false;
  private closeDeadlineMs = Infinity;
  private closing: Promise<void> | undefined;
  private transport: Promise<Transport> | undefined;
  /** A ref'd timer while someone awaits flush()/close(): the awaited promise keeps the process up (everything else is unref'd). */
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private holds = 0;

  constructor(private readonly options: PredictionLoggerOptions) {
    if (!options || typeof options !== 'object' || !options.transport) throw new TypeError('createPredictionLogger: options.transport is required');
    const transport = options.transport as { type?: unknown; send?: unknown };
    if (typeof transport.send !== 'function' && !['http', 'redis', 'sqs'].includes(transport.type as string)) {
      throw new TypeError(`createPredictionLogger: transport.type must be 'http', 'redis' or 'sqs', or transport an object with send(body); got ${JSON.stringify(transport.type)}`);
    }
    this.queue = new RingBuffer(Math.floor(positive('maxQueue', options.maxQueue, LOGGER_DEFAULTS.maxQueue)));
    this.batchSize = Math.floor(positive('batchSize', options.batchSize, LOGGER_DEFAULTS.batchSize));
    this.flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs, LOGGER_DEFAULTS.flushIntervalMs, 0);
    this.timeoutMs = positive('timeoutMs', options.timeoutMs, LOGGER_DEFAULTS.timeoutMs);
    this.maxRetries = Math.floor(positive('maxRetries', options.maxRetries, LOGGER_DEFAULTS.maxRetries, 0));
    this.retryBaseMs = positive('retryBaseMs', options.retryBaseMs, LOGGER_DEFAULTS.retryBaseMs, 0);
    this.maxRetryDelayMs = positive('maxRetryDelayMs', options.maxRetryDelayMs, LOGGER_DEFAULTS.maxRetryDelayMs, 0);
    this.closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs, LOGGER_DEFAULTS.closeTimeoutMs, 0);
    this.dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  }

  log(event: unknown): void {
    try {
      if (this.closed) return this.drop('closed', 1);
      if (!looksLikeEvent(event)) return this.drop('invalid', 1);
      if (!this.queue.push(event, Date.now())) return this.drop('queue_full', 1);
      this.enqueued++;
      if (this.queue.size >= this.batchSize) this.kick();
      else if (this.timer === undefined) this.armTimer(this.flushIntervalMs);
    } catch {
      // A getter or Proxy that throws while the envelope is checked: the event is unusable.
      try {
        this.drop('invalid', 1);
      } catch {
        // never in the way of the prediction
      }
    }
  }

  stats(): LoggerStats {
    return {
      queued: this.queue.size,
      sent: this.sent,
      batches: this.batches,
      retries: this.retries,
      dropped: { ...this.dropped },
      inFlight: this.inFlight,
      rejectedByCollector: this.rejectedByCollector,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled >= target) return Promise.resolve();
    return this.held(
      new Promise<void>((resolve) => {
        this.waiters.push({ target, resolve });
        this.kick();
      }),
    );
  }

  close(): Promise<void> {
    this.closing ??= this.held(this.shutdown());
    return this.closing;
  }

  private async held<T>(promise: Promise<T>): Promise<T> {
    if (this.holds++ === 0) this.keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      return await promise;
    } finally {
      if (--this.holds === 0) clearInterval(this.keepAlive);
    }
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.closeDeadlineMs = Date.now() + this.closeTimeoutMs;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, this.closeTimeoutMs);
        deadline.unref();
      }),
    ]);
    clearTimeout(deadline);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.queue.shift(this.queue.size, () => undefined);
    if (left > 0) {
      this.drop('closed', left);
      this.settle(left);
    }
    // Past the deadline the batch in flight is abandoned (counted send_failed): close() returns with every event accounted for.
    this.current?.abort(new TransportError('closed before the send finished', true));
    await this.pumping;
    const transport = this.transport;
    this.transport = undefined;
    if (transport) {
      try {
        await (await transport).close?.();
      } catch (e) {
        this.lastError = `close: ${errorMessage(e)}`;
      }
    }
  }

  private drop(reason: DropReason, count: number): void {
    this.dropped[reason] += count;
    const onDrop = this.options.onDrop;
    if (onDrop) {
      try {
        onDrop(reason, count);
      } catch {
        // a failing callback must not fail log()
      }
    }
  }

  private settle(count: number): void {
    this.settled += count;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.target <= this.settled) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private armTimer(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, delayMs);
    this.timer.unref();
  }

  private kick(): void {
    if (this.kickPending || this.pumping !== undefined) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      void this.pump();
    }).unref();
  }

  private due(): boolean {
    const n = this.queue.size;
    if (n === 0) return false;
    if (n >= this.batchSize || this.waiters.length > 0 || this.closed) return true;
    return Date.now() - (this.queue.oldestMs ?? Infinity) >= this.flushIntervalMs;
  }

  private pump(): Promise<void> {
    if (this.pumping) return this.pumping;
    const run = this.pumpLoop().then(() => {
      this.pumping = undefined;
      const oldest = this.queue.oldestMs;
      if (oldest === undefined) return;
      if (this.due()) this.kick();
      else if (this.timer === undefined) this.armTimer(Math.max(0, oldest + this.flushIntervalMs - Date.now()));
    });
    this.pumping = run;
    return run;
  }

  private async pumpLoop(): Promise<void> {
    try {
      while (this.due()) await this.sendBatch();
    } catch (e) {
      this.lastError = `logger: ${errorMessage(e)}`;
    }
  }

  private getTransport(): Promise<Transport> {
    if (!this.transport) {
      const created = createTransport(this.options.transport, {
        timeoutMs: this.timeoutMs,
        onError: (message) => {
          this.lastError = message;
        },
      });
      created.catch(() => {
        if (this.transport === created) this.transport = undefined;
      });
      this.transport = created;
    }
    return this.transport;
  }

  /** One attempt, bounded by `timeoutMs` (and by close's deadline) even when a custom transport ignores the signal. */
  private async attempt(send: (transport: Transport, signal: AbortSignal) => Promise<SendResult | void>): Promise<SendResult | void> {
    const transport = await this.getTransport();
    const controller = new AbortController();
    this.current = controller;
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const timer = setTimeout(() => controller.abort(new TransportError(`send timed out after ${this.timeoutMs} ms`, true)), this.timeoutMs);
    timer.unref();
    try {
      return await Promise.race([send(transport, controller.signal), aborted]);
    } finally {
      clearTimeout(timer);
      this.current = undefined;
    }
  }

  private countDropped(dropped: Partial<Record<DropReason, number>> | undefined): number {
    let total = 0;
    for (const reason of DROP_REASONS) {
      const n = dropped?.[reason] ?? 0;
      if (n > 0) {
        this.drop(reason, n);
        total += n;
      }
    }
    return total;
  }

  /** Takes up to batchSize events and serialises them into NDJSON parts of SERIALIZE_SLICE events, yielding between parts. */
  private async takeBatch(): Promise<{ parts: string[]; count: number; taken: number }> {
    const raw: { event: unknown; ms: number }[] = [];
    const taken = this.queue.shift(this.batchSize, (event, ms) => raw.push({ event, ms }));
    this.inFlight = taken;
    const parts: string[] = [];
    let count = 0;
    let invalid = 0;
    for (let from = 0; from < raw.length; from += SERIALIZE_SLICE) {
      if (from > 0) await yieldToLoop();
      const lines: string[] = [];
      for (let i = from; i < Math.min(raw.length, from + SERIALIZE_SLICE); i++) {
        const line = serializeEvent(raw[i].event, raw[i].ms);
        if (line === undefined) invalid++;
        else lines.push(line);
      }
      if (lines.length > 0) parts.push(`${lines.join('\n')}\n`);
      count += lines.length;
    }
    if (invalid > 0) this.drop('invalid', invalid);
    this.inFlight = count;
    return { parts, count, taken };
  }

  private async sendBatch(): Promise<void> {
    const { parts, count: serialised, taken } = await this.takeBatch();
    try {
      if (serialised === 0) return;
      let count = serialised;
      // Byte transports (HTTP, Redis) get the parts encoded piecewise; the others one string, also what remains after a partial send.
      let body: string | undefined;
      let bytes: Buffer | undefined;
      const send = async (transport: Transport, signal: AbortSignal): Promise<SendResult | void> => {
        if (transport.sendBytes && body === undefined) return transport.sendBytes((bytes ??= await encodeParts(parts)), signal);
        return transport.send((body ??= parts.join('')), signal);
      };
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await this.attempt(send);
          const lost = this.countDropped(result ? result.dropped : undefined);
          this.sent += count - lost;
          this.rejectedByCollector += result?.rejectedByReceiver ?? 0;
          this.batches++;
          return;
        } catch (e) {
          this.lastError = errorMessage(e);
          const error = e instanceof TransportError ? e : undefined;
          let lost = this.countDropped(error?.options.dropped);
          if (error?.options.remaining !== undefined) {
            const left = countLines(error.options.remaining);
            this.sent += Math.max(0, count - left - lost);
            lost = 0;
            body = error.options.remaining;
            count = left;
          }
          count -= lost;
          this.inFlight = count;
          if (count <= 0) return;
          if (error && !error.retryable) return this.drop('rejected', count);
          const now = Date.now();
          if (attempt >= this.maxRetries || now >= this.closeDeadlineMs) return this.drop('send_failed', count);
          this.retries++;
          const backoff = this.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2);
          const wait = Math.min(this.maxRetryDelayMs, error?.options.retryAfterMs ?? backoff, Math.max(0, this.closeDeadlineMs - now));
          await sleep(wait);
        }
      }
    } finally {
      this.inFlight = 0;
      this.settle(taken);
    }
  }
}

/**
 * A prediction logger that never gets in the way of the prediction: `log()` only checks the
 * envelope and pushes onto a bounded queue; a background loop serialises, batches and sends.
 */
export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  return new Logger(options);
}
