import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIntake, type CollectorIntake, type IntakeOptions } from '@/lib/collector/intake';
import { MetricsRegistry } from '@/lib/collector/metrics';
import { BackpressureError, MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from '@/lib/collector/types';
import { DAY_MS } from '@/lib/format';
import { parseQuarantine, quarantinedBytes } from '@/lib/profile/quarantine';
import { decodeIds } from '@/lib/profile/id-index';
import { updateModelMeta, writeModelMeta } from '@/lib/profile/model-store';
import type { Storage } from '@/lib/storage/storage';
import { body, deferred, event, FlakyStorage, rawBatches, storeWithModels, T0 } from './helpers';

let intake: CollectorIntake | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await intake?.close({ timeoutMs: 1_000 }).catch(() => undefined);
  intake = undefined;
});

async function started(storage: Storage, options: Partial<IntakeOptions> = {}): Promise<{ intake: CollectorIntake; metrics: MetricsRegistry }> {
  const metrics = new MetricsRegistry();
  intake = createIntake({ storage, metrics, retry: { baseMs: 1, capMs: 5 }, ...options });
  await intake.start();
  return { intake, metrics };
}

const idsOf = (lines: string[]): string[] => lines.map((l) => (JSON.parse(l) as { id: string }).id);

describe('intake: validate, buffer, write, acknowledge', () => {
  it('writes a raw batch and its ids file, then calls onDurable once', async () => {
    const storage = await storeWithModels('m');
    const { intake, metrics } = await started(storage, { limits: { maxEvents: 3 } });
    const durable = vi.fn();
    const result = await intake.accept(body(event('a'), event('b'), event('c')), { source: 'test', durability: 'queue', onDurable: durable });
    expect(result).toEqual({ accepted: 3, rejected: 0, reasons: {}, duplicates: 0 });
    await intake.flush();
    expect(durable).toHaveBeenCalledTimes(1);
    const batches = await rawBatches(storage);
    expect([...batches.keys()]).toHaveLength(1);
    const [key, lines] = [...batches][0];
    expect(key).toMatch(/^models\/m\/raw\/predictions\/day=2026-11-29\/c-[0-9a-f]{12}-[0-9a-f]{12}-3\.ndjson\.gz$/);
    expect(idsOf(lines)).toEqual(['a', 'b', 'c']);
    const idsKey = key.replace('/raw/predictions/', '/ids/').replace('.ndjson.gz', '.ids.gz');
    expect(decodeIds((await storage.read(idsKey))!)).toEqual(['a', 'b', 'c']);
    expect([metrics.get('events_received_total', { source: 'test' }), metrics.get('events_written_total', { model: 'm' }), metrics.get('batches_written_total')]).toEqual([3, 3, 1]);
  });

  it('writes one file per UTC day of a dump, each named by its own first and last id', async () => {
    const storage = await storeWithModels('m');
    const { intake } = await started(storage);
    await intake.accept(body(event('d1a', { ms: T0 }), event('d2a', { ms: T0 + DAY_MS }), event('d1b', { ms: T0 + 1 })), { source: 'test', durability: 'queue' });
    await intake.flush();
    const batches = await rawBatches(storage);
    expect([...batches.entries()].map(([k, l]) => [k.split('/')[4], idsOf(l)])).toEqual([
      ['day=2026-11-29', ['d1a', 'd1b']],
      ['day=2026-11-30', ['d2a']],
    ]);
  });
});

describe('known models', () => {
  it('a model created after start is known after the next refresh (modelsRefreshMs)', async () => {
    vi.useFakeTimers({ now: T0 });
    const storage = await storeWithModels('m');
    const { intake } = await started(storage, { modelsRefreshMs: 1_000 });
    expect(await intake.accept(body(event('a', { model: 'late' })), { source: 'test', durability: 'queue' })).toMatchObject({ rejected: 1, reasons: { unknown_model: 1 } });
    await writeModelMeta(storage, updateModelMeta(undefined, 'late', {}).meta);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await intake.accept(body(event('b', { model: 'late' })), { source: 'test', durability: 'queue' })).toMatchObject({ accepted: 1, rejected: 0 });
  });
});

