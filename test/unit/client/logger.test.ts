import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createPredictionLogger, TransportError, type PredictionLoggerOptions } from '@/lib/client';

/** A transport that records every body and answers as the test says (default: at once). */
function memoryTransport() {
  const bodies: string[] = [];
  const pending: { body: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let mode: 'ok' | 'hold' | ((body: string, attempt: number) => Promise<void>) = 'ok';
  let attempts = 0;
  const transport = {
    closed: 0,
    async send(body: string): Promise<void> {
      attempts++;
      if (mode === 'ok') {
        bodies.push(body);
        return;
      }
      if (mode === 'hold') {
        await new Promise<void>((resolve, reject) => pending.push({ body, resolve, reject }));
        bodies.push(body);
        return;
      }
      await mode(body, attempts);
      bodies.push(body);
    },
    async close(): Promise<void> {
      transport.closed++;
    },
  };
  return {
    transport,
    bodies,
    pending,
    set mode(m: typeof mode) {
      mode = m;
    },
    get attempts() {
      return attempts;
    },
    ids: () => bodies.flatMap((b) => b.trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)),
    sizes: () => bodies.map((b) => b.trimEnd().split('\n').length),
  };
}

/** Fake timers hold the sender's setImmediate/setTimeout: advance them until the promise settles. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  for (let i = 0; i < 10_000 && !done; i++) await vi.advanceTimersByTimeAsync(10);
  return watched;
}

const event = (i: number) => ({ model: 'm', id: `e${i}`, ts: '2026-12-07T10:00:00.000Z', features: { a: i } });

describe('createPredictionLogger', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 7, 12) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (mem: ReturnType<typeof memoryTransport>, options: Partial<PredictionLoggerOptions> = {}) =>
    createPredictionLogger({ transport: mem.transport, retryBaseMs: 10, ...options });

  it('queues at most maxQueue events and drops the newest, counting queue_full', async () => {
    const mem = memoryTransport();
    mem.mode = 'hold';
    const logger = make(mem, { maxQueue: 100, batchSize: 10 });
    for (let i = 0; i < 150; i++) logger.log(event(i));
    expect(logger.stats()).toMatchObject({ queued: 100, dropped: { queue_full: 50 }, inFlight: 0 });
    await vi.advanceTimersByTimeAsync(0);
    // One batch in flight, the rest waits; the queue takes events again up to its bound.
    expect(logger.stats()).toMatchObject({ queued: 90, inFlight: 10 });
    for (let i = 150; i < 170; i++) logger.log(event(i));
    expect(logger.stats()).toMatchObject({ queued: 100, dropped: { queue_full: 60 } });
    mem.mode = 'ok';
    mem.pending.splice(0).forEach((p) => p.resolve());
    await drive(logger.flush());
    const expected = [...Array.from({ length: 100 }, (_, i) => `e${i}`), ...Array.from({ length: 10 }, (_, i) => `e${150 + i}`)];
    expect(mem.ids()).toEqual(expected);
    expect(logger.stats()).toMatchObject({ queued: 0, sent: 110, inFlight: 0 });
  });

  it('sends a batch when batchSize events are queued, the rest when the oldest is flushIntervalMs old', async () => {
    const mem = memoryTransport();
    const logger = make(mem, { batchSize: 10, flushIntervalMs: 1000 });
    for (let i = 0; i < 25; i++) logger.log(event(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(mem.sizes()).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(998);
    expect(mem.sizes()).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(2);
    expect(mem.sizes()).toEqual([10, 10, 5]);
    expect(logger.stats()).toMatchObject({ sent: 25, batches: 3, queued: 0 });
  });

  it('waits flushIntervalMs from the oldest queued event, not from the last send', async () => {
    const mem = memoryTransport();
    const logger = make(mem, { batchSize: 100, flushIntervalMs: 1000 });
    logger.log(event(1));
    await vi.advanceTimersByTimeAsync(600);
    logger.log(event(2));
    await vi.advanceTimersByTimeAsync(399);
    expect(mem.sizes()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(mem.sizes()).toEqual([2]);
    logger.log(event(3));
    await vi.advanceTimersByTimeAsync(999);
    expect(mem.sizes()).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(mem.sizes()).toEqual([2, 1]);
  });

  it('counts invalid input without throwing: non-objects, missing fields, throwing getters, cycles', async () => {
    const mem = memoryTransport();
    const logger = make(mem);
    const cyclic: Record<string, unknown> = { model: 'm', id: 'c', features: {} };
    (cyclic.features as Record<string, unknown>).self = cyclic;
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    const inputs: unknown[] = [null, undefined, 1, 'x', [], { model: 'm' }, { model: 'm', id: '', features: {} }, { model: 'm', id: 'a', features: [] }, { model: 1, id: 'a', features: {} }, hostile, cyclic];
    for (const input of inputs) expect(() => logger.log(input)).not.toThrow();
    // Only the cycle passes the envelope check; it fails when the sender serialises it.
    expect(logger.stats()).toMatchObject({ queued: 1, dropped: { invalid: 10 } });
    logger.log({ model: 'm', id: 7, features: { big: 10n } });
    await drive(logger.flush());
    expect(logger.stats()).toMatchObject({ sent: 1, dropped: { invalid: 11 } });
    expect(mem.bodies).toEqual(['{"model":"m","id":7,"features":{"big":10},"ts":"2026-12-07T12:00:00.000Z"}\n']);
  });

  it('never throws for any value (property)', async () => {
    const mem = memoryTransport();
    const logger = make(mem, { maxQueue: 64, batchSize: 16 });
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }), (value) => {
        logger.log(value);
        logger.log({ model: 'm', id: 'x', features: value });
      }),
      { numRuns: 500 },
    );
    await drive(logger.flush());
    const s = logger.stats();
    expect(s.sent + s.dropped.invalid + s.dropped.queue_full).toBe(1000);
  });

  it('fills ts with the time of log() and writes non-finite numbers as strings', async () => {
    const mem = memoryTransport();
    const logger = make(mem);
    logger.log({ model: 'm', id: 'a', features: { x: NaN, y: Infinity, z: -Infinity, w: 1.5 }, score: NaN });
    await vi.advanceTimersByTimeAsync(5000);
    expect(JSON.parse(mem.bodies[0])).toEqual({ model: 'm', id: 'a', features: { x: 'NaN', y: 'Infinity', z: '-Infinity', w: 1.5 }, score: 'NaN', ts: '2026-12-07T12:00:00.000Z' });
  });

  it('retries a failing batch with backoff, then drops it as send_failed', async () => {
    const mem = memoryTransport();
    mem.mode = async () => {
      throw new Error('connection refused');
    };
    const logger = make(mem, { maxRetries: 2, retryBaseMs: 100, batchSize: 5 });
    for (let i = 0; i < 5; i++) logger.log(event(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(mem.attempts).toBe(1);
    expect(logger.stats().inFlight).toBe(5);
    await vi.advanceTimersByTimeAsync(49);
    expect(mem.attempts).toBe(1); // the first backoff is at least half of retryBaseMs
    await vi.advanceTimersByTimeAsync(1000);
    expect(mem.attempts).toBe(3);
    expect(logger.stats()).toMatchObject({ sent: 0, retries: 2, inFlight: 0, dropped: { send_failed: 5 }, lastError: 'connection refused' });
  });

  it('delivers after transient failures and drops a refused batch as rejected without retrying', async () => {
    const mem = memoryTransport();
    mem.mode = async (_body, attempt) => {
      if (attempt <= 2) throw new Error('reset');
    };
    const logger = make(mem, { batchSize: 3 });
    for (let i = 0; i < 3; i++) logger.log(event(i));
    await vi.advanceTimersByTimeAsync(1000);
    expect(logger.stats()).toMatchObject({ sent: 3, retries: 2, dropped: { send_failed: 0 } });
    mem.mode = async () => {
      throw new TransportError('collector answered 400', false);
    };
    for (let i = 0; i < 3; i++) logger.log(event(i));
    await vi.advanceTimersByTimeAsync(1000);
    expect(mem.attempts).toBe(4);
    expect(logger.stats()).toMatchObject({ sent: 3, retries: 2, dropped: { rejected: 3 } });
  });

  it('waits a Retry-After, capped by maxRetryDelayMs', async () => {
    const mem = memoryTransport();
    mem.mode = async (_b, attempt) => {
      if (attempt === 1) throw new TransportError('collector answered 503', true, { retryAfterMs: 60_000 });
    };
    const logger = make(mem, { batchSize: 1, maxRetryDelayMs: 3000 });
    logger.log(event(1));
    await vi.advanceTimersByTimeAsync(2999);
    expect(mem.attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(mem.attempts).toBe(2);
    expect(logger.stats().sent).toBe(1);
  });

  it('limits an attempt to timeoutMs even when the transport never answers', async () => {
    const mem = memoryTransport();
    mem.mode = 'hold';
    const logger = make(mem, { batchSize: 1, timeoutMs: 500, maxRetries: 1, retryBaseMs: 100 });
    logger.log(event(1));
    await vi.advanceTimersByTimeAsync(499);
    expect(logger.stats().inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + 100 + 500);
    expect(logger.stats()).toMatchObject({ inFlight: 0, dropped: { send_failed: 1 }, lastError: 'send timed out after 500 ms' });
  });

  it('keeps one request in flight at a time', async () => {
    const mem = memoryTransport();
    mem.mode = 'hold';
    const logger = make(mem, { batchSize: 2 });
    for (let i = 0; i < 10; i++) logger.log(event(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(mem.pending.length).toBe(1);
    mem.pending.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(mem.pending.length).toBe(1);
    expect(mem.bodies.length).toBe(1);
  });

  it('flush resolves once everything logged before it is sent or dropped, not later events', async () => {
    const mem = memoryTransport();
    mem.mode = 'hold';
    const logger = make(mem, { batchSize: 100 });
    for (let i = 0; i < 3; i++) logger.log(event(i));
    let flushed = false;
    const flushing = logger.flush().then(() => {
      flushed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    logger.log(event(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(false);
    mem.mode = 'ok';
    mem.pending.shift()!.resolve();
    await drive(flushing);
    expect(mem.ids()).toEqual(['e0', 'e1', 'e2']);
    expect(logger.stats().queued).toBe(1);
    await expect(createPredictionLogger({ transport: mem.transport }).flush()).resolves.toBeUndefined();
  });

  it('close flushes, releases the transport, and counts later events as closed', async () => {
    const mem = memoryTransport();
    const logger = make(mem);
    for (let i = 0; i < 5; i++) logger.log(event(i));
    await drive(logger.close());
    expect(mem.ids()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(mem.transport.closed).toBe(1);
    logger.log(event(9));
    expect(logger.stats()).toMatchObject({ sent: 5, queued: 0, dropped: { closed: 1 } });
    await logger.close();
    expect(mem.transport.closed).toBe(1);
  });

  it('close gives up at closeTimeoutMs and drops what is left as closed', async () => {
    const mem = memoryTransport();
    mem.mode = 'hold';
    const logger = make(mem, { batchSize: 10, timeoutMs: 60_000, closeTimeoutMs: 1000 });
    for (let i = 0; i < 25; i++) logger.log(event(i));
    let closed = false;
    const closing = logger.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(logger.stats()).toMatchObject({ queued: 0, dropped: { closed: 15 } });
    expect(mem.transport.closed).toBe(1);
  });

  it('reports drops to onDrop, and a throwing onDrop does not reach the caller', () => {
    const seen: string[] = [];
    const logger = createPredictionLogger({
      transport: memoryTransport().transport,
      maxQueue: 1,
      onDrop: (reason, n) => {
        seen.push(`${reason}:${n}`);
        throw new Error('callback bug');
      },
    });
    logger.log(event(1));
    expect(() => logger.log(event(2))).not.toThrow();
    expect(() => logger.log('nope')).not.toThrow();
    expect(seen).toEqual(['queue_full:1', 'invalid:1']);
  });

  it('refuses bad options when it is created', () => {
    expect(() => createPredictionLogger({ transport: { type: 'kafka' } as never })).toThrow(/transport.type/);
    expect(() => createPredictionLogger({ transport: memoryTransport().transport, maxQueue: 0 })).toThrow(/maxQueue/);
  });
});
