import { describe, expect, it } from 'vitest';
import { HOUR_MS, layout } from '@/lib/format';
import { dedupeWindowMs, IdIndex } from '@/lib/profile/id-index';
import { TestStorage } from './helpers';

const H = Date.parse('2026-11-20T00:00:00Z');

describe('the id index', () => {
  it('finds ids stored by other batches within ± the window of each candidate hour, edges included, and lists the index once', async () => {
    const storage = new TestStorage();
    const writer = new IdIndex(storage, 'm', 'other');
    await writer.record(H, 'other-0', ['a', 'b']);
    await writer.record(H + 5 * HOUR_MS, 'other-1', ['c']);
    await writer.record(H, 'mine-0', ['d']);
    let lists = 0;
    const list = storage.list.bind(storage);
    storage.list = (prefix: string) => {
      lists++;
      expect(prefix).toBe(layout.idsPrefix('m'));
      return list(prefix);
    };
    const index = new IdIndex(storage, 'm', 'mine', dedupeWindowMs('2h'));
    const found = await index.storedAmong(new Map([['a', H + 2 * HOUR_MS], ['b', H + 3 * HOUR_MS], ['c', H + 3 * HOUR_MS], ['d', H]]));
    // a: 2 h from its stored hour (the edge); b: 3 h (beyond); c: 2 h; d: the file's own batch.
    expect([...found].sort()).toEqual(['a', 'c']);
    expect([...(await index.storedAmong(new Map([['b', H - 2 * HOUR_MS]])))]).toEqual(['b']);
    expect(lists).toBe(1);
  });

  it('reads a window as a duration, naming the config key when it is not one', () => {
    expect(dedupeWindowMs()).toBe(7 * 24 * HOUR_MS);
    expect(dedupeWindowMs('36h')).toBe(36 * HOUR_MS);
    expect(() => dedupeWindowMs('soon')).toThrow(/ingest\.dedupe_window: "soon" is not a duration like 7d/);
  });
});
