import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eventsUrl, parseRetryAfter, rejectedIn } from '@/lib/client/http-transport';
import { groupCalls, packMessages, SQS_MAX_BYTES } from '@/lib/client/sqs-transport';

describe('HTTP transport helpers', () => {
  it('posts to /v1/events under the given base, or to the full URL given', () => {
    expect(eventsUrl('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/v1/events');
    expect(eventsUrl('http://h:1/prefix/').href).toBe('http://h:1/prefix/v1/events');
    expect(eventsUrl('https://h/v1/events').href).toBe('https://h/v1/events');
  });

  it("reads the collector's rejected count from its 202 answer, 0 when absent or unreadable", () => {
    expect(rejectedIn('{"accepted":3,"rejected":2,"reasons":{"unknown_model":2},"duplicates":0}')).toBe(2);
    expect(rejectedIn('{"accepted":3}')).toBe(0);
    expect(rejectedIn('accepted')).toBe(0);
    expect(rejectedIn('{"rejected":-1}')).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('SQS splitting', () => {
  const line = (n: number, ch = 'x') => `{"model":"m","id":"${ch.repeat(n)}"}\n`;

  it('packs whole lines into messages of at most the limit and counts lines that alone exceed it', () => {
    const body = line(100) + line(100) + line(400) + line(50, 'é');
    const { messages, oversize } = packMessages(body, 300);
    expect(oversize).toBe(1);
    expect(messages.map((m) => m.body).join('')).toBe(line(100) + line(100) + line(50, 'é'));
    for (const m of messages) {
      expect(m.bytes).toBe(Buffer.byteLength(m.body));
      expect(m.bytes).toBeLessThanOrEqual(300);
      expect(m.body.endsWith('\n')).toBe(true);
    }
  });

  it('never exceeds 256 KiB per message, 10 entries or 256 KiB per call, and loses no line', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const body = sizes.map((n, i) => line(n, String.fromCharCode(97 + (i % 26)))).join('');
        const { messages, oversize } = packMessages(body, SQS_MAX_BYTES);
        expect(oversize).toBe(0);
        expect(messages.map((m) => m.body).join('')).toBe(body);
        const calls = groupCalls(messages, SQS_MAX_BYTES);
        expect(calls.flat()).toEqual(messages);
        for (const call of calls) {
          expect(call.length).toBeLessThanOrEqual(10);
          expect(call.reduce((s, m) => s + m.bytes, 0)).toBeLessThanOrEqual(SQS_MAX_BYTES);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('groups small messages ten to a call', () => {
    const messages = Array.from({ length: 23 }, () => ({ bytes: 10 }));
    expect(groupCalls(messages, SQS_MAX_BYTES).map((c) => c.length)).toEqual([10, 10, 3]);
  });
});

describe('SQS: characters SQS refuses (Minor 3)', () => {
  it('escapes lone surrogates, U+FFFE/U+FFFF and C0 controls as JSON \\uXXXX; the line still parses to the same event', async () => {
    const { sqsSafe } = await import('@/lib/client/sqs-transport');
    const value = `a\uD800b\uFFFEc\uFFFFd\u0001e😀f\uFFFDg\uDC00`;
    // A raw body as a non-conforming serialiser might write it (JSON.stringify would escape the surrogates itself).
    const line = `{"model":"m","id":"x","features":{"s":"${value}"}}\n`;
    const safe = sqsSafe(line);
    expect(safe).toBe('{"model":"m","id":"x","features":{"s":"a\\ud800b\\ufffec\\uffffd\\u0001e😀f\uFFFDg\\udc00"}}\n');
    expect(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(safe)).toBe(false);
    expect((JSON.parse(safe) as { features: { s: string } }).features.s).toBe(value);
    expect(sqsSafe('{"a":"plain é 😀"}\n')).toBe('{"a":"plain é 😀"}\n');
    const { messages } = packMessages(`{"id":"ok"}\n${line}`, SQS_MAX_BYTES);
    expect(messages.map((m) => m.body)).toEqual([`{"id":"ok"}\n${safe}`]);
    expect(messages[0].bytes).toBe(Buffer.byteLength(messages[0].body));
  });
});