describe('batch names', () => {
  it('a batch with the same first id, last id and count but other events never replaces the first one', async () => {
    const storage = new FlakyStorage(await storeWithModels('m'));
    const { intake } = await started(storage, { limits: { maxEvents: 3 } });
    await intake.accept(body(event('a'), event('x'), event('b')), { source: 'test', durability: 'queue' });
    await intake.flush();
    await intake.accept(body(event('a'), event('y'), event('b')), { source: 'test', durability: 'queue' });
    await intake.flush();
    // The same batch again (a redelivery) is recognised: nothing new is written.
    await intake.accept(body(event('a'), event('x'), event('b')), { source: 'test', durability: 'queue' });
    await intake.flush();
    const batches = await rawBatches(storage);
    const names = [...batches.keys()].map((k) => k.split('/').pop()!);
    const first = names.find((n) => n.endsWith('-3.ndjson.gz'))!;
    expect(names.sort()).toEqual([first.replace('-3.ndjson.gz', '-3-2.ndjson.gz'), first]);
    expect([...batches.values()].map(idsOf).sort()).toEqual([
      ['a', 'x', 'b'],
      ['a', 'y', 'b'],
    ]);
    expect(storage.writes.filter((k) => k.includes('/raw/'))).toHaveLength(2);
    expect(await storage.list('models/m/ids/')).toHaveLength(2);
  });
});

describe('dump limits are exact', () => {
  it('count: 1,000 events at maxEvents 100 → 10 files of exactly 100, written without a flush', async () => {
    const storage = await storeWithModels('m');
    const { intake } = await started(storage, { limits: { maxEvents: 100, maxAgeMs: 3_600_000 } });
    const durable = vi.fn();
    for (let i = 0; i < 1_000; i += 37) {
      const lines = Array.from({ length: Math.min(37, 1_000 - i) }, (_, j) => event(`e${i + j}`));
      await intake.accept(body(...lines), { source: 'test', durability: 'queue', onDurable: durable });
    }
    // Every batch is full, so they are all on their way without flush(): wait for the last message.
    await vi.waitFor(() => expect(durable).toHaveBeenCalledTimes(Math.ceil(1_000 / 37)));
    const batches = await rawBatches(storage);
    expect([...batches.values()].map((l) => l.length)).toEqual(Array(10).fill(100));
    expect(new Set([...batches.values()].flatMap(idsOf)).size).toBe(1_000);
  });

  it('bytes: no file exceeds maxBytes of NDJSON, and the next event would not have fitted', async () => {
    const storage = new FlakyStorage(await storeWithModels('m'));
    const maxBytes = 4_000;
    const { intake } = await started(storage, { limits: { maxBytes, maxEvents: 1_000_000, maxAgeMs: 3_600_000 } });
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(event(`e${i}`, { extra: `,"pad":"${'x'.repeat((i * 7919) % 300)}"` }));
    // One event alone larger than maxBytes is written alone.
    lines.splice(250, 0, event('huge', { extra: `,"pad":"${'y'.repeat(maxBytes)}"` }));
    await intake.accept(body(...lines), { source: 'test', durability: 'queue' });
    await intake.flush();
    // In the order written (keys sort by hash).
    const batches = await rawBatches(storage);
    const files = storage.writes.filter((k) => k.includes('/raw/')).map((k) => batches.get(k)!);
    const order = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(files.flatMap(idsOf)).toEqual(order);
    for (const [i, file] of files.entries()) {
      const size = Buffer.byteLength(`${file.join('\n')}\n`);
      if (idsOf(file).includes('huge')) {
        expect(file).toHaveLength(1);
        continue;
      }
      expect(size).toBeLessThanOrEqual(maxBytes);
      const next = files[i + 1]?.[0];
      if (next !== undefined && i < files.length - 1) expect(size + Buffer.byteLength(next) + 1).toBeGreaterThan(maxBytes);
    }
    expect(files.length).toBeGreaterThan(10);
  });

  it('age: nothing written at maxAge − 1 ms, written at maxAge (fake clock)', async () => {
    vi.useFakeTimers({ now: T0 });
    const storage = await storeWithModels('m');
    const maxAgeMs = 5_000;
    const { intake, metrics } = await started(storage, { limits: { maxAgeMs }, now: () => Date.now() });
    const durable = vi.fn();
    await intake.accept(body(event('a')), { source: 'test', durability: 'queue', onDurable: durable });
    await vi.advanceTimersByTimeAsync(2_000);
    await intake.accept(body(event('b')), { source: 'test', durability: 'queue', onDurable: durable });
    expect(metrics.render()).toContain('driftwatch_collector_oldest_buffered_age_seconds 2');
    await vi.advanceTimersByTimeAsync(maxAgeMs - 2_000 - 1);
    expect(await rawBatches(storage)).toEqual(new Map());
    expect(durable).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(durable).toHaveBeenCalledTimes(2));
    expect([...(await rawBatches(storage)).values()].map(idsOf)).toEqual([['a', 'b']]);
  });
});

