import { listModels } from '../profile/model-store';
import { timeLimits, type TimeLimitSettings } from '../profile/time-limits';
import type { Storage } from '../storage/storage';
import { dayBatches, idsKey, rawBatchKey } from './batch-writer';
import { MetricsRegistry } from './metrics';
import { quarantineLine, quarantineObject } from './quarantine-writer';
import { withRetry } from './retry';
import { Spool, type SpoolRecord } from './spool';
import { BackpressureError, DEFAULT_DUMP_LIMITS, type AcceptOptions, type AcceptResult, type CollectorMetrics, type DumpLimits, type Intake } from './types';
import { validateLine } from './validate';

export interface IntakeOptions {
  storage: Storage;
  limits?: Partial<DumpLimits>;
  /** Directory of the local spool (`durability: 'spool'`); without it such messages resolve only once written to the store. */
  spoolDir?: string;
  spoolMaxBytes?: number;
  /** Spool segment size (default 64 MiB). */
  spoolSegmentBytes?: number;
  /** Bytes of events held in memory (buffered and being written) before `accept` refuses (default 256 MiB). */
  maxBufferedBytes?: number;
  /** How often the store's models are listed again (default 10 s). */
  modelsRefreshMs?: number;
  /** An event naming a model not in the known set lists the models again first, at most this often (default 1 s). */
  modelsOnDemandMs?: number;
  /** Store write backoff (default 100 ms doubling to 10 s, full jitter). */
  retry?: { baseMs?: number; capMs?: number };
  /** Store writes in flight across models (default 4). */
  writeConcurrency?: number;
  /**
   * Quarantine events whose time is implausible (as `ingest` does with config `ingest.earliest` and
   * `ingest.max_future_skew`), judged against `now()` at each message. Default: only the range of dates.
   */
  timeLimits?: TimeLimitSettings;
  now?: () => number;
  log?: (line: string) => void;
  metrics?: CollectorMetrics;
}

export interface IntakeHealth {
  status: 'ok' | 'failing';
  lastError?: string;
  lastWriteMs?: number;
}

