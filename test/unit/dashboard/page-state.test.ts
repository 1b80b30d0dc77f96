import { afterEach, describe, expect, it } from 'vitest';
import { refreshesItself, viewArgsOf, viewQueryString } from '@/components/queries/view-args';
import { formatRangeIn, formatTimeIn, fromInputValue, toInputValue } from '@/components/time-zone';

const search = (q: string) => {
  const p = new URLSearchParams(q);
  return (name: string) => p.get(name);
};

describe('view arguments shared by the server prefetch and the client query', () => {
  it('keeps only non-empty view parameters, in one order, so both sides build the same key', () => {
    expect(viewArgsOf(search('tz=local&window=&metric=ks&sort=name&reference=test'))).toEqual({ metric: 'ks', reference: 'test' });
    expect(viewQueryString({ to: 'b', from: 'a', window: undefined })).toBe('from=a&to=b');
  });

  it('refreshes a window without a fixed end unless paused', () => {
    expect(refreshesItself({}, null)).toBe(true);
    expect(refreshesItself({ window: '12h' }, null)).toBe(true);
    expect(refreshesItself({ from: '2026-11-01T00:00:00Z' }, null)).toBe(true);
    expect(refreshesItself({ window: '12h' }, '0')).toBe(false);
    expect(refreshesItself({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, null)).toBe(false);
  });
});

describe('date inputs in the zone shown', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    process.env.TZ = saved;
  });

  it('UTC: the input shows and reads UTC', () => {
    expect(toInputValue('2026-11-09T10:00:00.000Z', 'utc')).toBe('2026-11-09T10:00');
    expect(fromInputValue('2026-11-09T10:00', 'utc')).toBe('2026-11-09T10:00:00Z');
    expect(formatRangeIn('2026-11-08T11:00:00.000Z', '2026-11-09T11:00:00.000Z', 'utc')).toBe('2026-11-08 11:00 – 2026-11-09 11:00 UTC');
  });

  it('local: 5:30 ahead in Asia/Kolkata, and back to the same instant', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(toInputValue('2026-11-09T10:00:00.000Z', 'local')).toBe('2026-11-09T15:30');
    expect(fromInputValue('2026-11-09T15:30', 'local')).toBe('2026-11-09T10:00:00Z');
    expect(formatTimeIn('2026-11-09T20:00:00.000Z', 'local')).toMatch(/^2026-11-10 01:30 /);
  });

  it('refuses what is not a date and time', () => {
    expect(fromInputValue('', 'utc')).toBeUndefined();
    expect(fromInputValue('2026-13-45T99:99', 'utc')).toBeUndefined();
  });
});
