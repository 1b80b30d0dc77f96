import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, layout } from '@/lib/format';
import { dedupeWindowMs, IdIndex } from '@/lib/profile/id-index';
import { TestStorage } from './helpers';

const H = Date.parse('2026-11-20T00:00:00Z');

describe('the id index', () => {
  it('finds ids stored by other batches on a day within ± the window of each candidate hour, edges included, and lists the index once', async () => {
    const storage = new TestStorage();
    const writer = new IdIndex(storage, 'm', 'other');
    // The index knows days (format 2.0): a stored id covers its whole day, 2026-11-19.
    const D = H - DAY_MS;
    await writer.record(D, 'other-0', ['a', 'b']);
    await writer.record(D + 5 * HOUR_MS, 'other-1', ['c']);
    await writer.record(H, 'mine-0', ['d']);
    let lists = 0;
    const list = storage.list.bind(storage);
    storage.list = (prefix: string) => {
      lists++;
      expect(prefix).toBe(layout.idsPrefix('m'));
      return list(prefix);
    };
    const index = new IdIndex(storage, 'm', 'mine', dedupeWindowMs('2h'));
    const found = await index.storedAmong(new Map([['a', H + HOUR_MS], ['b', H + 2 * HOUR_MS], ['c', H - DAY_MS - 2 * HOUR_MS], ['d', H]]));
    // An id stored on day D may be of any hour of D: a is 2 h after D's last hour (the edge), b 3 h
    // (beyond), c 2 h before D's first hour (the edge); d is in the file's own batch.
    expect([...found].sort()).toEqual(['a', 'c']);
    expect([...(await index.storedAmong(new Map([['b', D - 3 * HOUR_MS]])))]).toEqual([]);
    expect(lists).toBe(1);
  });

  it('reads a window as a duration, naming the config key when it is not one', () => {
    expect(dedupeWindowMs()).toBe(7 * 24 * HOUR_MS);
    expect(dedupeWindowMs('36h')).toBe(36 * HOUR_MS);
    expect(() => dedupeWindowMs('soon')).toThrow(/ingest\.dedupe_window: "soon" is not a duration like 7d/);
  });
});
