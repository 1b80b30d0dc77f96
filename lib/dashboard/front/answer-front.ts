import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The answer front: in front of Next's request handler, identical API requests in flight get one
 * answer. Next costs 4–10 ms of its single request thread per request even when the answer is
 * already in memory (routing, web streams, tracing, compression); a hundred people on one view
 * queue behind each other for that alone. Here a request whose twin is running waits for the
 * twin's bytes and costs ~0.1 ms; a finished 200 may also be reused for `ttlMs` (default 0: a
 * replaced store file shows at once).
 *
 * Only GET requests under /api/ take part, keyed by the URL and every header an answer may depend
 * on (identity, encoding). Answers larger than `maxBytes` are not shared: the waiting twins then
 * ask Next themselves.
 */
export interface AnswerFrontOptions {
  /** How long a finished 200 answer is reused (ms); 0: only requests in flight share. */
  ttlMs?: number;
  /** Largest answer kept (bytes, after compression). */
  maxBytes?: number;
  /** Most answers kept for reuse (oldest dropped first). */
  maxEntries?: number;
  /** The header set on shared answers: `shared` while in flight, `cached` when reused. */
  outcomeHeader?: string;
  /**
   * Requests for routes that may compute (compare, feature, trend) in Next at once; the others
   * wait here, where waiting costs nothing, so a cheap route (the overview, a page) never queues
   * behind a hundred of them on Next's one request thread. Default 4.
   */
  heavySlots?: number;
  /** Heavy requests allowed to wait for a slot; one more is answered 503 with Retry-After. Default 256. */
  heavyWaiting?: number;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

interface Entry {
  /** The answer, or null when it could not be shared (too large, failed, not finished). */
  answer: Promise<Answer | null>;
  done: boolean;
  at: number;
}

/** Headers that change an answer: identity and how it is encoded. */
const VARY = ['authorization', 'cookie', 'accept-encoding', 'x-forwarded-proto', 'host', 'x-driftwatch-peer'];

/**
 * Requests that may run a heavy computation: the compare, feature and trend routes, and the
 * model and feature pages (they prefetch the same views on the server).
 */
export function isHeavyRoute(url: string): boolean {
  return /^\/api\/models\/[^/?]+\/(compare|trend|features\/[^/?]+)(\?|$)/.test(url) || /^\/models\/[^/?]+(\/features\/[^/?]+)?\/?(\?|$)/.test(url);
}

export function answerKey(req: IncomingMessage, path = routedPath(req.url)): string | undefined {
  if (req.method !== 'GET' || !path.startsWith('/api/')) return undefined;
  // Conditional and range requests answer differently for the same URL: not shared.
  if (req.headers.range || req.headers['if-none-match'] || req.headers['if-modified-since']) return undefined;
  return [path, ...VARY.map((h) => String(req.headers[h] ?? ''))].join('\n');
}

/**
 * Run `handle` for `res` and capture what it writes: status, headers and body (already
 * compressed, as sent). Resolves null when the body outgrows `maxBytes` or the response fails.
 */
function capture(res: ServerResponse, maxBytes: number): Promise<Answer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    let explicit: OutgoingHttpHeaders = {};
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
      size += bytes.length;
      if (size > maxBytes) {
        overflow = true;
        chunks.length = 0;
      } else chunks.push(bytes);
    };
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a, i) => i > 0 && typeof a === 'object' && a !== null);
      if (headers && !Array.isArray(headers)) explicit = { ...(headers as OutgoingHttpHeaders) };
      return writeHead(...args);
    }) as ServerResponse['writeHead'];
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
    res.once('finish', () => {
      if (overflow) return resolve(null);
      const headers: OutgoingHttpHeaders = { ...res.getHeaders(), ...explicit };
      // Per-connection headers are the connection's, not the answer's.
      for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'date']) delete headers[h];
      resolve({ status: res.statusCode, headers, body: Buffer.concat(chunks) });
    });
    res.once('close', () => {
      if (!res.writableFinished) resolve(null);
    });
  });
}

