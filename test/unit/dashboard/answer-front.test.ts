import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { answerFront, isHeavyRoute, routedPath, type AnswerFrontOptions, type RequestHandler } from '@/lib/dashboard/front/answer-front';

/**
 * The answer front on a real loopback server, in front of a stand-in for Next's handler that
 * counts its calls and answers after `delayMs`, the way Next writes: setHeader, writeHead, write
 * in pieces, end.
 */
let server: Server | undefined;
async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}
afterEach(stop);

interface Handler {
  calls: string[];
  running: number;
  maxRunning: number;
}

async function start(options: AnswerFrontOptions, delayMs = 40, status = 200): Promise<{ url: string; handler: Handler }> {
  const handler: Handler = { calls: [], running: 0, maxRunning: 0 };
  // As Next's handler: its promise settles when it is done with the request, client or not.
  const next = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((done) => {
    handler.calls.push(req.url as string);
    handler.running++;
    handler.maxRunning = Math.max(handler.maxRunning, handler.running);
    setTimeout(() => {
      handler.running--;
      done();
      if (res.destroyed) return;
      const body = JSON.stringify({ url: req.url, n: handler.calls.length, pad: 'x'.repeat(2000) });
      res.setHeader('content-type', 'application/json');
      if (req.headers['accept-encoding']?.includes('gzip')) {
        res.setHeader('content-encoding', 'gzip');
        const zipped = gzipSync(body);
        res.writeHead(status, { 'x-route': 'yes' });
        res.write(zipped.subarray(0, 10));
        res.end(zipped.subarray(10));
      } else {
        res.writeHead(status, { 'x-route': 'yes' });
        res.write(body.slice(0, 100));
        res.end(body.slice(100));
      }
    }, delayMs);
    });
  server = createServer(answerFront(next, options));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handler };
}

