import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelConfig, createNotifier, emptyOutbox, evaluateAlerts, mergeIntoOutbox, sendOutbox,
  type AlertEvent, type ChannelConfigInput,
} from '@/lib/alerts';
import { rule, sequence } from './points';

/** Real loopback receivers: the notifiers run with Node's own fetch, only backoff values are small. */
interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
interface Receiver {
  url: string;
  received: Received[];
  server: Server;
}

type Reply = (res: ServerResponse, requestNumber: number) => void;

async function startReceiver(reply: Reply): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      reply(res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const send = (res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
};

const EVENT: AlertEvent = evaluateAlerts([rule()], {}, sequence('dd', { hint: 'values look ×1000 larger: seconds sent as milliseconds?' })).events[0];

function webhook(url: string, input: Partial<ChannelConfigInput> = {}): ChannelConfig {
  return ChannelConfig.parse({ name: 'hook', type: 'webhook', url, timeout_ms: 1000, max_attempts: 5, backoff_ms: 10, max_backoff_ms: 50, ...input });
}

/** Real sleep, recorded: proves which delay was chosen while keeping the suite fast. */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = (ms: number) => {
    delays.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  return { delays, sleep };
}

let flaky: Receiver;
let limited: Receiver;
let broken: Receiver;
let hanging: Receiver;
let slack: Receiver;
let rejecting: Receiver;
let closedUrl: string;

beforeAll(async () => {
  flaky = await startReceiver((res, n) => (n <= 2 ? send(res, 503, 'warming up') : send(res, 204)));
  limited = await startReceiver((res, n) => (n === 1 ? send(res, 429, 'slow down', { 'retry-after': '1' }) : send(res, 200)));
  broken = await startReceiver((res) => send(res, 500, 'internal error'));
  hanging = await startReceiver(() => undefined);
  slack = await startReceiver((res) => send(res, 200, 'ok'));
  rejecting = await startReceiver((res) => send(res, 400, 'invalid_payload'));
  const gone = await startReceiver((res) => send(res, 200));
  closedUrl = gone.url;
  await new Promise<void>((resolve) => gone.server.close(() => resolve()));
});

afterAll(async () => {
  await Promise.all(
    [flaky, limited, broken, hanging, slack, rejecting].map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe('notifiers against real HTTP receivers on loopback', () => {
  it('webhook: retries two 503s, then delivers; every body is the event as JSON', async () => {
    const { sleep, delays } = recordingSleep();
    const result = await createNotifier(webhook(flaky.url), { sleep }).send(EVENT);
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(delays).toHaveLength(2);
    expect(flaky.received).toHaveLength(3);
    for (const request of flaky.received) {
      expect(JSON.parse(request.body)).toEqual(EVENT);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-driftwatch-event-id']).toBe(EVENT.id);
    }
  });

  it('429 with Retry-After: 1 waits the Retry-After, capped by max_backoff_ms', async () => {
    const { sleep, delays } = recordingSleep();
    const started = performance.now();
    const result = await createNotifier(webhook(limited.url, { max_backoff_ms: 50 }), { sleep }).send(EVENT);
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(delays).toEqual([50]);
    expect(limited.received).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('a receiver that always fails: undelivered after max_attempts, and the outbox keeps it', async () => {
    const rules = [rule({ channels: ['hook'] })];
    const notifier = createNotifier(webhook(broken.url, { max_attempts: 3 }));
    const { outbox } = mergeIntoOutbox(emptyOutbox(), [EVENT], rules);
    const round = await sendOutbox(outbox, [notifier]);
    expect(round.report.delivered).toEqual([]);
    expect(round.report.undelivered).toEqual([
      { delivery: outbox.entries[0], error: 'HTTP 500 from webhook channel "hook": internal error', retryable: true, attempts: 3 },
    ]);
    expect(round.outbox.entries).toEqual([{ event: EVENT, channel: 'hook', rounds: 1, last_error: 'HTTP 500 from webhook channel "hook": internal error', attempts: 3, last_attempt_at: round.at }]);
    expect(broken.received).toHaveLength(3);
  });

  it('a receiver that hangs: each attempt is aborted after timeout_ms', async () => {
    const started = performance.now();
    const result = await createNotifier(webhook(hanging.url, { timeout_ms: 100, max_attempts: 2 })).send(EVENT);
    expect(result).toEqual({ ok: false, attempts: 2, retryable: true, error: 'webhook channel "hook": timed out after 100 ms' });
    expect(hanging.received).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a closed port: connection refused is retried and reported', async () => {
    const result = await createNotifier(webhook(closedUrl, { max_attempts: 2 })).send(EVENT);
    expect(result).toMatchObject({ ok: false, attempts: 2, retryable: true });
    expect(result.ok === false && result.error).toMatch(/^webhook channel "hook": fetch failed: .*ECONNREFUSED/);
  });

  it('a 400 is not retried', async () => {
    const result = await createNotifier(webhook(rejecting.url)).send(EVENT);
    expect(result).toEqual({ ok: false, attempts: 1, retryable: false, error: 'HTTP 400 from webhook channel "hook": invalid_payload' });
    expect(rejecting.received).toHaveLength(1);
  });

  it('slack: the body has the message as text, plus blocks', async () => {
    const channel = ChannelConfig.parse({ name: 'team', type: 'slack', url: slack.url });
    expect(await createNotifier(channel).send(EVENT)).toEqual({ ok: true, attempts: 1 });
    const body = JSON.parse(slack.received[0].body);
    expect(body.text).toBe(EVENT.message);
    expect(body.text).toBe('checkout-fraud · time_to_order: drift (area 0.97 ≥ 0.12) since 2026-11-29 00:00 UTC — values look ×1000 larger: seconds sent as milliseconds?');
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'context']);
  });
});
