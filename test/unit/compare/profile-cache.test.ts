import { describe, expect, it } from 'vitest';
import { ProfileCache } from '@/lib/compare';
import type { SummaryRow } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';
import { categoricalSummary } from '@/lib/summary';

/** A decoder that reads "feature:count" text files, and counts how many files it decoded. */
function textDecoder() {
  const calls: number[] = [];
  const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => {
    calls.push(files.length);
    return files.map((bytes) => {
      const [feature, n] = new TextDecoder().decode(bytes).split(':');
      return [categoricalSummary({ model: 'm', feature, period_start: 0, period_end: 1 }, new Map([['a', Number(n)]]), 0, 0)];
    });
  };
  return { decode, calls };
}

describe('ProfileCache', () => {
  it('decodes each file once, returns rows in key order and empty rows for missing keys', async () => {
    const storage = new MemoryStorage();
    await storage.write('p/a', 'x:1');
    await storage.write('p/b', 'y:2');
    const { decode, calls } = textDecoder();
    const cache = new ProfileCache();
    const first = await cache.load(storage, ['p/b', 'p/none', 'p/a'], decode);
    expect(first.map((rows) => rows.map((r) => r.feature))).toEqual([['y'], [], ['x']]);
    const again = await cache.load(storage, ['p/a', 'p/b'], decode);
    expect(again[0]).toBe(first[2]);
    expect(calls).toEqual([2]);
  });

  it('with version checks, reloads a file that was replaced, and only that one', async () => {
    const storage = new MemoryStorage();
    await storage.write('p/a', 'x:1');
    await storage.write('p/b', 'y:2');
    const { decode, calls } = textDecoder();
    const cache = new ProfileCache({ checkVersions: true });
    await cache.load(storage, ['p/a', 'p/b'], decode);
    await storage.write('p/b', 'y:5');
    const rows = await cache.load(storage, ['p/a', 'p/b'], decode);
    expect(rows[1][0].count).toBe(5);
    expect(calls).toEqual([2, 1]);
    // Without checks the cached copy is used (an evaluation run, which nothing writes under).
    const trusting = new ProfileCache();
    await trusting.load(storage, ['p/b'], decode);
    await storage.write('p/b', 'y:9');
    expect((await trusting.load(storage, ['p/b'], decode))[0][0].count).toBe(5);
  });

  it('stays within its byte bound, dropping the least recently used file first', async () => {
    const storage = new MemoryStorage();
    for (const k of ['a', 'b', 'c']) await storage.write(`p/${k}`, `${k}:1`);
    const { decode, calls } = textDecoder();
    const cache = new ProfileCache({ maxBytes: 1000 });
    await cache.load(storage, ['p/a'], decode);
    await cache.load(storage, ['p/b'], decode);
    await cache.load(storage, ['p/a'], decode); // a is now the most recently used
    await cache.load(storage, ['p/c'], decode); // over the bound: b goes
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    expect(calls).toEqual([1, 1, 1]);
    await cache.load(storage, ['p/a'], decode);
    expect(calls).toEqual([1, 1, 1]);
    await cache.load(storage, ['p/b'], decode);
    expect(calls).toEqual([1, 1, 1, 1]);
  });
});

describe('ProfileCache, concurrent loads', () => {
  it('reads and decodes a file once when several callers ask for it at the same time', async () => {
    const storage = new MemoryStorage();
    await storage.write('p/a', 'x:1');
    await storage.write('p/b', 'y:2');
    const { decode, calls } = textDecoder();
    const cache = new ProfileCache({ checkVersions: true });
    const loads = await Promise.all([cache.load(storage, ['p/a', 'p/b'], decode), cache.load(storage, ['p/b', 'p/a'], decode), cache.load(storage, ['p/a', 'p/none'], decode)]);
    expect(calls).toEqual([2, 0]);
    expect(loads[1][0]).toBe(loads[0][1]);
    expect(loads[2].map((rows) => rows.map((r) => r.feature))).toEqual([['x'], []]);
  });
});