describe('rejected events', () => {
  const validUtf8Prefix = '{"model":"m","id":"bad-utf8","ts":"2026-11-29T08:00:00Z","features":{"s":"';
  const cases: { name: string; line: Buffer; reason: string; model: boolean }[] = [
    { name: 'malformed JSON', line: Buffer.from('{"model":"m","id":"x",'), reason: 'malformed_json', model: true },
    { name: 'invalid UTF-8', line: Buffer.concat([Buffer.from(validUtf8Prefix), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]), reason: 'invalid_utf8', model: true },
    { name: 'unknown model', line: Buffer.from(event('u', { model: 'nobody' })), reason: 'unknown_model', model: false },
    { name: 'wrong envelope types', line: Buffer.from(event('w').replace('"features":{', '"features":7,"x":{')), reason: 'invalid_event', model: true },
    { name: 'oversize (1 MiB + 1)', line: Buffer.from(event('big', { extra: `,"pad":"${'z'.repeat(MAX_EVENT_BYTES)}"` }).slice(0, MAX_EVENT_BYTES + 1)), reason: 'oversize', model: true },
    { name: `depth ${MAX_EVENT_DEPTH + 1}`, line: Buffer.from(event('deep', { extra: `,"n":${'['.repeat(MAX_EVENT_DEPTH - 1)}${']'.repeat(MAX_EVENT_DEPTH - 1)}` })), reason: 'too_deep', model: true },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.reason} in the ${c.model ? "model's" : "collector's"} quarantine with its bytes; the valid events still land`, async () => {
      const storage = await storeWithModels('m');
      const { intake, metrics } = await started(storage);
      if (c.reason === 'oversize') expect(c.line.length).toBe(MAX_EVENT_BYTES + 1);
      const message = Buffer.concat([Buffer.from(`${event('ok1')}\n`), c.line, Buffer.from(`\n${event('ok2')}\n`)]);
      const durable = vi.fn();
      const result = await intake.accept(message, { source: 'http', durability: 'queue', onDurable: durable });
      expect(result).toEqual({ accepted: 2, rejected: 1, reasons: { [c.reason]: 1 }, duplicates: 0 });
      await intake.flush();
      expect(durable).toHaveBeenCalledTimes(1);
      expect([...(await rawBatches(storage)).values()].map(idsOf)).toEqual([['ok1', 'ok2']]);
      const prefix = c.model ? 'models/m/quarantine/' : 'collector/quarantine/day=';
      const keys = (await storage.list(c.model ? 'models/m/quarantine/' : 'collector/quarantine/')).filter((k) => k.startsWith(prefix));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/\/c-[0-9a-f]{12}-1\.ndjson$/);
      const file = parseQuarantine(keys[0], (await storage.read(keys[0]))!);
      expect(file.header).toMatchObject({ kind: 'events', file: 'collector:http' });
      expect(file.entries).toHaveLength(1);
      expect(file.entries[0].line).toBe(2);
      expect(file.entries[0].reason.startsWith(`${c.reason}:`)).toBe(true);
      expect(Buffer.compare(quarantinedBytes(file.entries[0])!, c.line)).toBe(0);
      expect(metrics.get('events_quarantined_total', { reason: c.reason })).toBe(1);
    });
  }

  it('with timeLimits, implausible times are quarantined as invalid_event (as ingest does)', async () => {
    const storage = await storeWithModels('m');
    const { intake } = await started(storage, { timeLimits: { earliest: '2020-01-01', max_future_skew: '1h' }, now: () => T0 });
    const result = await intake.accept(body(event('old', { ms: Date.UTC(2019, 0, 1) }), event('future', { ms: T0 + 2 * 3_600_000 }), event('fine', { ms: T0 - 1 })), { source: 'test', durability: 'queue' });
    expect(result).toMatchObject({ accepted: 1, rejected: 2, reasons: { invalid_event: 2 } });
  });

  it('a message of only blank lines or duplicates is durable at once', async () => {
    const storage = await storeWithModels('m');
    const { intake } = await started(storage);
    const durable = vi.fn();
    expect(await intake.accept(Buffer.from('\n  \n\r\n'), { source: 'test', durability: 'queue', onDurable: durable })).toEqual({ accepted: 0, rejected: 0, reasons: {}, duplicates: 0 });
    expect(durable).toHaveBeenCalledTimes(1);
    await intake.accept(body(event('a')), { source: 'test', durability: 'queue' });
    const dup = vi.fn();
    expect(await intake.accept(body(event('a')), { source: 'test', durability: 'queue', onDurable: dup })).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(dup).toHaveBeenCalledTimes(1);
  });
});

describe('acknowledgement', () => {
  it('onDurable fires only after both the raw batch and the quarantine file are written', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake } = await started(storage);
    const raw = deferred();
    const quarantine = deferred();
    const waiting: string[] = [];
    storage.gate = (key) => {
      waiting.push(key.includes('/raw/') ? 'raw' : key.includes('/quarantine/') ? 'quarantine' : key);
      return key.includes('/raw/') ? raw.promise : key.includes('/quarantine/') ? quarantine.promise : undefined;
    };
    const durable = vi.fn();
    await intake.accept(body(event('a'), 'garbage'), { source: 'test', durability: 'queue', onDurable: durable });
    const flushed = intake.flush();
    await vi.waitFor(() => expect(waiting.sort()).toEqual(['quarantine', 'raw']));
    expect(durable).not.toHaveBeenCalled();
    expect(storage.writes).toEqual([]);
    raw.resolve();
    await vi.waitFor(() => expect(storage.writes.some((k) => k.includes('/ids/'))).toBe(true));
    expect(durable).not.toHaveBeenCalled();
    quarantine.resolve();
    await flushed;
    expect(durable).toHaveBeenCalledTimes(1);
    expect(storage.writes.filter((k) => k.includes('/quarantine/'))).toHaveLength(1);
  });

  it('onDurable waits for the quarantine file when only the raw batch is held back too', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake } = await started(storage);
    const raw = deferred();
    storage.gate = (key) => (key.includes('/raw/') ? raw.promise : undefined);
    const durable = vi.fn();
    await intake.accept(body(event('a'), 'garbage'), { source: 'test', durability: 'queue', onDurable: durable });
    const flushed = intake.flush();
    await vi.waitFor(() => expect(storage.writes.some((k) => k.includes('/quarantine/'))).toBe(true));
    expect(durable).not.toHaveBeenCalled();
    raw.resolve();
    await flushed;
    expect(durable).toHaveBeenCalledTimes(1);
  });

  it("without a spool, a 'spool' message resolves only once it is written to the store", async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake } = await started(storage, { limits: { maxAgeMs: 3_600_000 } });
    const raw = deferred();
    const reached = deferred();
    storage.gate = (key) => {
      if (!key.includes('/raw/')) return undefined;
      reached.resolve();
      return raw.promise;
    };
    let answered = false;
    const answer = intake.accept(body(event('a')), { source: 'http', durability: 'spool' }).then((r) => {
      answered = true;
      return r;
    });
    void intake.flush();
    await reached.promise;
    expect(answered).toBe(false);
    raw.resolve();
    expect(await answer).toMatchObject({ accepted: 1 });
    expect([...(await rawBatches(inner)).values()].map(idsOf)).toEqual([['a']]);
  });

  it('retry: 5 failed writes → written once, write_retries_total 5, health failing meanwhile, nothing lost', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake, metrics } = await started(storage, { retry: { baseMs: 20, capMs: 40 } });
    storage.failures = 5;
    const durable = vi.fn();
    const seen: { status: string; durable: number }[] = [];
    storage.onAttempt = () => seen.push({ status: intake.health().status, durable: durable.mock.calls.length });
    await intake.accept(body(event('a'), event('b')), { source: 'test', durability: 'queue', onDurable: durable });
    await intake.flush();
    // Attempts 2–6 of the raw batch come after a failure: the intake reports failing until one succeeds.
    expect(seen.slice(0, 6)).toEqual([{ status: 'ok', durable: 0 }, ...Array(5).fill({ status: 'failing', durable: 0 })]);
    expect(intake.health().lastError).toBeUndefined();
    expect(durable).toHaveBeenCalledTimes(1);
    expect(metrics.get('write_retries_total')).toBe(5);
    expect(storage.writes.filter((k) => k.includes('/raw/'))).toHaveLength(1);
    expect([...(await rawBatches(inner)).values()].map(idsOf)).toEqual([['a', 'b']]);
    expect(intake.health().status).toBe('ok');
  });

  it('close with a timeout while the store is down rejects, and leaves the message unacknowledged', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake } = await started(storage);
    storage.failures = Number.POSITIVE_INFINITY;
    const durable = vi.fn();
    await intake.accept(body(event('a')), { source: 'test', durability: 'queue', onDurable: durable });
    await expect(intake.close({ timeoutMs: 100 })).rejects.toThrow(/1 event\(s\) still not written/);
    expect(durable).not.toHaveBeenCalled();
    expect(await rawBatches(inner)).toEqual(new Map());
  });
});

describe('duplicates and bounds', () => {
  it('an id already buffered is counted and stored once', async () => {
    const storage = await storeWithModels('m');
    const { intake, metrics } = await started(storage);
    const r1 = await intake.accept(body(event('a'), event('b'), event('a')), { source: 'test', durability: 'queue' });
    const r2 = await intake.accept(body(event('b'), event('c')), { source: 'test', durability: 'queue' });
    expect([r1.duplicates, r2.duplicates]).toEqual([1, 1]);
    await intake.flush();
    expect([...(await rawBatches(storage)).values()].map(idsOf)).toEqual([['a', 'b', 'c']]);
    expect(metrics.get('events_duplicate_total')).toBe(2);
  });

  it('refuses with BackpressureError (taking nothing) while over maxBufferedBytes, then has room again', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    const { intake, metrics } = await started(storage, { maxBufferedBytes: 1_000 });
    const held = deferred();
    storage.hold = held.promise;
    await intake.accept(body(...Array.from({ length: 20 }, (_, i) => event(`e${i}`))), { source: 'test', durability: 'queue' });
    expect(intake.full).toBe(true);
    const error = await intake.accept(body(event('late')), { source: 'test', durability: 'queue' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as BackpressureError).retryAfterSeconds).toBeGreaterThan(0);
    expect(metrics.get('backpressure_total')).toBe(1);
    const room = intake.waitForRoom();
    void intake.flush();
    held.resolve();
    await room;
    expect(intake.full).toBe(false);
    await intake.flush();
    expect([...(await rawBatches(inner)).values()].flatMap(idsOf)).not.toContain('late');
  });
});
