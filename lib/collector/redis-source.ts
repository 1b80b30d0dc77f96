import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { QueueConsumer } from './queue-consumer';
import type { CollectorMetrics, Intake, Source } from './types';

export interface RedisSourceOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  stream?: string;
  group?: string;
  /**
   * Default `<hostname>`: stable across restarts, so a restarted collector drains its own pending
   * entries at once. Two collectors on one host need distinct names (`--consumer`).
   */
  consumer?: string;
  /** Entries per XREADGROUP / XAUTOCLAIM call. */
  batchCount?: number;
  blockMs?: number;
  /**
   * An entry delivered more than this many times (default 5) goes to the dead-letter stream. Counted
   * deliveries: the first read (1) and each takeover of an entry whose consumer went silent
   * (XAUTOCLAIM, +1). This collector's own re-reads (after a Redis error or a restart under the same
   * consumer name) and its keep-alive do not count: so it is the number of times a consumer died or
   * stalled holding the entry — a poison entry, not a slow store.
   */
  maxDeliveries?: number;
  /** Pending entries idle longer than this (their consumer is presumed dead) are claimed. */
  claimIdleMs?: number;
  deadLetterStream?: string;
  /** How often dead consumers' entries are claimed and the idle time of the entries this consumer holds is reset. */
  claimIntervalMs?: number;
  /** Acks (XACK) of durable entries are coalesced over this window. */
  ackIntervalMs?: number;
  /** Consumers of the group with no pending entries idle longer than this are removed (default 1 h). */
  deadConsumerIdleMs?: number;
  log?: (line: string) => void;
}

interface StreamEntry {
  id: string;
  /** `null` when the entry was trimmed away while pending. */
  fields: Buffer[] | null;
}

const SOURCE = 'redis';
const MAX_BACKOFF_MS = 5_000;

/**
 * Redis Streams source (consumer group). An entry's field `e` holds one or more NDJSON events; it
 * is XACKed only once the intake says everything in it is written (onDurable). On start the
 * consumer drains its own pending entries, then reads new ones (blocking, on its own connection);
 * entries of dead consumers (idle > claimIdleMs) are taken over with XAUTOCLAIM; entries delivered
 * more than maxDeliveries times, and entries without `e`, go to the dead-letter stream.
 */
