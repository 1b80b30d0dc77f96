import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * Fakes the client's integration tests start on loopback (a black hole, a fake collector); the real
 * redis-server and goaws come from test/helpers. Each returns a `stop()` for afterAll.
 */

/** A TCP server that accepts connections and never answers (a hung collector or queue). */
export async function startBlackHole(): Promise<{ port: number; url: string; connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface FakeCollector {
  url: string;
  /** Every event line received (in order), per request. */
  requests: { lines: string[]; encoding: string | undefined; contentType: string | undefined }[];
  /** Answer the next requests with these statuses (then 202). */
  answerNext(...answers: { status: number; retryAfter?: string }[]): void;
  stop(): Promise<void>;
}

/** A node:http server implementing the collector's HTTP contract (POST /v1/events → 202 {accepted, rejected}). */
export async function startFakeCollector(): Promise<FakeCollector> {
  const requests: FakeCollector['requests'] = [];
  const answers: { status: number; retryAfter?: string }[] = [];
  const server: HttpServer = createHttpServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/events') return void res.writeHead(req.method !== 'POST' ? 405 : 404).end();
      const next = answers.shift();
      if (next) {
        res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end(JSON.stringify({ error: 'test' }));
        return;
      }
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      requests.push({ lines, encoding, contentType: req.headers['content-type'] });
      // Like the collector: an event of a model it does not know is rejected (quarantined), the rest accepted.
      const rejected = lines.filter((l) => (JSON.parse(l) as { model?: string }).model === 'unknown-model').length;
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: lines.length - rejected, rejected, reasons: rejected ? { unknown_model: rejected } : {}, duplicates: 0 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    answerNext: (...a) => answers.push(...a),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A 20-feature prediction event, as the benchmarks and tests log it. */
export function predictionEvent(i: number, model = 'm'): Record<string, unknown> {
  const features: Record<string, unknown> = {};
  for (let f = 0; f < 16; f++) features[`num_${f}`] = (i * 7919 + f * 104729) % 1000 / 10;
  features.country = ['DE', 'FR', 'US', 'JP'][i % 4];
  features.channel = i % 3 === 0 ? 'web' : 'app';
  features.is_returning = i % 2 === 0;
  features.basket_items = i % 17;
  return { model, id: `ev-${i}`, ts: new Date(Date.UTC(2026, 11, 7, 12) + i).toISOString(), features, score: (i % 1000) / 1000 };
}