export interface CollectorIntake extends Intake {
  /**
   * List the models (retrying until one listing succeeds, or `signal` / close aborts), open the spool
   * and replay what a previous run left in it. Until the first listing succeeded, accept refuses
   * (BackpressureError 'starting').
   */
  start(options?: { signal?: AbortSignal }): Promise<void>;
  /** Dump every buffer now and wait until everything buffered is written. */
  flush(): Promise<void>;
  /** Flush, stop timers, release the spool. With `timeoutMs`, rejects when writes are still failing by then (the data stays in the spool / unacknowledged). */
  close(options?: { timeoutMs?: number }): Promise<void>;
  health(): IntakeHealth;
  /** The spool, when there is one (tests, metrics). */
  readonly spool: Spool | undefined;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 256 << 20;
const BUFFER_RETRY_AFTER_SECONDS = 1;

/** A message still owed writes: `onDurable` and the spool release happen when `pending` reaches 0. */
interface Message {
  pending: number;
  onDurable?: () => void;
  record?: SpoolRecord;
  done: boolean;
}

interface Rows {
  lines: string[];
  ids: string[];
  ms: number[];
  msgs: Message[];
  bytes: number;
}

interface ModelBuffer extends Rows {
  model: string;
  seen: Set<string>;
  firstAtMs: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface QuarantineBuffer {
  model: string | undefined;
  source: string;
  entries: string[];
  msgs: Message[];
  bytes: number;
  timer?: ReturnType<typeof setTimeout>;
}

const emptyRows = (): Rows => ({ lines: [], ids: [], ms: [], msgs: [], bytes: 0 });

/** Split a message into lines (1-based numbers), skipping blank ones; a trailing `\r` is dropped. */
function* linesOf(body: Uint8Array): Generator<{ number: number; bytes: Uint8Array }> {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.length);
  let start = 0;
  let number = 0;
  while (start <= buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end < 0) end = buffer.length;
    number++;
    let stop = end;
    if (stop > start && buffer[stop - 1] === 0x0d) stop--;
    const line = buffer.subarray(start, stop);
    if (!isBlank(line)) yield { number, bytes: line };
    start = end + 1;
  }
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** At most `limit` tasks at once. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * The collector's intake: validates messages, quarantines bad events, buffers good ones per model
 * and writes them as raw batches (dump at maxEvents / maxBytes / maxAgeMs, whichever first). A
 * message is acknowledged (`onDurable`, spool release) only once all it held is written.
 */
export function createIntake(options: IntakeOptions): CollectorIntake {
  const { storage } = options;
  const limits: DumpLimits = { ...DEFAULT_DUMP_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const metrics = options.metrics ?? new MetricsRegistry();
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const gate = new Gate(options.writeConcurrency ?? 4);
  const abort = new AbortController();
  const buffers = new Map<string, ModelBuffer>();
  const quarantines = new Map<string, QuarantineBuffer>();
  /** Per lane (a model, or a quarantine destination): the last write, so one lane writes in order. */
  const lanes = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const roomWaiters = new Set<() => void>();
  let knownModels = new Set<string>();
  let spool: Spool | undefined;
  let started = false;
  let closing = false;
  /** Aborted by close(): a start() still retrying the first model listing gives up. */
  const startAbort = new AbortController();
  let lastListingMs = Number.NEGATIVE_INFINITY;
  let listing: Promise<void> | undefined;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** Bytes held in memory: buffered plus being written. */
  let heldBytes = 0;
  let heldEvents = 0;
  let failing = false;
  let lastError: string | undefined;
  let lastWriteMs: number | undefined;

  const isFull = (): boolean => heldBytes >= maxBufferedBytes || (spool?.full ?? false);

  /** Something was freed (memory or spool): waiters check their bound again. */
  const notifyRoom = (): void => {
    refreshGauges();
    for (const wake of [...roomWaiters]) wake();
  };

  const nextRoomChange = (signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const wake = (): void => {
        roomWaiters.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      roomWaiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });

  const refreshGauges = (): void => {
    metrics.set('buffered_events', heldEvents);
    metrics.set('buffered_bytes', heldBytes);
    let oldest: number | undefined;
    for (const b of buffers.values()) if (b.lines.length > 0 && (oldest === undefined || b.firstAtMs < oldest)) oldest = b.firstAtMs;
    metrics.set('oldest_buffered_age_seconds', oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000));
    if (spool) {
      metrics.set('spool_bytes', spool.bytes);
      metrics.set('spool_segments', spool.segmentCount);
    }
  };
  if (metrics instanceof MetricsRegistry) metrics.beforeRender = refreshGauges;

  const settle = (msg: Message, by: number): void => {
    msg.pending -= by;
    if (msg.pending > 0 || msg.done) return;
    msg.done = true;
    if (msg.record) spool?.release(msg.record);
    try {
      msg.onDurable?.();
    } catch (error) {
      log(`collector: onDurable failed: ${(error as Error).message}`);
    }
  };

  /** Run one store operation with retry (forever, until close gives up); `failing` while it fails. */
  const retrying = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
    const value = await withRetry(operation, {
      ...options.retry,
      signal: abort.signal,
      onRetry: (attempt, error, delayMs) => {
        failing = true;
        lastError = `${what}: ${(error as Error).message}`;
        metrics.inc('write_failures_total');
        metrics.inc('write_retries_total');
        log(`collector: store ${what} failed (attempt ${attempt}), retrying in ${delayMs} ms: ${lastError}`);
      },
    });
    failing = false;
    return value;
  };

  const writeObject = async (object: { key: string; data: Uint8Array | string }): Promise<void> => {
    await retrying(object.key, () => storage.write(object.key, object.data));
    lastWriteMs = now();
    metrics.inc('bytes_written_total', undefined, typeof object.data === 'string' ? Buffer.byteLength(object.data) : object.data.length);
  };

  /** Queue a write on a lane (in order within the lane, at most `writeConcurrency` across lanes). */
  const enqueue = (lane: string, write: () => Promise<void>): void => {
    const previous = lanes.get(lane) ?? Promise.resolve();
    const notClosed = (): void => {
      if (abort.signal.aborted) throw new Error('the intake was closed before this write');
    };
    const next = previous
      .then(() => {
        notClosed();
        return gate.run(() => {
          notClosed();
          return write();
        });
      })
      .catch((error: unknown) => {
      log(`collector: write given up: ${(error as Error).message}`);
    });
    lanes.set(lane, next);
    inFlight.add(next);
    void next.finally(() => {
      inFlight.delete(next);
      if (lanes.get(lane) === next) lanes.delete(lane);
    });
  };

