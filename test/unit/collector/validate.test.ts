import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from '@/lib/collector/types';
import { nestingDepth, validateLine } from '@/lib/collector/validate';

const known = new Set(['m']);
const bytes = (text: string): Uint8Array => Buffer.from(text);
const ok = '{"model":"m","id":"a","ts":"2026-11-29T08:00:00Z","features":{"x":1},"score":0.5}';

function nested(depth: number): string {
  // The event itself is depth 1; features adds one; then depth-2 arrays.
  return `{"model":"m","id":"a","ts":"2026-11-29T08:00:00Z","features":{"x":${'['.repeat(depth - 2)}1${']'.repeat(depth - 2)}}}`;
}

describe('validateLine', () => {
  it('accepts an event and returns its id, time and normalised text', () => {
    const v = validateLine(bytes(ok), known);
    expect(v).toEqual({ ok: true, model: 'm', id: 'a', ms: Date.UTC(2026, 10, 29, 8), text: expect.any(String) });
    if (v.ok) expect(JSON.parse(v.text)).toEqual({ model: 'm', id: 'a', ts: '2026-11-29T08:00:00.000Z', features: { x: 1 }, score: 0.5 });
  });

  it('rejects an event of 1 MiB + 1 bytes as oversize, and keeps one of exactly 1 MiB', () => {
    const prefix = '{"model":"m","id":"a","ts":"2026-11-29T08:00:00Z","features":{"s":"';
    const suffix = '"}}';
    const exact = prefix + 'x'.repeat(MAX_EVENT_BYTES - prefix.length - suffix.length) + suffix;
    expect(Buffer.byteLength(exact)).toBe(MAX_EVENT_BYTES);
    expect(validateLine(bytes(exact), known).ok).toBe(true);
    const over = validateLine(bytes(exact.replace('"s":"', '"s":"y')), known);
    expect(over).toMatchObject({ ok: false, reason: 'oversize', model: 'm' });
  });

  it('rejects invalid UTF-8 before parsing', () => {
    const line = Buffer.concat([Buffer.from('{"model":"m","id":"a","ts":"2026-11-29T08:00:00Z","features":{"s":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    expect(validateLine(line, known)).toMatchObject({ ok: false, reason: 'invalid_utf8', model: 'm' });
  });

  it(`rejects nesting deeper than ${MAX_EVENT_DEPTH} (brackets in strings do not count)`, () => {
    expect(nestingDepth(bytes(nested(MAX_EVENT_DEPTH)))).toBe(MAX_EVENT_DEPTH);
    expect(validateLine(bytes(nested(MAX_EVENT_DEPTH)), known).ok).toBe(true);
    expect(validateLine(bytes(nested(MAX_EVENT_DEPTH + 1)), known)).toMatchObject({ ok: false, reason: 'too_deep' });
    const strings = `{"model":"m","id":"a","ts":"2026-11-29T08:00:00Z","features":{"s":"${'[{'.repeat(100)}\\"["}}`;
    expect(validateLine(bytes(strings), known).ok).toBe(true);
    // A depth bomb far past the limit is refused without parsing it.
    expect(validateLine(bytes('['.repeat(500_000)), known)).toMatchObject({ ok: false, reason: 'too_deep' });
  });

  it('rejects malformed JSON, naming the model when it can be seen', () => {
    expect(validateLine(bytes('{"model":"m","id":"a",'), known)).toMatchObject({ ok: false, reason: 'malformed_json', model: 'm' });
    expect(validateLine(bytes('not json'), known)).toMatchObject({ ok: false, reason: 'malformed_json' });
    expect(validateLine(bytes('not json'), known)).not.toHaveProperty('model');
  });

  it('rejects unknown models and envelopes of the wrong type', () => {
    expect(validateLine(bytes(ok.replace('"m"', '"other"')), known)).toMatchObject({ ok: false, reason: 'unknown_model' });
    const cases: [string, string][] = [
      ['[1,2]', 'not a JSON object'],
      ['{"id":"a","ts":"2026-11-29T08:00:00Z","features":{}}', 'missing model'],
      [ok.replace('"model":"m"', '"model":7'), 'model is not a string'],
      [ok.replace('"id":"a"', '"id":{"x":1}'), 'bad id'],
      [ok.replace('"id":"a"', '"id":NaN'), 'NaN'],
      [ok.replace('"ts":"2026-11-29T08:00:00Z"', '"ts":NaN'), 'NaN'],
      [ok.replace('"ts":"2026-11-29T08:00:00Z"', '"ts":"yesterday"'), 'bad timestamp'],
      [ok.replace('"features":{"x":1}', '"features":[1]'), 'features is not a JSON object'],
      [ok.replace('"score":0.5', '"score":"high"'), 'score is not a number'],
    ];
    for (const [line, detail] of cases) {
      const v = validateLine(bytes(line), known);
      expect(v, line).toMatchObject({ ok: false, reason: 'invalid_event' });
      if (!v.ok) expect(v.detail).toContain(detail);
    }
  });

  it('judges the top-level model, not a "model" key met earlier inside features', () => {
    const line = '{"features":{"model":"m","x":1},"model":"other","id":"a","ts":"2026-11-29T08:00:00Z"}';
    expect(validateLine(bytes(line), known)).toMatchObject({ ok: false, reason: 'unknown_model' });
    const good = '{"features":{"model":"other"},"model":"m","id":"a","ts":"2026-11-29T08:00:00Z"}';
    expect(validateLine(bytes(good), known)).toMatchObject({ ok: true, model: 'm', id: 'a' });
    expect(validateLine(bytes(ok.replace('"score":0.5', '"score":"NaN"')), known)).toMatchObject({ ok: false, reason: 'invalid_event' });
  });

  it('keeps NaN and wrong types inside features, and a bare NaN score (feature failures, not rejects)', () => {
    for (const line of [ok.replace('"x":1', '"x":NaN'), ok.replace('"x":1', '"x":"text"'), ok.replace('"score":0.5', '"score":NaN'), ok.replace('"score":0.5', '"score":null')]) {
      const v = validateLine(bytes(line), known);
      expect(v.ok, line).toBe(true);
    }
    const v = validateLine(bytes(ok.replace('"score":0.5', '"score":NaN')), known);
    if (v.ok) expect(JSON.parse(v.text).score).toBe('NaN');
  });
});
