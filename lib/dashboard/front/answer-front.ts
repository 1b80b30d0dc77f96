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
const VARY = ['authorization', 'cookie', 'accept-encoding', 'x-forwarded-proto', 'host'];

/**
 * Requests that may run a heavy computation: the compare, feature and trend routes, and the
 * model and feature pages (they prefetch the same views on the server).
 */
export function isHeavyRoute(url: string): boolean {
  return /^\/api\/models\/[^/?]+\/(compare|trend|features\/[^/?]+)(\?|$)/.test(url) || /^\/models\/[^/?]+(\/features\/[^/?]+)?\/?(\?|$)/.test(url);
}

export function answerKey(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET' || !req.url?.startsWith('/api/')) return undefined;
  // Conditional and range requests answer differently for the same URL: not shared.
  if (req.headers.range || req.headers['if-none-match'] || req.headers['if-modified-since']) return undefined;
  return [req.url, ...VARY.map((h) => String(req.headers[h] ?? ''))].join('\n');
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

/** A counting semaphore with a bounded line: `enter` resolves when a slot is free, or false when the line is full. */
class Lane {
  private running = 0;
  private readonly line: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly maxWaiting: number,
  ) {}

  enter(): Promise<boolean> | boolean {
    if (this.running < this.slots) {
      this.running++;
      return true;
    }
    if (this.line.length >= this.maxWaiting) return false;
    return new Promise((resolve) => this.line.push(() => resolve(true)));
  }

  leave(): void {
    const next = this.line.shift();
    if (next) next();
    else this.running--;
  }

  get waiting(): number {
    return this.line.length;
  }
}

/** 503 with Retry-After: the API's JSON error, or for a page a small HTML page saying the same. */
function busy(req: IncomingMessage, res: ServerResponse, waiting: number): void {
  const message = `the dashboard is busy: ${waiting} requests are waiting for a computation; retry in a second`;
  const api = req.url?.startsWith('/api/');
  const body = api
    ? JSON.stringify({ error: message, code: 'unavailable' })
    : `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Busy · driftwatch</title></head><body style="font-family:system-ui,sans-serif;margin:3rem"><h1>Busy</h1><p>${message}. This page reloads by itself.</p></body></html>`;
  res.writeHead(503, { 'content-type': api ? 'application/json' : 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function answerFront(handle: RequestHandler, options: AnswerFrontOptions = {}): RequestHandler & { size: () => number } {
  const ttlMs = options.ttlMs ?? 0;
  const lane = new Lane(options.heavySlots ?? 4, options.heavyWaiting ?? 256);
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 1000;
  const outcomeHeader = options.outcomeHeader ?? 'x-driftwatch-computed';
  const entries = new Map<string, Entry>();

  /** A heavy request that is not shared (a page): through the lane, holding a slot until its response ends. */
  const admit = (req: IncomingMessage, res: ServerResponse) => {
    const admitted = lane.enter();
    if (admitted === false) return busy(req, res, lane.waiting);
    let held = false;
    let gone = false;
    res.once('close', () => {
      gone = true;
      if (held) lane.leave();
      held = false;
    });
    const go = () => {
      if (gone) return lane.leave();
      held = true;
      return handle(req, res);
    };
    return admitted === true ? go() : void admitted.then(go);
  };

  const front = (req: IncomingMessage, res: ServerResponse) => {
    const heavy = isHeavyRoute(req.url ?? '');
    const key = answerKey(req);
    if (key === undefined) return heavy ? admit(req, res) : handle(req, res);
    const known = entries.get(key);
    if (known && (!known.done || Date.now() - known.at < ttlMs)) {
      const outcome = known.done ? 'cached' : 'shared';
      void known.answer.then((answer) => {
        if (res.destroyed) return;
        if (answer) send(res, answer, outcome, outcomeHeader);
        else handle(req, res);
      });
      return;
    }
    const admitted = heavy ? lane.enter() : true;
    if (admitted === false) return busy(req, res, lane.waiting);
    // A slot is held from admission until the answer is finished (or the client has gone).
    let held = admitted === true && heavy;
    let finished = false;
    const entry: Entry = { answer: capture(res, maxBytes), done: false, at: Date.now() };
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    void entry.answer.then((answer) => {
      entry.done = true;
      entry.at = Date.now();
      finished = true;
      if (held) lane.leave();
      held = false;
      // Reuse only complete 200s (their no-store is for browsers and proxies, not for the origin
      // itself); errors are shared only while in flight.
      const reusable = answer !== null && answer.status === 200 && ttlMs > 0;
      if (!reusable && entries.get(key) === entry) entries.delete(key);
    });
    if (admitted === true) return handle(req, res);
    void admitted.then(() => {
      // The client left while waiting: give the slot back.
      if (finished || res.destroyed) return lane.leave();
      held = true;
      return handle(req, res);
    });
  };
  return Object.assign(front, { size: () => entries.size });
}