/** A request whose client hangs up after `ms`. */
function abortAfter(url: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = get(url, () => {});
    req.on('error', () => resolve());
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

function fetchRaw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('answer front', () => {
  it('gives identical API requests in flight one answer: byte for byte, headers and status kept', async () => {
    const { url, handler } = await start({});
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetchRaw(`${url}/api/models/m/compare?window=12h`)));
    expect(handler.calls).toHaveLength(1);
    const first = answers[0].body.toString();
    expect(JSON.parse(first)).toMatchObject({ url: '/api/models/m/compare?window=12h', n: 1 });
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.toString()).toBe(first);
      expect(a.headers['content-type']).toBe('application/json');
      expect(a.headers['x-route']).toBe('yes');
    }
    expect(answers.filter((a) => a.headers['x-driftwatch-computed'] === 'shared')).toHaveLength(19);
  });

  it('keeps answers for different URLs, encodings and identities apart', async () => {
    const { url, handler } = await start({});
    const path = `${url}/api/models/m/compare?window=12h`;
    const [plain, zipped, alice, other] = await Promise.all([
      fetchRaw(path),
      fetchRaw(path, { 'accept-encoding': 'gzip' }),
      fetchRaw(path, { authorization: 'Bearer alice' }),
      fetchRaw(`${url}/api/models/m/compare?window=6h`),
    ]);
    expect(handler.calls).toHaveLength(4);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.body).toString()).url).toBe('/api/models/m/compare?window=12h');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(alice.body.toString()).url).toBe('/api/models/m/compare?window=12h');
    expect(JSON.parse(other.body.toString()).url).toBe('/api/models/m/compare?window=6h');
  });

  it('asks again once the answer is finished (no reuse by default), and reuses it for ttlMs when set', async () => {
    const once = await start({}, 5);
    await fetchRaw(`${once.url}/api/models`);
    await fetchRaw(`${once.url}/api/models`);
    expect(once.handler.calls).toHaveLength(2);
    await stop();

    const reused = await start({ ttlMs: 60_000 }, 5);
    const a = await fetchRaw(`${reused.url}/api/models`);
    const b = await fetchRaw(`${reused.url}/api/models`);
    expect(reused.handler.calls).toHaveLength(1);
    expect(b.body.equals(a.body)).toBe(true);
    expect(b.headers['x-driftwatch-computed']).toBe('cached');
  });

  it('does not reuse errors after they finish, and never shares pages or non-GET requests', async () => {
    const failing = await start({ ttlMs: 60_000 }, 5, 500);
    await fetchRaw(`${failing.url}/api/models`);
    await fetchRaw(`${failing.url}/api/models`);
    expect(failing.handler.calls).toHaveLength(2);
    await stop();

    const pages = await start({}, 20);
    await Promise.all([fetchRaw(`${pages.url}/alerts`), fetchRaw(`${pages.url}/alerts`)]);
    expect(pages.handler.calls).toHaveLength(2);
  });

  it('lets at most heavySlots computing requests into the handler, and answers 503 + Retry-After when the line is full', async () => {
    const { url, handler } = await start({ heavySlots: 2, heavyWaiting: 3 }, 300);
    const distinct = Array.from({ length: 8 }, (_, i) => fetchRaw(`${url}/api/models/m/compare?from=2026-11-01T0${i}:00:00Z`));
    // A cheap route is not held up by the line of heavy ones: it reaches the handler before any
    // waiting heavy request does (those wait 300 ms for a slot).
    const cheap = await fetchRaw(`${url}/api/models`);
    const answers = await Promise.all(distinct);
    expect(cheap.status).toBe(200);
    expect(handler.calls.indexOf('/api/models')).toBeLessThanOrEqual(2);
    expect(handler.maxRunning).toBeLessThanOrEqual(3); // 2 heavy + the cheap one
    const busy = answers.filter((a) => a.status === 503);
    expect(busy).toHaveLength(3); // 8 = 2 running + 3 waiting + 3 refused
    for (const b of busy) {
      expect(b.headers['retry-after']).toBe('1');
      expect(JSON.parse(b.body.toString())).toMatchObject({ code: 'unavailable', error: expect.stringMatching(/busy/) });
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
  });

  it('answers a page refused for lack of room with a 503 HTML page', async () => {
    const { url } = await start({ heavySlots: 1, heavyWaiting: 0 }, 60);
    const [first, second] = await Promise.all([fetchRaw(`${url}/models/m`), fetchRaw(`${url}/models/m?window=6h`)]);
    expect([first.status, second.status].sort()).toEqual([200, 503]);
    const refused = first.status === 503 ? first : second;
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(refused.body.toString()).toMatch(/busy/);
  });

  it('holds a slot until the handler is done even when the client left, and frees the place of a client that left while waiting', async () => {
    const { url, handler } = await start({ heavySlots: 2, heavyWaiting: 2 }, 150);
    // Ten different computing requests whose clients give up after 30 ms: never more than 2 run.
    await Promise.all(Array.from({ length: 10 }, (_, i) => abortAfter(`${url}/api/models/m/compare?window=${i + 1}h`, 30)));
    await new Promise((r) => setTimeout(r, 400));
    expect(handler.maxRunning).toBe(2);
    // The 2 that ran took their slots to the end; the waiters that left gave up their places,
    // so a real request now gets in.
    const real = await fetchRaw(`${url}/api/models/m/compare?window=99h`);
    expect(real.status).toBe(200);
  });

  it('when the client of the first request leaves, the ones sharing it get an answer through one new first request', async () => {
    const { url, handler } = await start({ heavySlots: 2 }, 100);
    const path = `${url}/api/models/m/compare?window=12h`;
    const leader = abortAfter(path, 20);
    await new Promise((r) => setTimeout(r, 5));
    const followers = Array.from({ length: 10 }, () => fetchRaw(path));
    await leader;
    const answers = await Promise.all(followers);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(handler.calls).toHaveLength(2);
    expect(handler.maxRunning).toBeLessThanOrEqual(2);
  });

  it('a handler that throws or rejects answers 500 and the server lives on', async () => {
    const failing: RequestHandler = (req) => {
      if (req.url?.includes('throw')) throw new Error('boom');
      return Promise.reject(new Error('boom'));
    };
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (e: unknown) => errors.push(e);
    try {
      server = createServer(answerFront(failing));
      await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetchRaw(`${base}/api/models/m/compare?throw=1`)).status).toBe(500);
      expect((await fetchRaw(`${base}/models/m`)).status).toBe(500);
      expect((await fetchRaw(`${base}/api/models`)).status).toBe(500);
      expect(errors).toHaveLength(3);
    } finally {
      console.error = original;
    }
  });

  it('classifies the path as Next routes it (leading slashes, absolute form)', () => {
    expect(routedPath('//api/models/m/compare?x=1')).toBe('/api/models/m/compare?x=1');
    expect(routedPath('http://example.com/api/models')).toBe('/api/models');
    expect(routedPath('http://example.com')).toBe('/');
    expect(isHeavyRoute(routedPath('///models/m'))).toBe(true);
  });

  it('knows which routes may compute', () => {
    expect(isHeavyRoute('/api/models/m/compare?window=12h')).toBe(true);
    expect(isHeavyRoute('/api/models/m/trend')).toBe(true);
    expect(isHeavyRoute('/api/models/m/features/f?x=1')).toBe(true);
    expect(isHeavyRoute('/models/m')).toBe(true);
    expect(isHeavyRoute('/models/m/features/f')).toBe(true);
    expect(isHeavyRoute('/api/models')).toBe(false);
    expect(isHeavyRoute('/api/models/m/alerts')).toBe(false);
    expect(isHeavyRoute('/alerts')).toBe(false);
    expect(isHeavyRoute('/')).toBe(false);
  });
});
