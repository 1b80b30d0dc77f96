import { describe, expect, it } from 'vitest';
import { parseEventLine } from '@/lib/profile/event-line';

const ok = { model: 'fraud', id: 'o-1', ts: '2026-01-01T08:00:00.000Z', features: { amount: 12.5 }, score: 0.3 };

describe('parseEventLine', () => {
  it('accepts a valid event and keeps an already normal line as it is', () => {
    const line = JSON.stringify(ok);
    const result = parseEventLine(line, 'fraud');
    expect(result).toEqual({ ok: true, ms: Date.UTC(2026, 0, 1, 8), event: ok, text: line, invalidUtf8: [] });
  });

  it('normalises the timestamp to ISO UTC and drops unknown top-level fields', () => {
    const result = parseEventLine(JSON.stringify({ ...ok, ts: 1_767_254_400, extra: 1, id: 42 }), 'fraud');
    expect(result.ok && JSON.parse(result.text)).toEqual({ ...ok, id: '42', ts: '2026-01-01T08:00:00.000Z' });
  });

  it("reads Python's bare NaN and Infinity as strings, for the profiler to count as non-finite", () => {
    const result = parseEventLine('{"model":"fraud","id":"a","ts":"2026-01-01T08:00:00Z","features":{"x":NaN,"y":-Infinity,"s":"NaN, fine"},"score":Infinity}', 'fraud');
    expect(result.ok && result.event.features).toEqual({ x: 'NaN', y: '-Infinity', s: 'NaN, fine' });
    expect(result.ok && result.event.score).toBe('Infinity');
  });

  it.each([
    ['{"model":"fraud",', /^invalid JSON/],
    ['[1,2]', /^not a JSON object$/],
    [JSON.stringify({ ...ok, model: 'other' }), /^wrong model name "other"/],
    [JSON.stringify({ ...ok, model: undefined }), /^missing model$/],
    [JSON.stringify({ ...ok, id: '' }), /^missing id$/],
    [JSON.stringify({ ...ok, id: { a: 1 } }), /^bad id/],
    [JSON.stringify({ ...ok, ts: undefined }), /^missing ts$/],
    [JSON.stringify({ ...ok, ts: 'yesterday' }), /^bad timestamp "yesterday"$/],
    [JSON.stringify({ ...ok, features: undefined }), /^missing features$/],
    [JSON.stringify({ ...ok, features: [1] }), /^features is not a JSON object$/],
  ])('rejects %s with a reason', (line, reason) => {
    const result = parseEventLine(line, 'fraud');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
