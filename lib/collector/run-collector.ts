import type { TimeLimitSettings } from '../profile/time-limits';
import type { Storage } from '../storage/storage';
import { CollectorServer, HttpEventsSource, type HealthAnswer, type ListenAddress } from './http-source';
import { createIntake } from './intake';
import type { DumpLimits, Source } from './types';

export interface RunCollectorOptions {
  storage: Storage;
  /** Queue sources (Redis, SQS); HTTP events are taken when `http` is true. */
  sources: Source[];
  /** Take events on `POST /v1/events` (the `http` source). /metrics and /healthz are always served. */
  http: boolean;
  listen?: Partial<ListenAddress>;
  limits?: Partial<DumpLimits>;
  spoolDir: string;
  spoolMaxBytes?: number;
  maxBufferedBytes?: number;
  /** Plausible prediction times (config `ingest.earliest` / `ingest.max_future_skew`): others are quarantined, as `ingest` does. */
  timeLimits?: TimeLimitSettings;
  /** How long SIGTERM may take to write what is buffered before giving up (exit 1; data stays in the spool or unacked). */
  shutdownTimeoutMs?: number;
  /** A one-line status every this many ms (received/written/quarantined); 0 turns it off. */
  statusEveryMs?: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Called once listening (tests and `run --collect` learn the bound port from it). */
  onListening?: (address: ListenAddress) => void;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Counter totals read back from the exposition text (the registry has no other reader). */
export function metricTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (Number.isFinite(value)) totals.set(m[1], (totals.get(m[1]) ?? 0) + value);
  }
  return totals;
}

/**
 * The collector: intake (spool recovery first), the HTTP listener, the sources; on `signal` the
 * sources stop taking messages, what is buffered is written, and it resolves with the exit status:
 * 0, or 1 when writing did not finish within the shutdown timeout.
 */
export async function runCollector(options: RunCollectorOptions): Promise<number> {
  const { log, signal } = options;
  const intake = createIntake({ storage: options.storage, limits: options.limits, spoolDir: options.spoolDir, spoolMaxBytes: options.spoolMaxBytes, maxBufferedBytes: options.maxBufferedBytes, timeLimits: options.timeLimits, log });
  await intake.start({ signal }); // a store failing at start: retried until it lists, or SIGTERM gives up
  const http = options.http ? new HttpEventsSource({ log }) : undefined;
  const sources: Source[] = [...(http ? [http] : []), ...options.sources];
  const server = new CollectorServer({
    listen: options.listen,
    events: http,
    log,
    metrics: async () => {
      await Promise.allSettled(sources.map((s) => s.refreshMetrics?.(intake.metrics)));
      return intake.metrics.render();
    },
    health: async (): Promise<HealthAnswer> => {
      const h = intake.health();
      // The store's location is the operator's, not the caller's: it is named in the log only.
      const lastError = h.lastError?.split(options.storage.url).join('the store');
      return { ok: h.status === 'ok', body: { status: h.status, ...(lastError ? { last_error: lastError } : {}), ...(h.lastWriteMs ? { last_write: new Date(h.lastWriteMs).toISOString() } : {}) } };
    },
  });

  let address: ListenAddress;
  try {
    address = await server.listen();
  } catch (error) {
    await intake.close({ timeoutMs: 1_000 }).catch(() => undefined);
    throw error;
  }
  const started: Source[] = [];
  let status = 0;
  try {
    for (const source of sources) {
      await source.start(intake);
      started.push(source);
    }
    options.onListening?.(address);
    const statusTimer = statusLine(intake.metrics.render.bind(intake.metrics), options.statusEveryMs ?? 60_000, log);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(statusTimer);
  } finally {
    const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    log(`collect: stopping: no new messages; writing what is buffered (up to ${Math.round(timeoutMs / 1000)} s)`);
    await Promise.allSettled(started.map((s) => s.stop()));
    // close() writes what is buffered; past the timeout it rejects and the data stays in the spool / unacked.
    await intake.close({ timeoutMs: Math.max(1_000, deadline - Date.now()) }).catch((error: unknown) => {
      status = 1;
      log(`collect: shutdown timed out after ${Math.round(timeoutMs / 1000)} s: ${(error as Error).message.split('\n')[0]}; HTTP events stay in the spool (${options.spoolDir}) and are written at the next start, queue messages stay unacknowledged and are delivered again`);
    });
    // Release the queues' connections: after a timed-out shutdown they would otherwise wait for acks that never come.
    await Promise.allSettled(started.map((s) => s.close?.()));
    await server.close(1_000);
    if (status === 0) log('collect: stopped; everything buffered was written');
  }
  return status;
}

/** `collect: last 60 s: 12,000 received, 11,990 written, 10 quarantined`. */
function statusLine(render: () => string, everyMs: number, log: (line: string) => void): NodeJS.Timeout | undefined {
  if (everyMs <= 0) return undefined;
  let previous = metricTotals(render());
  const timer = setInterval(() => {
    const now = metricTotals(render());
    const delta = (name: string) => (now.get(name) ?? 0) - (previous.get(name) ?? 0);
    previous = now;
    const fmt = (n: number) => n.toLocaleString('en-US');
    log(`collect: last ${Math.round(everyMs / 1000)} s: ${fmt(delta(RECEIVED))} received, ${fmt(delta(WRITTEN))} written, ${fmt(delta(QUARANTINED))} quarantined`);
  }, everyMs);
  timer.unref();
  return timer;
}

const RECEIVED = 'driftwatch_collector_events_received_total';
const WRITTEN = 'driftwatch_collector_events_written_total';
const QUARANTINED = 'driftwatch_collector_events_quarantined_total';
