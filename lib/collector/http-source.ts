import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SPOOL_RETRY_AFTER_SECONDS } from './spool';
import { BackpressureError, type Intake, type Source } from './types';

/** A POST body (after gunzip) larger than this answers 413; nothing of it is kept. */
export const MAX_BODY_BYTES = 64 << 20;
export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 4318 } as const;
/** Bytes of request bodies (decompressed) being read or handed to the intake, across requests (default). */
export const DEFAULT_MAX_INFLIGHT_BODY_BYTES = 256 << 20;
/** Connections the listener takes at once; more are refused by the kernel backlog / closed. */
export const MAX_CONNECTIONS = 1_024;
/** A request must be complete (headers and body) within this; headers within the other. */
export const REQUEST_TIMEOUT_MS = 60_000;
export const HEADERS_TIMEOUT_MS = 30_000;
const BUDGET_RETRY_AFTER_S = 1;

/**
 * The memory bound of bodies before the intake's own accounting: every byte read (after gunzip,
 * blank lines included) is reserved here while its request is read and handed to the intake;
 * a request that would pass the budget is answered 503 (the rest of its body is discarded).
 */
export class BodyBudget {
  inUse = 0;
  /** The most ever reserved at once (tests, metrics). */
  peak = 0;
  refused = 0;
  constructor(readonly maxBytes: number) {}
  reserve(bytes: number): boolean {
    if (this.inUse + bytes > this.maxBytes) return false;
    this.inUse += bytes;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return true;
  }
  release(bytes: number): void {
    this.inUse = Math.max(0, this.inUse - bytes);
  }
}

/** Retry-After (seconds) while the collector is shutting down. */
const SHUTDOWN_RETRY_AFTER_S = 5;

export interface ListenAddress {
  host: string;
  port: number;
}

/** `/healthz`: `ok` picks 200 or 503; the rest is the JSON body. */
export interface HealthAnswer {
  ok: boolean;
  body: Record<string, unknown>;
}

/**
 * The rest of a body not taken (413, 503, …) is read and thrown away, so the client, still
 * uploading, gets the answer instead of a broken pipe; one that does not end in 10 s is cut.
 */
function discardRest(req: IncomingMessage): void {
  const timer = setTimeout(() => req.destroy(), 10_000).unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.unpipe();
  req.resume();
}

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const sendError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => sendJson(res, status, { error: code, message }, headers);

/**
 * Read a request body, gunzipping `Content-Encoding: gzip`, without ever holding more than
 * `maxBytes` of it (compressed or not): a larger body rejects with a 413 answer.
 */