  const dumpQuarantine = (key: string): void => {
    const q = quarantines.get(key);
    if (!q || q.entries.length === 0) return;
    quarantines.delete(key);
    if (q.timer) clearTimeout(q.timer);
    const object = quarantineObject(q.model, q.source, q.entries, now());
    enqueue(`q:${key}`, async () => {
      await writeObject(object);
      heldBytes -= q.bytes;
      for (const msg of q.msgs) settle(msg, 1);
      notifyRoom();
    });
  };

  const dumpModel = (buffer: ModelBuffer): void => {
    if (buffer.timer) clearTimeout(buffer.timer);
    buffer.timer = undefined;
    for (const [key, q] of quarantines) if (q.model === buffer.model) dumpQuarantine(key);
    if (buffer.lines.length === 0) return;
    const rows: Rows = { lines: buffer.lines, ids: buffer.ids, ms: buffer.ms, msgs: buffer.msgs, bytes: buffer.bytes };
    Object.assign(buffer, emptyRows());
    buffer.seen = new Set();
    const model = buffer.model;
    enqueue(`m:${model}`, async () => {
      for (const batch of dayBatches(rows.lines, rows.ids, rows.ms)) {
        const target = await retrying('read', () => rawBatchKey(model, batch, (key) => storage.read(key)));
        if (!target.written) await writeObject({ key: target.key, data: batch.raw });
        await writeObject({ key: idsKey(model, batch.day, target.batchId), data: batch.ids });
        metrics.inc('batches_written_total');
      }
      metrics.inc('events_written_total', { model }, rows.lines.length);
      heldBytes -= rows.bytes;
      heldEvents -= rows.lines.length;
      for (const msg of rows.msgs) settle(msg, 1);
      notifyRoom();
    });
  };

  const ageTimer = (delayMs: number, fire: () => void): ReturnType<typeof setTimeout> => {
    const timer = setTimeout(fire, Math.max(0, delayMs));
    timer.unref?.();
    return timer;
  };

  const onModelTimer = (buffer: ModelBuffer): void => {
    buffer.timer = undefined;
    if (buffer.lines.length === 0) return;
    const age = now() - buffer.firstAtMs;
    if (age >= limits.maxAgeMs) dumpModel(buffer);
    else buffer.timer = ageTimer(limits.maxAgeMs - age, () => onModelTimer(buffer));
  };

  const addEvent = (model: string, id: string, ms: number, text: string, msg: Message): boolean => {
    let buffer = buffers.get(model);
    if (!buffer) buffers.set(model, (buffer = { model, ...emptyRows(), seen: new Set(), firstAtMs: 0 }));
    if (buffer.seen.has(id)) return false;
    const size = Buffer.byteLength(text) + 1;
    if (buffer.lines.length > 0 && buffer.bytes + size > limits.maxBytes) dumpModel(buffer);
    if (buffer.lines.length === 0) {
      buffer.firstAtMs = now();
      buffer.timer = ageTimer(limits.maxAgeMs, () => onModelTimer(buffer));
    }
    buffer.lines.push(text);
    buffer.ids.push(id);
    buffer.ms.push(ms);
    buffer.msgs.push(msg);
    buffer.seen.add(id);
    buffer.bytes += size;
    heldBytes += size;
    heldEvents++;
    msg.pending++;
    if (buffer.lines.length >= limits.maxEvents || buffer.bytes >= limits.maxBytes) dumpModel(buffer);
    return true;
  };

  const addRejected = (model: string | undefined, source: string, entry: string, msg: Message): void => {
    const key = `${model ?? ''}\n${source}`;
    let q = quarantines.get(key);
    if (!q) {
      quarantines.set(key, (q = { model, source, entries: [], msgs: [], bytes: 0 }));
      q.timer = ageTimer(limits.maxAgeMs, () => dumpQuarantine(key));
    }
    q.entries.push(entry);
    q.msgs.push(msg);
    q.bytes += entry.length;
    heldBytes += entry.length;
    msg.pending++;
    if (q.bytes >= limits.maxBytes) dumpQuarantine(key);
  };