export function createRedisSource(options: RedisSourceOptions): Source {
  const stream = options.stream ?? 'driftwatch:events';
  const group = options.group ?? 'driftwatch';
  const consumer = options.consumer ?? hostname();
  const batchCount = options.batchCount ?? 1000;
  const blockMs = options.blockMs ?? 1000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const claimIdleMs = options.claimIdleMs ?? 60_000;
  const deadLetterStream = options.deadLetterStream ?? `${stream}:dead`;
  const claimIntervalMs = options.claimIntervalMs ?? Math.max(50, Math.min(Math.floor(claimIdleMs / 3), 10_000));
  const ackIntervalMs = options.ackIntervalMs ?? 5;
  const deadConsumerIdleMs = options.deadConsumerIdleMs ?? 3_600_000;
  const sweepIntervalMs = Math.min(deadConsumerIdleMs, 600_000);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const connect = (name: string) => {
    const redis = new Redis(options.url, {
      protocol: 2,
      connectionName: `driftwatch-collector-${name}`,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), MAX_BACKOFF_MS),
    });
    let lastError = '';
    redis.on('error', (error: Error) => {
      // ioredis reconnects by itself; say so once per distinct error, not on every retry.
      if (error.message !== lastError) log(`driftwatch collector: redis (${name}): ${error.message}`);
      lastError = error.message;
    });
    redis.on('ready', () => (lastError = ''));
    return redis;
  };
  /** Commands, acks and dead letters; the blocking read has its own connection so acks never wait behind it. */
  const cmd = connect('cmd');
  const reader = connect('reader');

  const queue = new QueueConsumer<true>({
    source: SOURCE,
    ackIntervalMs,
    log,
    describeAck: (n) => `the ack of ${n} redis entries`,
    ack: async (ids) => {
      try {
        for (let i = 0; i < ids.length; i += 1000) await cmd.call('XACK', stream, group, ...ids.slice(i, i + 1000));
        return [];
      } catch (error) {
        log(`driftwatch collector: XACK failed, retrying: ${(error as Error).message}`);
        return ids;
      }
    },
    release: () => {
      clearInterval(keepAliveTimer);
      clearInterval(sweepTimer);
      cmd.disconnect();
      reader.disconnect();
    },
  });
  const { held } = queue;
  /** Read or claimed, not yet handed to the intake (waiting behind backpressure): kept alive too. */
  const reading = new Set<string>();
  let claimTimer: NodeJS.Timeout | undefined;
  let keepAliveTimer: NodeJS.Timeout | undefined;
  let keepAliveRunning: Promise<void> | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let claimRunning: Promise<void> | undefined;
  let readLoop: Promise<void> | undefined;

  async function ensureGroup(): Promise<void> {
    try {
      // From 0, not $: entries a producer wrote before the first collector started are consumed too.
      await cmd.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
  }

  async function deliveryCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const reply = (await cmd.call('XPENDING', stream, group, ids[0], ids[ids.length - 1], String(ids.length + held.size + 16), consumer)) as [string, string, number, number][];
    for (const [id, , , deliveries] of reply) counts.set(id, Number(deliveries));
    return counts;
  }

  async function deadLetter(entry: StreamEntry, reason: string, deliveries: number): Promise<void> {
    const body = fieldValue(entry.fields, 'e') ?? Buffer.alloc(0);
    const reply = await cmd
      .multi()
      .xadd(deadLetterStream, '*', 'e', body, 'reason', reason, 'deliveries', String(deliveries), 'original_id', entry.id)
      .xack(stream, group, entry.id)
      .exec();
    const failed = reply?.find(([error]) => error);
    if (!reply || failed) throw failed?.[0] ?? new Error('dead-letter transaction aborted');
    queue.intake?.metrics.inc('queue_dead_letters_total', { source: SOURCE, reason });
    log(`driftwatch collector: redis entry ${entry.id} → ${deadLetterStream} (${reason}, ${deliveries} deliveries)`);
  }

  async function acceptAll(entries: StreamEntry[], counts: (id: string) => number): Promise<void> {
    for (const entry of entries) reading.add(entry.id);
    try {
      for (const entry of entries) {
        await accept(entry, counts(entry.id));
        reading.delete(entry.id);
      }
    } finally {
      for (const entry of entries) reading.delete(entry.id);
    }
  }

  /**
   * This consumer's pending entries after `after` that it does not hold: ids and delivery counts
   * from XPENDING, bodies from XRANGE — neither adds to the delivery count (XREADGROUP … 0 would).
   */
  async function ownPending(after: string): Promise<{ entries: StreamEntry[]; counts: Map<string, number>; last: string | undefined }> {
    const reply = (await cmd.call('XPENDING', stream, group, after === '0' ? '-' : `(${after}`, '+', String(batchCount), consumer)) as [string, string, number, number][];
    const counts = new Map<string, number>();
    const todo = reply.filter(([id]) => !held.has(id) && !reading.has(id));
    for (const [id, , , deliveries] of todo) counts.set(id, Number(deliveries));
    const entries: StreamEntry[] = [];
    if (todo.length > 0) {
      const pipeline = cmd.pipeline();
      for (const [id] of todo) pipeline.xrangeBuffer(stream, id, id);
      const results = (await pipeline.exec()) ?? [];
      todo.forEach(([id], i) => {
        const [error, found] = results[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        const items = found as [Buffer, Buffer[]][];
        entries.push({ id, fields: items.length > 0 ? items[0][1] : null });
      });
    }
    return { entries, counts, last: reply.length > 0 ? reply[reply.length - 1][0] : undefined };
  }

  /** Keep the entries this consumer holds (or is about to hand over) from looking dead: XCLAIM … JUSTID resets their idle time without adding a delivery. */
  async function keepAlive(): Promise<void> {
    const ids = [...new Set([...held.keys(), ...reading])];
    try {
      for (let i = 0; i < ids.length && !queue.closed; i += 1000) await cmd.call('XCLAIM', stream, group, consumer, '0', ...ids.slice(i, i + 1000), 'JUSTID');
    } catch (error) {
      if (!queue.stopping) log(`driftwatch collector: redis keep-alive failed: ${(error as Error).message}`);
    }
  }

  /** Remove the group's consumers that hold nothing and have been idle > deadConsumerIdleMs (restarted or retired collectors). */
  async function sweepConsumers(): Promise<void> {
    try {
      const consumers = (await cmd.call('XINFO', 'CONSUMERS', stream, group)) as unknown[][];
      for (const info of consumers) {
        const fields = pairs(info);
        const name = String(fields.get('name'));
        if (name === consumer || Number(fields.get('pending') ?? 1) !== 0 || Number(fields.get('idle') ?? 0) <= deadConsumerIdleMs) continue;
        // DELCONSUMER answers the pending count it dropped: 0 here (a consumer that read since is simply re-created by its next read).
        await cmd.call('XGROUP', 'DELCONSUMER', stream, group, name);
        log(`driftwatch collector: removed idle redis consumer ${name} (no pending entries)`);
      }
    } catch (error) {
      if (!queue.stopping) log(`driftwatch collector: redis consumer sweep failed: ${(error as Error).message}`);
    }
  }

  async function accept(entry: StreamEntry, deliveries: number): Promise<void> {
    const intake = queue.intake;
    if (held.has(entry.id) || !intake) return;
    if (entry.fields === null) {
      // Trimmed (MAXLEN) while pending: nothing left to write; drop it from the pending list.
      await cmd.call('XACK', stream, group, entry.id);
      intake.metrics.inc('queue_trimmed_pending_total', { source: SOURCE });
      return;
    }
    if (deliveries > maxDeliveries) return deadLetter(entry, 'max_deliveries', deliveries);
    const body = fieldValue(entry.fields, 'e');
    if (body === undefined) return deadLetter(entry, 'missing_field_e', deliveries);
    if (deliveries > 1) intake.metrics.inc('queue_redeliveries_total', { source: SOURCE });
    await queue.accept(entry.id, true, body);
  }

  /** True once this consumer's own pending list has been read (since start or the last read error). */
  let drained = false;
  const claimNow = () => {
    claimRunning ??= claim().finally(() => (claimRunning = undefined));
  };

  async function run(): Promise<void> {
    let backoffMs = 100;
    let cursor = '0';
    while (!queue.stopping) {
      try {
        await queue.roomFor();
        if (queue.stopping) break;
        if (!drained) {
          // Own pending entries first (a restart with the same consumer name): they are the oldest.
          // Entries held in memory are skipped, and reading them adds no delivery (not XREADGROUP … 0).
          const { entries, counts, last } = await ownPending(cursor);
          if (last === undefined) {
            drained = true;
            // Dead consumers' entries at once, not a claim interval later (a restart resumes sooner).
            claimNow();
            continue;
          }
          await acceptAll(entries, (id) => counts.get(id) ?? 1);
          cursor = last;
        } else {
          const reply = await reader.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(batchCount), 'BLOCK', String(blockMs), 'STREAMS', stream, '>');
          await acceptAll(parseRead(reply), () => 1);
        }
        backoffMs = 100;
      } catch (error) {
        if (queue.stopping) break;
        const message = (error as Error).message ?? String(error);
        log(`driftwatch collector: redis read failed, retrying in ${backoffMs} ms: ${message}`);
        if (message.startsWith('NOGROUP')) await ensureGroup().catch(() => undefined);
        await queue.sleep(backoffMs * (0.5 + Math.random()));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        // After an outage, look at this consumer's pending entries again (acks may have been lost);
        // those still held are skipped and nothing is re-delivered (no count added).
        drained = false;
        cursor = '0';
      }
    }
  }

  async function claim(): Promise<void> {
    const intake = queue.intake;
    // Not before the own pending list is read: XAUTOCLAIM would take this consumer's own idle
    // entries too (after a restart), adding a delivery to each.
    if (queue.stopping || !intake || !drained) return;
    try {
      // The keep-alive of held entries runs on its own timer (this may wait behind backpressure);
      // once more here, so that XAUTOCLAIM cannot take (and count again) entries this consumer holds.
      await keepAlive();
      let start = '0-0';
      for (let round = 0; round < 10 && !queue.stopping && !intake.full; round++) {
        const reply = (await cmd.callBuffer('XAUTOCLAIM', stream, group, consumer, String(claimIdleMs), start, 'COUNT', String(batchCount))) as [Buffer, [Buffer, Buffer[] | null][], Buffer[]?];
        const entries = reply[1].map(([id, fields]) => ({ id: id.toString(), fields }));
        const deleted = reply[2] ?? [];
        if (deleted.length > 0) intake.metrics.inc('queue_trimmed_pending_total', { source: SOURCE }, deleted.length);
        if (entries.length > 0) {
          log(`driftwatch collector: claimed ${entries.length} redis entries idle > ${claimIdleMs} ms`);
          intake.metrics.inc('queue_claimed_total', { source: SOURCE }, entries.length);
          const counts = await deliveryCounts(entries.map((e) => e.id));
          await acceptAll(entries, (id) => counts.get(id) ?? 1);
        }
        start = reply[0].toString();
        if (start === '0-0') break;
      }
    } catch (error) {
      if (!queue.stopping) log(`driftwatch collector: redis claim failed: ${(error as Error).message}`);
    }
  }

  return {
    name: SOURCE,
    async start(target: Intake) {
      queue.intake = target;
      let firstError: string | undefined;
      const remember = (error: Error) => (firstError ??= error.message);
      cmd.once('error', remember);
      try {
        await cmd.connect();
        await reader.connect();
        await ensureGroup();
      } catch (error) {
        // Fail fast with the cause (not ioredis's "Connection is closed") and stop reconnecting.
        queue.release();
        throw new Error(`cannot start consuming ${stream} at ${redactUrl(options.url)}: ${firstError ?? (error as Error).message}`);
      } finally {
        cmd.off('error', remember);
      }
      readLoop = run();
      claimTimer = setInterval(claimNow, claimIntervalMs);
      // Independent of claim() and of backpressure: held entries never look dead to other collectors.
      keepAliveTimer = setInterval(() => {
        keepAliveRunning ??= keepAlive().finally(() => (keepAliveRunning = undefined));
      }, claimIntervalMs);
      sweepTimer = setInterval(() => void sweepConsumers(), sweepIntervalMs);
      sweepTimer.unref();
    },
    async stop() {
      queue.beginStop();
      clearInterval(claimTimer);
      clearInterval(sweepTimer);
      // Interrupts a blocking XREADGROUP; entries read and not accepted stay pending (redelivered later).
      reader.disconnect();
      // Entries accepted but not yet written are acked if the intake writes them soon (its close()); else they stay pending.
      await queue.stop([readLoop, claimRunning].filter((p) => p !== undefined));
    },
    async close() {
      clearInterval(claimTimer);
      clearInterval(keepAliveTimer);
      clearInterval(sweepTimer);
      await queue.close();
    },
    async refreshMetrics(metrics: CollectorMetrics) {
      if (queue.closed) return;
      try {
        const groups = (await cmd.call('XINFO', 'GROUPS', stream)) as unknown[][];
        for (const info of groups) {
          const fields = pairs(info);
          if (fields.get('name') !== group) continue;
          const labels = { source: SOURCE, stream, group };
          const lag = fields.get('lag');
          if (lag !== null && lag !== undefined) metrics.set('queue_lag', Number(lag), labels);
          metrics.set('queue_pending', Number(fields.get('pending') ?? 0), labels);
        }
      } catch (error) {
        log(`driftwatch collector: XINFO GROUPS failed: ${(error as Error).message}`);
      }
    },
  };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the Redis URL';
  }
}

function parseRead(reply: unknown): StreamEntry[] {
  if (!reply) return [];
  const entries: StreamEntry[] = [];
  for (const [, items] of reply as [Buffer, [Buffer, Buffer[] | null][]][]) {
    for (const [id, fields] of items) entries.push({ id: id.toString(), fields });
  }
  return entries;
}

function fieldValue(fields: Buffer[] | null, name: string): Buffer | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === name) return fields[i + 1];
  return undefined;
}

function pairs(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