function send(res: ServerResponse, answer: Answer, outcome: string, outcomeHeader: string): void {
  const headers: OutgoingHttpHeaders = { ...answer.headers, 'content-length': answer.body.length };
  if (outcomeHeader in headers || answer.status === 200) headers[outcomeHeader] = outcome;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/**
 * A counting semaphore with a bounded line. `enter(go)` runs `go` now or when a slot frees, and
 * returns a cancel for a waiter that leaves (a client that hung up does not keep a place); or
 * returns false when the line is full. Whoever ran `go` calls `leave` once.
 */
class Lane {
  private running = 0;
  private readonly line = new Set<() => void>();

  constructor(
    private readonly slots: number,
    private readonly maxWaiting: number,
  ) {}

  enter(go: () => void): (() => void) | false {
    if (this.running < this.slots) {
      this.running++;
      go();
      return () => {};
    }
    if (this.line.size >= this.maxWaiting) return false;
    this.line.add(go);
    return () => this.line.delete(go);
  }

  leave(): void {
    const next = this.line.values().next();
    if (next.done) {
      this.running--;
      return;
    }
    this.line.delete(next.value);
    next.value();
  }

  get waiting(): number {
    return this.line.size;
  }
}

/** 503 with Retry-After: the API's JSON error, or for a page a small HTML page saying the same. */
function busy(path: string, res: ServerResponse, waiting: number): void {
  const message = `the dashboard is busy: ${waiting} requests are waiting for a computation; retry in a second`;
  const api = path.startsWith('/api/');
  const body = api
    ? JSON.stringify({ error: message, code: 'unavailable' })
    : `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Busy · driftwatch</title></head><body style="font-family:system-ui,sans-serif;margin:3rem"><h1>Busy</h1><p>${message}. This page reloads by itself.</p></body></html>`;
  res.writeHead(503, { 'content-type': api ? 'application/json' : 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The request's path as Next routes it: leading slashes collapsed (Next does so) and an
 * absolute-form target (`GET http://host/path`) reduced to its path.
 */
export function routedPath(url: string | undefined): string {
  let path = url ?? '/';
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || '/';
  return path.replace(/^\/+/, '/');
}

/** Run the handler, turning a throw or a rejection into a 500 instead of a crashed server; settles when it is done. */
function run(handle: RequestHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return Promise.resolve()
    .then(() => handle(req, res))
    .then(
      () => undefined,
      (error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        if (!res.writableEnded) res.end('Internal Server Error');
      },
    );
}

/** Answers kept for reuse (ttlMs > 0) are bounded by count and by bytes, oldest dropped first. */
const MAX_REUSE_BYTES = 64 * 1024 * 1024;

export function answerFront(handle: RequestHandler, options: AnswerFrontOptions = {}): RequestHandler & { size: () => number } {
  const ttlMs = options.ttlMs ?? 0;
  const lane = new Lane(options.heavySlots ?? 4, options.heavyWaiting ?? 256);
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 1000;
  const outcomeHeader = options.outcomeHeader ?? 'x-driftwatch-computed';
  const entries = new Map<string, Entry & { bytes: number }>();
  let keptBytes = 0;

  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    keptBytes -= e.bytes;
    entries.delete(key);
  };

  /**
   * Into Next through the lane when the request may compute (a prefetch of a page does not take
   * a slot): the slot is held until Next's handler has finished with the request, whether or not
   * the client is still there, since the computation goes on regardless.
   */
  const enter = (path: string, req: IncomingMessage, res: ServerResponse): void => {
    const prefetch = req.headers['next-router-prefetch'] !== undefined || req.headers['next-router-segment-prefetch'] !== undefined;
    if (!isHeavyRoute(path) || prefetch) {
      void run(handle, req, res);
      return;
    }
    let started = false;
    const cancel = lane.enter(() => {
      started = true;
      // The client left while waiting: nothing to compute for, the slot goes to the next one.
      if (res.destroyed) return lane.leave();
      void run(handle, req, res).finally(() => lane.leave());
    });
    if (cancel === false) return busy(path, res, lane.waiting);
    res.once('close', () => {
      if (!started) cancel();
    });
  };

  const front = (req: IncomingMessage, res: ServerResponse): void => {
    const path = routedPath(req.url);
    const key = answerKey(req, path);
    if (key === undefined) return enter(path, req, res);
    const known = entries.get(key);
    if (known && (!known.done || Date.now() - known.at < ttlMs)) {
      const outcome = known.done ? 'cached' : 'shared';
      void known.answer.then((answer) => {
        if (res.destroyed) return;
        if (answer) send(res, answer, outcome, outcomeHeader);
        // The first request's answer could not be shared (its client left, it was too large):
        // this one asks again, as a new first request or sharing another's.
        else front(req, res);
      });
      return;
    }
    drop(key);
    const entry = { answer: capture(res, maxBytes), done: false, at: Date.now(), bytes: 0 };
    entries.set(key, entry);
    void entry.answer.then((answer) => {
      entry.done = true;
      entry.at = Date.now();
      if (entries.get(key) !== entry) return;
      // Reuse only complete 200s (their no-store is for browsers and proxies, not for the origin
      // itself); errors are shared only while in flight.
      if (answer === null || answer.status !== 200 || ttlMs <= 0) return drop(key);
      entry.bytes = answer.body.length;
      keptBytes += entry.bytes;
      const now = Date.now();
      for (const [k, e] of entries) {
        if (entries.size <= maxEntries && keptBytes <= MAX_REUSE_BYTES && !(e.done && now - e.at >= ttlMs)) break;
        if (e.done) drop(k);
      }
    });
    enter(path, req, res);
  };
  return Object.assign(front, { size: () => entries.size });
}
