/**
 * A tiny prediction service (node:http) that logs every prediction through the client, run as a
 * child process: `node --import tsx --expose-gc prediction-service.ts '<transport JSON | "none">' [logger options JSON]`.
 * It prints `{"port": n}` once listening; `POST /predict` scores a 20-feature body and logs it;
 * `GET /stats` answers the logger's stats and memory (after a GC when run with --expose-gc).
 * The load generator (`runLoad`) runs in the parent, so latency includes loopback but not its own work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createPredictionLogger, type PredictionLogger, type PredictionLoggerOptions, type TransportOptions } from '@/lib/client';

export interface ServiceStats {
  logger: ReturnType<PredictionLogger['stats']> | null;
  /** Largest `queued` seen by any request. */
  maxQueued: number;
  requests: number;
  heapUsed: number;
  rss: number;
  gc: boolean;
}

function serve(transport: TransportOptions | null, options: Partial<PredictionLoggerOptions>): void {
  const logger = transport ? createPredictionLogger({ transport, ...options }) : null;
  let requests = 0;
  let maxQueued = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      gc?.();
      const m = process.memoryUsage();
      const body: ServiceStats = { logger: logger ? logger.stats() : null, maxQueued, requests, heapUsed: m.heapUsed, rss: m.rss, gc: gc !== undefined };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests++;
      const input = JSON.parse(body) as { id: string; features: Record<string, number | string | boolean> };
      let z = 0;
      for (const v of Object.values(input.features)) if (typeof v === 'number') z += v * 0.001;
      const score = 1 / (1 + Math.exp(-z + 8));
      if (logger) {
        logger.log({ model: 'bench', id: input.id, features: input.features, score });
        const q = logger.stats().queued;
        if (q > maxQueued) maxQueued = q;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"score":${score}}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void (logger?.close() ?? Promise.resolve()).then(() => process.exit(0));
  });
}

export interface RunningService {
  url: string;
  child: ChildProcess;
  stats(): Promise<ServiceStats>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/** Start the service in a child process (with --expose-gc) and wait until it listens. */
export async function startPredictionService(transport: TransportOptions | null, options: Partial<PredictionLoggerOptions> = {}): Promise<RunningService> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', SELF, JSON.stringify(transport ?? 'none'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`prediction service exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    stats: async () => JSON.parse(await get(`${url}/stats`)) as ServiceStats,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve(b));
    })
      .on('error', reject)
      .end();
  });
}

export interface LoadResult {
  /** Latency of each request in µs (send to last byte), in completion order. */
  latenciesUs: Float64Array;
  ok: number;
  failed: number;
  wallMs: number;
}

/** `n` POST /predict requests with `concurrency` keep-alive connections; 20-feature bodies. */
export async function runLoad(url: string, n: number, concurrency: number, onProgress?: (done: number) => Promise<void> | void, progressEvery = 5000): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesUs = new Float64Array(n);
  let next = 0;
  let done = 0;
  let ok = 0;
  let failed = 0;
  const target = new URL('/predict', url);
  const body = (i: number): string => {
    const features: Record<string, number | string | boolean> = {};
    for (let f = 0; f < 16; f++) features[`num_${f}`] = ((i * 7919 + f * 104729) % 1000) / 10;
    features.country = ['DE', 'FR', 'US', 'JP'][i % 4];
    features.channel = i % 3 === 0 ? 'web' : 'app';
    features.is_returning = i % 2 === 0;
    features.basket_items = i % 17;
    return JSON.stringify({ id: `p-${i}`, features });
  };
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const payload = body(i);
      const t0 = process.hrtime.bigint();
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on('end', () => {
          latenciesUs[done] = Number(process.hrtime.bigint() - t0) / 1000;
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        latenciesUs[done] = Number(process.hrtime.bigint() - t0) / 1000;
        failed++;
        resolve();
      });
      req.end(payload);
    });
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await one(i);
      done++;
      if (onProgress && done % progressEvery === 0) await onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { latenciesUs, ok, failed, wallMs: performance.now() - t0 };
}

export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

if (process.argv[1] === SELF) {
  const transport = JSON.parse(process.argv[2] ?? '"none"') as TransportOptions | 'none';
  serve(transport === 'none' ? null : transport, JSON.parse(process.argv[3] ?? '{}') as Partial<PredictionLoggerOptions>);
}
