import { describe, expect, it } from 'vitest';
import { affectedWindowEnds, changedHours, lateDataReason, recordVersions } from '@/lib/compare/late-data';
import { HOUR_MS } from '@/lib/format';

const T0 = Date.parse('2026-11-09T00:00:00Z');
const h = (n: number) => T0 + n * HOUR_MS;

describe('affectedWindowEnds', () => {
  it('gives the window ends in (hour, hour + window]: every window that contains the hour', () => {
    expect(affectedWindowEnds([h(10)], 12 * HOUR_MS, h(0), h(100))).toEqual(Array.from({ length: 12 }, (_, i) => h(11 + i)));
    // Each of those windows [end - 12 h, end) contains 10:00; the ends just outside do not.
    for (const end of affectedWindowEnds([h(10)], 12 * HOUR_MS, h(0), h(100))) expect(end - 12 * HOUR_MS <= h(10) && h(10) < end).toBe(true);
    for (const outside of [h(10), h(23)]) expect(outside - 12 * HOUR_MS <= h(10) && h(10) < outside).toBe(false);
  });

  it('stays within the evaluated ends [firstEnd, lastEnd]', () => {
    // The first whole window ends at 12:00; the last evaluated at 15:00.
    expect(affectedWindowEnds([h(3)], 12 * HOUR_MS, h(12), h(100))).toEqual([h(12), h(13), h(14), h(15)]);
    expect(affectedWindowEnds([h(10)], 12 * HOUR_MS, h(12), h(15))).toEqual([h(12), h(13), h(14), h(15)]);
    expect(affectedWindowEnds([h(20)], 12 * HOUR_MS, h(12), h(15))).toEqual([]);
  });

  it('counts each end once for neighbouring hours, and handles a one-hour window', () => {
    expect(affectedWindowEnds([h(10), h(11)], 3 * HOUR_MS, h(0), h(100))).toEqual([h(11), h(12), h(13), h(14)]);
    expect(affectedWindowEnds([h(11), h(10)], HOUR_MS, h(0), h(100))).toEqual([h(11), h(12)]);
    expect(affectedWindowEnds([], 12 * HOUR_MS, h(0), h(100))).toEqual([]);
  });

  it('covers a 7-day window: 168 ends', () => {
    const ends = affectedWindowEnds([h(200)], 168 * HOUR_MS, h(0), h(10_000));
    expect(ends).toHaveLength(168);
    expect([ends[0], ends[ends.length - 1]]).toEqual([h(201), h(368)]);
  });
});

describe('changedHours', () => {
  const recorded = recordVersions(new Map([[h(1), 'a'], [h(2), 'b'], [h(3), 'c'], [h(4), 'd']]), h(0));

  it('finds rewritten, new and removed hours before the last window end', () => {
    const current = new Map([[h(1), 'a'], [h(2), 'B'], [h(4), 'd'], [h(5), 'e'], [h(9), 'x']]);
    // 2 rewritten, 3 removed, 5 new; 9 is at or after the last end (no evaluated window holds it).
    expect(changedHours(recorded, current, h(0), h(9))).toEqual([h(2), h(3), h(5)]);
  });

  it('ignores hours before the look-back', () => {
    const current = new Map([[h(1), 'A'], [h(2), 'B']]);
    expect(changedHours(recorded, current, h(2), h(9))).toEqual([h(2), h(3), h(4)]);
  });

  it('records hours from the look-back on, by label', () => {
    expect(recordVersions(new Map([[h(2), 'b'], [h(1), 'a']]), h(2))).toEqual({ '2026-11-09T02': 'b' });
  });
});

describe('lateDataReason', () => {
  it('names the hours, at most five', () => {
    expect(lateDataReason([h(10)])).toBe('late data in 1 hour: 2026-11-09T10:00Z');
    expect(lateDataReason([0, 1, 2, 3, 4, 5, 6].map(h))).toBe('late data in 7 hours: 2026-11-09T00:00Z, 2026-11-09T01:00Z, 2026-11-09T02:00Z, 2026-11-09T03:00Z, 2026-11-09T04:00Z, … (2 more)');
    expect(lateDataReason([])).toBe('');
  });
});
