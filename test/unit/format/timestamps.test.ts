import { describe, expect, it } from 'vitest';
import { hourLabel, parseDuration, parseTimestamp } from '@/lib/format';

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-29T08:00:00.123Z', Date.UTC(2026, 10, 29, 8, 0, 0, 123)],
    ['2018-10-30 18:00:00.000', Date.UTC(2018, 9, 30, 18)],
    ['2018-10-30T18:00', Date.UTC(2018, 9, 30, 18)],
    ['2026-11-29T09:00:00+01:00', Date.UTC(2026, 10, 29, 8)],
    [1764403200, 1764403200_000],
    [1764403200123, 1764403200123],
    ['1764403200', 1764403200_000],
  ])('reads %j', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each(['2026-02-30T00:00:00Z', '2026-02-30 00:00:00', '2026-11-29T24:00:00Z', '2026-11-29T08:00:60Z', '2026-11-29T08:61', 'yesterday', '', -5, NaN, null])(
    'rejects %j',
    (input) => {
      expect(parseTimestamp(input)).toBeUndefined();
    },
  );

  it('labels hours and reads durations', () => {
    expect(hourLabel(Date.UTC(2026, 10, 29, 8, 59))).toBe('2026-11-29T08');
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('90m')).toBeUndefined();
  });
});