  /**
   * Validate and buffer a message. Lines naming a model not (yet) known are held back: the models are
   * listed again (at most every `modelsOnDemandMs`) before they are judged, so a model created seconds
   * ago is not quarantined as unknown. `msg` holds one pending count for the caller throughout, so no
   * write can settle it half-way.
   */
  const take = async (body: Uint8Array, source: string, msg: Message): Promise<AcceptResult> => {
    const result: AcceptResult = { accepted: 0, rejected: 0, reasons: {}, duplicates: 0 };
    let received = 0;
    const validation = options.timeLimits ? { limits: timeLimits(options.timeLimits, now()) } : {};
    const unknown: { number: number; bytes: Uint8Array }[] = [];
    const judge = (line: { number: number; bytes: Uint8Array }, v: ReturnType<typeof validateLine>): void => {
      if (v.ok) {
        result.accepted++;
        if (!addEvent(v.model, v.id, v.ms, v.text, msg)) result.duplicates++;
      } else {
        result.rejected++;
        result.reasons[v.reason] = (result.reasons[v.reason] ?? 0) + 1;
        addRejected(v.model, source, quarantineLine(line.number, v.reason, v.detail, line.bytes), msg);
      }
    };
    for (const line of linesOf(body)) {
      received++;
      const v = validateLine(line.bytes, knownModels, validation);
      if (!v.ok && v.reason === 'unknown_model') unknown.push(line);
      else judge(line, v);
    }
    if (unknown.length > 0) {
      await refreshOnDemand();
      for (const line of unknown) judge(line, validateLine(line.bytes, knownModels, validation));
    }
    if (received > 0) metrics.inc('events_received_total', { source }, received);
    if (result.duplicates > 0) metrics.inc('events_duplicate_total', undefined, result.duplicates);
    for (const [reason, n] of Object.entries(result.reasons)) metrics.inc('events_quarantined_total', { reason }, n);
    return result;
  };

  /** List the store's models; a failure keeps the previous set (and is logged). */
  const refreshModels = (): Promise<void> => {
    listing ??= (async () => {
      lastListingMs = now(); // the on-demand rate limit counts attempts, failed ones too
      try {
        knownModels = new Set(await listModels(storage));
      } catch (error) {
        log(`collector: cannot list the store's models (keeping the ${knownModels.size} known): ${(error as Error).message}`);
      } finally {
        listing = undefined;
      }
    })();
    return listing;
  };

  /** Before an event is judged `unknown_model`: list again, unless a listing is under way (await it) or was just done. */
  const refreshOnDemand = async (): Promise<void> => {
    if (listing) return listing;
    if (now() - lastListingMs < (options.modelsOnDemandMs ?? 1_000)) return;
    await refreshModels();
  };

  /** The first listing: retried (backoff) until it succeeds or start's signal / close aborts. */
  const firstListing = async (signal: AbortSignal): Promise<void> => {
    knownModels = new Set(
      await withRetry(() => listModels(storage), {
        ...options.retry,
        signal,
        onRetry: (attempt, error, delayMs) => {
          failing = true;
          lastError = `listing the models: ${(error as Error).message}`;
          log(`collector: cannot list the store's models at start (attempt ${attempt}), retrying in ${delayMs} ms: ${(error as Error).message}`);
        },
      }),
    );
    failing = false;
    lastListingMs = now();
  };

