import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createPredictionLogger, type PredictionLogger, type TransportOptions } from '@/lib/client';
import { LocalStorage } from '@/lib/storage';
import { startGoawsServer } from '../helpers/goaws-server';
import { startRedisServer } from '../helpers/redis-server';
import { addModel, bundleCli, makeStore, MODEL, rawBatches, startCollector, type Collector } from '../integration/collector/http-harness';
import { predictionEvent, startBlackHole } from '../integration/client/services';
import { quantile, runLoad, startPredictionService } from '../integration/client/prediction-service';
import { median } from './timing';

/** Keep-alive connections of the load generator: a few, so latency is the service's, not a queue's. */
const CONNECTIONS = 4;

export interface LatencyUs {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface EndToEnd {
  source: 'http' | 'redis' | 'sqs';
  events: number;
  /** Events found in the store's raw batches afterwards (unique ids). */
  stored: number;
  wall_s: number;
  events_per_s_wall: number;
  /** CPU time (user + system) of the collector process over the run, from /proc. */
  collector_cpu_s: number;
  /** events ÷ collector CPU seconds: the "per core" figure. */
  events_per_core_s: number;
  collector_rss_max_mib: number;
  collector_rss_end_mib: number;
  client_dropped: number;
}

export interface CaptureBench {
  /** 20-feature events, logged at `log_rate_per_s` in bursts as a service would. */
  log_events: number;
  log_rate_per_s: number;
  /** Baseline in the same run: an empty function timed the same way (the timer's own cost). */
  log_us_baseline: LatencyUs;
  log_us_live: LatencyUs;
  log_us_black_holed: LatencyUs;
  log_dropped_live: number;
  log_dropped_black_holed: number;
  /** The Python client's log() the same way (clients/python/bench/log_latency.py), when a Python 3 is found. */
  python_log_us_live?: LatencyUs & { dropped: number };
  python_log_us_black_holed?: LatencyUs & { dropped: number };
  /** Requests through a node:http prediction service: without a logger, logging to a black-holed collector, logging to a live one. */
  service_requests: number;
  /** Rounds of the three variants in turn; figures are medians over rounds (p99 difference taken within a round). */
  service_rounds: number;
  /** Median over rounds; `max` the largest seen. */
  service_ms: { none: LatencyUs; black_holed: LatencyUs; live: LatencyUs };
  added_p99_ms_black_holed: number;
  added_p99_ms_live: number;
  /** Heap after a full GC, after the requests minus before them (largest over rounds). */
  service_heap_growth_mib_black_holed: number;
  end_to_end: EndToEnd[];
}

// The SDK warns on Node 20 about releases after January 2027; the lock file pins an older one.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const toUs = (sorted: Float64Array): LatencyUs => ({ p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999), max: sorted[sorted.length - 1] });
const toMs = (l: LatencyUs): LatencyUs => ({ p50: l.p50 / 1000, p99: l.p99 / 1000, p999: l.p999 / 1000, max: l.max / 1000 });

/** Times each `log()` (hrtime around the call only), `burst` calls per event-loop turn, paced to `ratePerS`. */
async function timeLog(logger: PredictionLogger | null, n: number, ratePerS: number): Promise<Float64Array> {
  const times = new Float64Array(n);
  const burst = 50;
  const start = performance.now();
  const noop = (_e: unknown): void => undefined;
  for (let i = 0; i < n; ) {
    for (let b = 0; b < burst && i < n; b++, i++) {
      const event = predictionEvent(i, MODEL);
      const t0 = process.hrtime.bigint();
      if (logger) logger.log(event);
      else noop(event);
      times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const ahead = start + (i / ratePerS) * 1000 - performance.now();
    if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    else await yieldToLoop();
  }
  return times.sort();
}

/** clients/python/bench/log_latency.py: the Python client's log() timed with perf_counter_ns. */
function timePythonLog(url: string, n: number, ratePerS: number): (LatencyUs & { dropped: number }) | undefined {
  const venv = '.cache/pyclient/venv/bin/python';
  const python = existsSync(venv) ? venv : 'python3';
  const r = spawnSync(python, ['clients/python/bench/log_latency.py', url, String(n), String(ratePerS)], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) return undefined;
  const out = JSON.parse(r.stdout) as LatencyUs & { dropped: number };
  return { p50: out.p50, p99: out.p99, p999: out.p999, max: out.max, dropped: out.dropped };
}

function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat fields 14 and 15 (utime, stime) in clock ticks (100 per second on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function written(collector: Collector): Promise<number> {
  const text = await (await fetch(`${collector.url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^driftwatch_collector_events_written_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+?\d+)?)$/gm)) n += Number(m[1]);
  return n;
}

/** Log `n` events through `transport` (2 loggers, no drops: each waits while its queue is nearly full) and wait until the collector has written them. */
async function endToEnd(log: (line: string) => void, cli: string, source: EndToEnd['source'], n: number, setup: () => Promise<{ args: string[]; env?: Record<string, string>; transport: (collectorUrl: string) => TransportOptions; stop(): Promise<void> }>): Promise<EndToEnd> {
  const dir = await mkdtemp(join(tmpdir(), `driftwatch-bench-capture-${source}-`));
  const service = await setup();
  let collector: Collector | undefined;
  try {
    const location = await makeStore(dir);
    const storage = new LocalStorage(location);
    await addModel(storage, dir);
    collector = await startCollector(cli, ['--store', location, '--spool', join(dir, 'spool'), '--source', source, '--max-age', '1s', '--status-every', '1h', ...service.args], { env: service.env });
    const pid = collector.child.pid!;
    const loggers = [0, 1].map(() => createPredictionLogger({ transport: service.transport(collector!.url), maxRetries: 10, timeoutMs: 10_000 }));
    log(`capture: ${source}: ${n.toLocaleString('en-US')} events through the collector`);
    const cpu0 = cpuSeconds(pid);
    let rssMax = rssMiB(pid);
    const t0 = performance.now();
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(pid))), 100);
    for (let i = 0; i < n; i++) {
      const logger = loggers[i & 1];
      while (logger.stats().queued >= 2048 - 64) await new Promise((r) => setTimeout(r, 1));
      logger.log(predictionEvent(i, MODEL));
      if ((i & 255) === 0) await yieldToLoop();
    }
    await Promise.all(loggers.map((l) => l.close()));
    while ((await written(collector)) < n) {
      if (performance.now() - t0 > 600_000) throw new Error(`${source}: only ${await written(collector)} of ${n} written after 10 min`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = cpuSeconds(pid) - cpu0;
    clearInterval(sampler);
    const rssEnd = rssMiB(pid);
    rssMax = Math.max(rssMax, rssEnd);
    await collector.stop();
    collector = undefined;
    const stored = new Set([...(await rawBatches(storage)).values()].flat()).size;
    const dropped = loggers.reduce((s, l) => s + Object.values(l.stats().dropped).reduce((a, b) => a + b, 0), 0);
    return {
      source,
      events: n,
      stored,
      wall_s: wallS,
      events_per_s_wall: n / wallS,
      collector_cpu_s: cpuS,
      events_per_core_s: n / cpuS,
      collector_rss_max_mib: rssMax,
      collector_rss_end_mib: rssEnd,
      client_dropped: dropped,
    };
  } finally {
    await collector?.stop();
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- capture [--quick]`: the prediction logger's `log()` latency (live and
 * black-holed collector, against an empty call), the latency it adds to a node:http prediction
 * service, and events/s per collector core from client to store over HTTP, Redis Streams and SQS.
 */
export async function benchCapture(log: (line: string) => void, quick = false): Promise<CaptureBench> {
  const logEvents = quick ? 50_000 : 200_000;
  const rate = 10_000;
  const requests = quick ? 5_000 : 20_000;
  const rounds = quick ? 1 : 3;
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-capture-'));
  const bundle = await bundleCli('bench-capture');
  const hole = await startBlackHole();
  let live: Collector | undefined;
  try {
    const location = await makeStore(dir);
    await addModel(new LocalStorage(location), dir);
    live = await startCollector(bundle.path, ['--store', location, '--spool', join(dir, 'spool'), '--max-age', '1s', '--status-every', '1h']);

    log(`capture: log() latency, ${logEvents.toLocaleString('en-US')} 20-feature events at ${rate.toLocaleString('en-US')}/s`);
    await timeLog(null, 20_000, 1e9);
    const baseline = toUs(await timeLog(null, logEvents, rate));
    const liveLogger = createPredictionLogger({ transport: { type: 'http', url: live.url } });
    await timeLog(liveLogger, 5_000, rate);
    const logLive = toUs(await timeLog(liveLogger, logEvents, rate));
    await liveLogger.close();
    const deadLogger = createPredictionLogger({ transport: { type: 'http', url: hole.url }, closeTimeoutMs: 0 });
    const logDead = toUs(await timeLog(deadLogger, logEvents, rate));
    const droppedLive = Object.values(liveLogger.stats().dropped).reduce((a, b) => a + b, 0);
    const droppedDead = Object.values(deadLogger.stats().dropped).reduce((a, b) => a + b, 0);
    await deadLogger.close();
    log('capture: the Python client\'s log(), live and black-holed');
    const pyLive = timePythonLog(live.url, logEvents, rate);
    const pyDead = timePythonLog(hole.url, logEvents, rate);

    log(`capture: a prediction service, ${rounds} rounds of ${requests.toLocaleString('en-US')} requests each without a logger, black-holed, live`);
    const variants = [
      ['none', null],
      ['black_holed', { type: 'http', url: hole.url }],
      ['live', { type: 'http', url: live.url }],
    ] as const;
    const perRound: Record<'none' | 'black_holed' | 'live', LatencyUs[]> = { none: [], black_holed: [], live: [] };
    const heapGrowths: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [name, transport] of variants) {
        const s = await startPredictionService(transport);
        try {
          await runLoad(s.url, 2_000, CONNECTIONS);
          const before = await s.stats();
          const r = await runLoad(s.url, requests, CONNECTIONS);
          const after = await s.stats();
          if (name === 'black_holed') heapGrowths.push((after.heapUsed - before.heapUsed) / 2 ** 20);
          if (r.failed > 0) throw new Error(`${name}: ${r.failed} requests failed`);
          perRound[name].push(toMs(toUs(r.latenciesUs.sort())));
        } finally {
          await s.stop();
        }
      }
    }
    const med = (xs: number[]) => median(xs);
    const service = Object.fromEntries(
      Object.entries(perRound).map(([k, ls]) => [k, { p50: med(ls.map((l) => l.p50)), p99: med(ls.map((l) => l.p99)), p999: med(ls.map((l) => l.p999)), max: Math.max(...ls.map((l) => l.max)) }]),
    ) as Record<'none' | 'black_holed' | 'live', LatencyUs>;
    const addedBlackHoled = med(perRound.black_holed.map((l, i) => l.p99 - perRound.none[i].p99));
    const addedLive = med(perRound.live.map((l, i) => l.p99 - perRound.none[i].p99));
    const heapGrowth = Math.max(...heapGrowths);
    await live.stop();
    live = undefined;

    const e2e: EndToEnd[] = [];
    e2e.push(
      await endToEnd(log, bundle.path, 'http', quick ? 100_000 : 500_000, async () => ({ args: [], transport: (url) => ({ type: 'http', url }), stop: async () => undefined })),
    );
    e2e.push(
      await endToEnd(log, bundle.path, 'redis', quick ? 100_000 : 500_000, async () => {
        const redis = await startRedisServer();
        return { args: ['--redis-url', redis.url], transport: () => ({ type: 'redis', url: redis.url }), stop: () => redis.stop() };
      }),
    );
    e2e.push(
      await endToEnd(log, bundle.path, 'sqs', quick ? 20_000 : 100_000, async () => {
        const goaws = await startGoawsServer([{ name: 'events' }]);
        const queueUrl = goaws.queueUrls.events;
        return {
          args: ['--sqs-queue-url', queueUrl, '--sqs-endpoint', goaws.endpoint, '--sqs-protocol', 'query', '--sqs-region', goaws.region],
          env: { AWS_ACCESS_KEY_ID: goaws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: goaws.credentials.secretAccessKey },
          transport: () => ({ type: 'sqs', queueUrl, endpoint: goaws.endpoint, protocol: 'query', credentials: goaws.credentials }),
          stop: () => goaws.stop(),
        };
      }),
    );
    return {
      log_events: logEvents,
      log_rate_per_s: rate,
      log_us_baseline: baseline,
      log_us_live: logLive,
      log_us_black_holed: logDead,
      log_dropped_live: droppedLive,
      log_dropped_black_holed: droppedDead,
      ...(pyLive ? { python_log_us_live: pyLive } : {}),
      ...(pyDead ? { python_log_us_black_holed: pyDead } : {}),
      service_requests: requests,
      service_ms: service,
      service_rounds: rounds,
      added_p99_ms_black_holed: addedBlackHoled,
      added_p99_ms_live: addedLive,
      service_heap_growth_mib_black_holed: heapGrowth,
      end_to_end: e2e,
    };
  } finally {
    await live?.stop();
    await hole.stop();
    await bundle.remove();
    await rm(dir, { recursive: true, force: true });
  }
}
