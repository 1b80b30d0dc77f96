import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { TransportError, type HttpTransportOptions, type SendResult, type Transport } from './types.js';

const gzip = promisify(gzipCallback);
const MAX_ANSWER_BYTES = 64 << 10;

/** `http://host:port` → `http://host:port/v1/events`; a URL already ending in /v1/events is kept. */
export function eventsUrl(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/v1/events')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/events`;
  return url;
}

/** Seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** `rejected` of the collector's `202 {"accepted": n, "rejected": m, …}`; 0 when the answer says nothing. */
export function rejectedIn(answer: string): number {
  try {
    const rejected = (JSON.parse(answer) as { rejected?: unknown }).rejected;
    return typeof rejected === 'number' && Number.isInteger(rejected) && rejected > 0 ? rejected : 0;
  } catch {
    return 0;
  }
}

/**
 * POST /v1/events with an NDJSON body. 2xx (the collector answers 202) = sent; 503, 429, 408 and
 * other 5xx are retried (Retry-After honoured by the logger up to its cap); any other 4xx drops
 * the batch as `rejected`. One keep-alive socket; it is unref'd so it never holds the process open.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const url = eventsUrl(options.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new TypeError(`transport.url must be http: or https:; got ${url.protocol}`);
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const request = secure ? httpsRequest : httpRequest;
  const baseHeaders = { 'content-type': 'application/x-ndjson', ...options.headers, ...(options.gzip ? { 'content-encoding': 'gzip' } : {}) };

  const transport: Transport = {
    send: (body: string, signal: AbortSignal) => transport.sendBytes!(Buffer.from(body, 'utf8'), signal),
    async sendBytes(body: Uint8Array, signal: AbortSignal): Promise<SendResult> {
      const payload = options.gzip ? await gzip(body, { level: 1 }) : body;
      signal.throwIfAborted();
      return new Promise<SendResult>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, signal, headers: { ...baseHeaders, 'content-length': String(payload.length) } }, (res: IncomingMessage) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (answer.length < MAX_ANSWER_BYTES) answer += chunk;
          });
          res.on('error', (e) => reject(new TransportError(`collector answer: ${e.message}`, true)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve({ rejectedByReceiver: rejectedIn(answer) });
            const detail = `collector answered ${status}${answer ? `: ${answer.slice(0, 200).trim()}` : ''}`;
            const header = res.headers['retry-after'];
            if (status >= 500 || status === 429 || status === 408) {
              return reject(new TransportError(detail, true, { retryAfterMs: parseRetryAfter(Array.isArray(header) ? header[0] : header) }));
            }
            reject(new TransportError(detail, false));
          });
        });
        req.on('socket', (socket) => socket.unref());
        req.on('error', (e) => reject(new TransportError(`POST ${url.href}: ${e.message}`, true)));
        req.end(payload);
      });
    },
    async close(): Promise<void> {
      agent.destroy();
    },
  };
  return transport;
}