  const accept = async (body: Uint8Array, accepted: AcceptOptions): Promise<AcceptResult> => {
    if (!started) throw new BackpressureError('collector is starting', BUFFER_RETRY_AFTER_SECONDS);
    if (closing) throw new BackpressureError('collector is shutting down', BUFFER_RETRY_AFTER_SECONDS);
    if (accepted.durability !== 'recovered' && isFull()) {
      metrics.inc('backpressure_total');
      const spoolFull = spool?.full ?? false;
      throw new BackpressureError(spoolFull ? 'collector spool is full' : `collector buffer is full (${heldBytes} bytes held)`, spoolFull ? 5 : BUFFER_RETRY_AFTER_SECONDS);
    }
    const msg: Message = { pending: 1, onDurable: accepted.onDurable, done: false };
    let durable: Promise<void> | undefined;
    if (accepted.durability === 'spool') {
      if (spool) {
        try {
          msg.record = await spool.append(body);
        } catch (error) {
          if (error instanceof BackpressureError) metrics.inc('backpressure_total');
          throw error;
        }
      } else {
        // No spool: the answer waits until the store has everything, so it still means "durable".
        durable = new Promise<void>((resolve, reject) => {
          const onDurable = accepted.onDurable;
          const gaveUp = (): void => reject(new Error('collector closed before the message was written'));
          abort.signal.addEventListener('abort', gaveUp, { once: true });
          msg.onDurable = () => {
            abort.signal.removeEventListener('abort', gaveUp);
            onDurable?.();
            resolve();
          };
        });
      }
    }
    const result = await take(body, accepted.source, msg);
    settle(msg, 1);
    if (durable) await durable;
    return result;
  };

  const flush = async (): Promise<void> => {
    for (const buffer of buffers.values()) dumpModel(buffer);
    for (const key of [...quarantines.keys()]) dumpQuarantine(key);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };

  const intake: CollectorIntake = {
    accept,
    get full() {
      return isFull();
    },
    async waitForRoom(signal?: AbortSignal): Promise<void> {
      while (isFull() && !signal?.aborted) await nextRoomChange(signal);
    },
    metrics,
    get spool() {
      return spool;
    },
    async start(startOptions = {}) {
      if (started) return;
      const signal = startOptions.signal ? AbortSignal.any([startOptions.signal, startAbort.signal]) : startAbort.signal;
      // Nothing is taken (no spool replay, no accept) before one listing succeeded: with an empty set
      // every event would be quarantined as an unknown model.
      await firstListing(signal);
      refreshTimer = setInterval(() => void refreshModels(), options.modelsRefreshMs ?? 10_000);
      refreshTimer.unref?.();
      if (options.spoolDir !== undefined) {
        spool = await Spool.open({ dir: options.spoolDir, maxBytes: options.spoolMaxBytes, segmentBytes: options.spoolSegmentBytes, onFree: notifyRoom });
      }
      started = true;
      if (spool) {
        let recovered = 0;
        for await (const { body, record } of spool.recover()) {
          // Only the memory bound: the spool frees room once these very records are written.
          while (heldBytes >= maxBufferedBytes) await nextRoomChange();
          const msg: Message = { pending: 1, record, done: false };
          await take(body, 'spool', msg);
          settle(msg, 1);
          recovered++;
        }
        if (recovered > 0) log(`collector: replayed ${recovered} message(s) from the spool ${options.spoolDir}`);
      }
    },
    flush,
    async close(closeOptions = {}) {
      closing = true;
      startAbort.abort();
      if (refreshTimer) clearInterval(refreshTimer);
      const flushed = flush();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = closeOptions.timeoutMs === undefined ? undefined : new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), closeOptions.timeoutMs)));
      const outcome = await (timedOut ? Promise.race([flushed.then(() => 'done' as const), timedOut]) : flushed.then(() => 'done' as const));
      if (timer) clearTimeout(timer);
      for (const b of buffers.values()) if (b.timer) clearTimeout(b.timer);
      for (const q of quarantines.values()) if (q.timer) clearTimeout(q.timer);
      if (outcome === 'timeout') {
        const events = heldEvents;
        abort.abort();
        await Promise.allSettled([...inFlight]);
        await spool?.close();
        throw new Error(`collector: ${events} event(s) still not written to ${storage.url} after ${closeOptions.timeoutMs} ms (${lastError ?? 'writes pending'}); they stay ${spool ? `in the spool ${options.spoolDir}` : 'unacknowledged'} for the next run`);
      }
      await spool?.close();
    },
    health() {
      const h: IntakeHealth = { status: failing ? 'failing' : 'ok' };
      if (failing && lastError !== undefined) h.lastError = lastError;
      if (lastWriteMs !== undefined) h.lastWriteMs = lastWriteMs;
      return h;
    },
  };
  return intake;
}
