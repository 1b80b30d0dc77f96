import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs, ChannelConfig, createNotifier, evaluateAlerts, logLine, retryAfterMs,
  type AlertEvent, type ChannelConfigInput, type FetchLike,
} from '@/lib/alerts';
import { rule, sequence } from './points';

const EVENT: AlertEvent = evaluateAlerts([rule()], {}, sequence('dd', { hint: 'a <b> & c' })).events[0];

type Step = { status: number; headers?: Record<string, string>; body?: string } | Error;

/** A fetch that replays `steps` and records each request; past the end it repeats the last step. */
function fakeFetch(steps: Step[]) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const next = steps[Math.min(calls.length, steps.length) - 1];
    if (next instanceof Error) throw next;
    return new Response(next.body ?? null, { status: next.status, headers: next.headers });
  };
  return { fetch, calls };
}

function fakeSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function channel(input: Partial<ChannelConfigInput> = {}): ChannelConfig {
  return ChannelConfig.parse({ name: 'hook', type: 'webhook', url: 'http://receiver.test/hook', backoff_ms: 100, max_backoff_ms: 1000, ...input });
}

describe('http notifier retries', () => {
  it('posts the event as JSON with an idempotency header and stops at the first success', async () => {
    const { fetch, calls } = fakeFetch([{ status: 204 }]);
    const result = await createNotifier(channel({ headers: { authorization: 'Bearer t' } }), { fetch }).send(EVENT);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://receiver.test/hook');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toEqual({ authorization: 'Bearer t', 'content-type': 'application/json', 'x-driftwatch-event-id': EVENT.id });
    expect(JSON.parse(String(calls[0].init.body))).toEqual(EVENT);
  });

  it('retries 5xx and network errors with exponential, capped, jittered backoff', async () => {
    const { fetch, calls } = fakeFetch([{ status: 503 }, new TypeError('fetch failed'), { status: 500 }, { status: 502 }, { status: 503 }, { status: 200 }]);
    const { sleep, delays } = fakeSleep();
    const result = await createNotifier(channel({ max_attempts: 6 }), { fetch, sleep, random: () => 0.5 }).send(EVENT);
    expect(result).toEqual({ ok: true, attempts: 6 });
    expect(calls).toHaveLength(6);
    // step = min(1000, 100·2^(n−1)); delay = step/2 + 0.5·step/2 = 0.75·step
    expect(delays).toEqual([75, 150, 300, 600, 750]);
  });

  it('gives up after max_attempts with the last error, not retrying after the last attempt', async () => {
    const { fetch, calls } = fakeFetch([{ status: 503, body: 'maintenance' }]);
    const { sleep, delays } = fakeSleep();
    const result = await createNotifier(channel({ max_attempts: 3 }), { fetch, sleep }).send(EVENT);
    expect(result).toEqual({ ok: false, attempts: 3, retryable: true, error: 'HTTP 503 from webhook channel "hook": maintenance' });
    expect(calls).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('does not retry a 4xx other than 429', async () => {
    for (const status of [400, 401, 404, 413]) {
      const { fetch, calls } = fakeFetch([{ status }]);
      const result = await createNotifier(channel(), { fetch, sleep: fakeSleep().sleep }).send(EVENT);
      expect(result).toMatchObject({ ok: false, attempts: 1, retryable: false });
      expect(calls).toHaveLength(1);
    }
  });

  it('honours Retry-After seconds on 429 and 503, capped by max_backoff_ms', async () => {
    const { fetch } = fakeFetch([{ status: 429, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': '120' } }, { status: 200 }]);
    const { sleep, delays } = fakeSleep();
    const result = await createNotifier(channel({ max_backoff_ms: 5000 }), { fetch, sleep }).send(EVENT);
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(delays).toEqual([1000, 5000]);
  });

  it('names the cause of a network error but never the url', async () => {
    const { fetch } = fakeFetch([new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.0.0.1:443') })]);
    const result = await createNotifier(channel({ type: 'slack', max_attempts: 1, url: 'https://hooks.slack.test/services/SECRET' }), { fetch }).send(EVENT);
    expect(result).toEqual({ ok: false, attempts: 1, retryable: true, error: 'slack channel "hook": fetch failed: connect ECONNREFUSED 10.0.0.1:443' });
  });

  it('aborts a request that outlives timeout_ms', async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const result = await createNotifier(channel({ timeout_ms: 20, max_attempts: 2 }), { fetch: hanging, sleep: fakeSleep().sleep }).send(EVENT);
    expect(result).toEqual({ ok: false, attempts: 2, retryable: true, error: 'webhook channel "hook": timed out after 20 ms' });
  });
});

describe('backoff helpers', () => {
  it('backoff stays within [step/2, step] and is capped', () => {
    expect(backoffDelayMs(1, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelayMs(1, 500, 30_000, () => 0.999999)).toBe(500);
    expect(backoffDelayMs(4, 500, 30_000, () => 0)).toBe(2000);
    expect(backoffDelayMs(20, 500, 30_000, () => 1)).toBe(30_000);
  });

  it('reads Retry-After seconds only', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(' 2.5 ')).toBe(2500);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT')).toBeUndefined();
  });
});

describe('slack and log notifiers', () => {
  it('slack gets {text, blocks} with the message, mrkdwn-escaped in blocks', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: 'ok' }]);
    await createNotifier(channel({ type: 'slack' }), { fetch }).send(EVENT);
    const body = JSON.parse(String(calls[0].init.body));
    expect(body.text).toBe(EVENT.message);
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: *Firing* ${EVENT.message.replace('<b> &', '&lt;b&gt; &amp;')}` } });
    expect(body.blocks[1].type).toBe('context');
  });

  it('log writes one line and reports a throwing logger as a failure', async () => {
    const lines: string[] = [];
    const log = ChannelConfig.parse({ name: 'console', type: 'log' });
    expect(await createNotifier(log, { log: (line) => void lines.push(line) }).send(EVENT)).toEqual({ ok: true, attempts: 1 });
    expect(lines).toEqual([logLine(EVENT)]);
    expect(lines[0]).toBe(`alert FIRING [drift] ${EVENT.message} (id ${EVENT.id})`);
    expect(lines[0].includes('\n')).toBe(false);
    const broken = createNotifier(log, { log: () => { throw new Error('EPIPE'); } });
    expect(await broken.send(EVENT)).toEqual({ ok: false, attempts: 1, retryable: true, error: 'log channel "console": EPIPE' });
  });
});