async function readBody(req: IncomingMessage, maxBytes: number, budget: BodyBudget): Promise<{ body: Buffer; reserved: number }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new HttpAnswer(413, 'too_large', `the body is ${declared} bytes; the limit is ${maxBytes} bytes (${maxBytes >> 20} MiB): split it`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gunzip = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : undefined;
  const stream: Readable = gunzip ? req.pipe(gunzip) : req;
  if (!gunzip && encoding !== 'identity' && encoding !== '') throw new HttpAnswer(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported: send identity or gzip`);
  // Events, not `for await`: leaving an async iterator destroys the request, and the client would see a reset instead of the answer.
  return new Promise<{ body: Buffer; reserved: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      budget.release(size);
      stream.off('data', onData);
      if (gunzip) {
        req.unpipe(gunzip);
        gunzip.destroy();
      }
      reject(answer);
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      if (!budget.reserve(chunk.length)) {
        budget.refused++;
        fail(new HttpAnswer(503, 'unavailable', `the collector is reading too many request bodies at once (${budget.maxBytes >> 20} MiB): retry after ${BUDGET_RETRY_AFTER_S} s`, { 'retry-after': String(BUDGET_RETRY_AFTER_S) }));
        return;
      }
      size += chunk.length;
      if (size > maxBytes) fail(new HttpAnswer(413, 'too_large', `the body is over the limit of ${maxBytes} bytes (${maxBytes >> 20} MiB)${stream === req ? '' : ' after decompression'}: split it`));
      else chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks, size), reserved: size });
    });
    stream.once('error', (error: Error) => fail(new HttpAnswer(400, 'bad_request', stream === req ? 'the request body could not be read' : `the gzip body could not be decompressed: ${error.message}`)));
    req.once('close', () => {
      if (!req.complete) fail(new HttpAnswer(400, 'bad_request', 'the request body ended early'));
    });
  });
}

/**
 * The HTTP source: `POST /v1/events` hands the body to the intake with spool durability and answers
 * 202 with the counts once the intake resolved (the accepted events are fsynced in the spool).
 */
export class HttpEventsSource implements Source {
  readonly name = 'http';
  private intake: Intake | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Bodies being read or handed to the intake: the in-flight memory bound across requests. */
  readonly budget: BodyBudget;

  constructor(private readonly options: { maxBodyBytes?: number; maxInFlightBodyBytes?: number; log?: (line: string) => void } = {}) {
    this.budget = new BodyBudget(options.maxInFlightBodyBytes ?? DEFAULT_MAX_INFLIGHT_BODY_BYTES);
  }

  async start(intake: Intake): Promise<void> {
    this.intake = intake;
  }

  /** New requests answer 503 (shutting down); requests already handed to the intake finish. */
  async stop(): Promise<void> {
    this.intake = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const intake = this.intake;
    if (!intake) throw new HttpAnswer(503, 'unavailable', 'the collector is shutting down: retry shortly', { 'retry-after': String(SHUTDOWN_RETRY_AFTER_S) });
    // Answer 503 before reading a body the intake cannot take (counted like the intake's own refusals).
    if (intake.full) {
      intake.metrics.inc('backpressure_total');
      throw new HttpAnswer(503, 'unavailable', `the collector is full (spool or memory): retry after ${SPOOL_RETRY_AFTER_SECONDS} s`, { 'retry-after': String(SPOOL_RETRY_AFTER_SECONDS) });
    }
    let read: { body: Buffer; reserved: number };
    try {
      read = await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES, this.budget);
    } catch (error) {
      if (error instanceof HttpAnswer && error.status === 503) intake.metrics.inc('backpressure_total');
      throw error;
    }
    const { body, reserved } = read;
    // Stopped while the body was read: the intake is being closed, so this one is not taken.
    if (!this.intake) {
      this.budget.release(reserved);
      throw new HttpAnswer(503, 'unavailable', 'the collector is shutting down: retry shortly', { 'retry-after': String(SHUTDOWN_RETRY_AFTER_S) });
    }
    const accepted = intake.accept(body, { source: 'http', durability: 'spool' });
    this.inFlight.add(accepted);
    try {
      const r = await accepted;
      sendJson(res, 202, { accepted: r.accepted, rejected: r.rejected, reasons: r.reasons, duplicates: r.duplicates });
    } catch (error) {
      if (error instanceof BackpressureError || (error as Error)?.name === 'BackpressureError') {
        const retryAfter = Math.max(1, Math.ceil((error as BackpressureError).retryAfterSeconds ?? 1));
        // The intake's message names the spool's path: it stays on this side.
        throw new HttpAnswer(503, 'unavailable', `the collector is full (spool or memory): retry after ${retryAfter} s`, { 'retry-after': String(retryAfter) });
      }
      throw error;
    } finally {
      this.inFlight.delete(accepted);
      this.budget.release(reserved);
    }
  }
}

export interface CollectorServerOptions {
  listen?: Partial<ListenAddress>;
  /** Serves `POST /v1/events` when given (the http source is on). */
  events?: HttpEventsSource;
  /** Prometheus text of every metric, sources' gauges refreshed first. */
  metrics: () => Promise<string>;
  health: () => Promise<HealthAnswer>;
  log?: (line: string) => void;
}

const ROUTES: Record<string, string[]> = { '/v1/events': ['POST'], '/metrics': ['GET', 'HEAD'], '/healthz': ['GET', 'HEAD'] };

/** The collector's one HTTP listener: `/v1/events` (with the http source), `/metrics`, `/healthz`. */
export class CollectorServer {
  private server: Server | undefined;

  constructor(private readonly options: CollectorServerOptions) {}

  /** Listen; resolves with the bound address (port 0 picks a free port). */
  async listen(): Promise<ListenAddress> {
    const server = createServer({ keepAlive: true, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS }, (req, res) => void this.route(req, res));
    // Clients send many requests on one connection; stay above common client idle timeouts.
    server.keepAliveTimeout = 65_000;
    // Each connection costs memory (sockets, parsers, a body being read): a bound on them.
    server.maxConnections = MAX_CONNECTIONS;
    this.server = server;
    const host = this.options.listen?.host ?? DEFAULT_LISTEN.host;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${host}:${this.options.listen?.port ?? DEFAULT_LISTEN.port}`;
        if (error.code === 'EADDRINUSE') reject(new Error(`cannot listen on ${where}: the address is in use (another collector?); choose another with --listen`));
        else if (error.code === 'EACCES') reject(new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another with --listen`));
        else reject(error);
      });
      server.listen(this.options.listen?.port ?? DEFAULT_LISTEN.port, host, () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Stop listening; idle connections close now, busy ones after their answer (or at `timeoutMs`). */
  async close(timeoutMs = 5_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      const methods = ROUTES[path];
      if (!methods || (path === '/v1/events' && !this.options.events)) throw new HttpAnswer(404, 'not_found', `no such path: ${path.slice(0, 200)} (POST /v1/events, GET /metrics, GET /healthz)`);
      if (!methods.includes(req.method ?? '')) throw new HttpAnswer(405, 'method_not_allowed', `${req.method} is not allowed on ${path}: use ${methods.join(' or ')}`, { allow: methods.join(', ') });
      if (path === '/v1/events') return await this.options.events!.handle(req, res);
      if (path === '/metrics') {
        const text = await this.options.metrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      const health = await this.options.health();
      sendJson(res, health.ok ? 200 : 503, health.body);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpAnswer) {
        sendError(res, error.status, error.code, error.message, error.headers);
        if (!req.complete) discardRest(req);
        return;
      }
      // Never a stack or a server path in the answer: the log has the message.
      this.options.log?.(`collect: ${req.method} ${req.url?.slice(0, 100)} failed: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
      sendError(res, 500, 'internal', 'the collector could not take this request; it was not acknowledged: retry');
      if (!req.complete) discardRest(req);
    }
  }
}
