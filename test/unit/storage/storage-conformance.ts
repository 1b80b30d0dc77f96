import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageKeyError, type Storage } from '@/lib/storage';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface StorageFixture {
  storage: Storage;
  cleanup?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Concurrent writeIfAbsent calls on one key: exactly one wins. False for servers that ignore If-None-Match. */
  raceFreeWriteIfAbsent: boolean;
  /**
   * Concurrent PUTs of one key leave one whole value (S3, local rename). False for s3rver: its
   * filesystem store truncates and writes the object file in place and answers before the write
   * stream finishes (s3rver 3.7.1, lib/stores/filesystem.js putObject), so racing PUTs can mix.
   */
  atomicConcurrentPuts?: boolean;
  /** Keys written for the long-listing test; over 1000 so that S3 has to paginate. */
  manyKeys?: number;
}

export const BAD_KEYS = [
  '',
  '..',
  '../escape',
  'a/../../escape',
  '.',
  'a/./b',
  '/abs',
  '/etc/passwd',
  'a//b',
  'a/',
  '%2e%2e',
  '%2e%2e/escape',
  '..%2fescape',
  'a\\b',
  '..\\escape',
  'a b',
  'a\u0000b',
  'ключ',
  'a?b',
  'a#b',
  '.tmp-0123456789abcdef',
  'a/.tmp-x/b',
  'x'.repeat(1025),
];

/** Every allowed character class in one key: the partition names of the layout use '=', ':' and '-'. */
export const AWKWARD_KEY = 'models/fraud_v2/raw/predictions/hour=2026-11-20T03:00Z/part+1@host-a.ndjson.gz';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The behaviour every Storage must have, run against one backend. */
export function describeStorageConformance(name: string, makeStore: () => Promise<StorageFixture>, options: ConformanceOptions): void {
  const manyKeys = options.manyKeys ?? 1100;

  describe(`${name}: Storage conformance`, () => {
    let fixture: StorageFixture;
    let store: Storage;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.storage;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('has a non-empty url', () => {
      expect(typeof store.url).toBe('string');
      expect(store.url.length).toBeGreaterThan(0);
    });

    describe('round trips', () => {
      it('returns exactly the bytes written, every byte value included', async () => {
        const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
        await store.write('bin/all-bytes.bin', bytes);
        const back = await store.read('bin/all-bytes.bin');
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Buffer.isBuffer(back)).toBe(false);
        expect(Array.from(back ?? [])).toEqual(Array.from(bytes));
        // Callers may pass `.buffer` on (DuckDB, Parquet readers): it must hold exactly these bytes.
        expect([back?.byteOffset, back?.buffer.byteLength]).toEqual([0, bytes.byteLength]);
        for (const key of ['small', 'text']) {
          await store.write(key, key);
          const small = await store.read(key);
          expect([small?.byteOffset, small?.buffer.byteLength]).toEqual([0, key.length]);
        }
      });

      it('stores a string as UTF-8', async () => {
        const text = 'héllo ✓ 日本 🚀\nsecond line';
        await store.write('text/hello.txt', text);
        const back = await store.read('text/hello.txt');
        expect(decoder.decode(back)).toBe(text);
        expect(back?.byteLength).toBe(encoder.encode(text).byteLength);
      });

      it('stores an empty object', async () => {
        await store.write('empty', new Uint8Array(0));
        expect(await store.exists('empty')).toBe(true);
        expect((await store.read('empty'))?.byteLength).toBe(0);
        expect(await store.list('')).toEqual(['empty']);
      });

      it('round-trips a large object (5 MiB)', async () => {
        const big = Uint8Array.from({ length: 5 * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
        await store.write('big/object.bin', big);
        const back = await store.read('big/object.bin');
        expect(back?.byteLength).toBe(big.byteLength);
        expect(Buffer.from(back ?? []).equals(Buffer.from(big))).toBe(true);
      });

      it('is not affected by changing the written array afterwards', async () => {
        const bytes = Uint8Array.from([1, 2, 3]);
        await store.write('copy/a', bytes);
        bytes[0] = 99;
        const first = await store.read('copy/a');
        expect(Array.from(first ?? [])).toEqual([1, 2, 3]);
        first?.fill(0);
        expect(Array.from((await store.read('copy/a')) ?? [])).toEqual([1, 2, 3]);
        const buffer = Buffer.from([4, 5, 6]);
        await store.write('copy/b', buffer);
        buffer[0] = 99;
        expect(Array.from((await store.read('copy/b')) ?? [])).toEqual([4, 5, 6]);
      });

      it('accepts every character class assertKey allows', async () => {
        const keys = [AWKWARD_KEY, 'x/.hidden', 'x/...', 'x/a.b.c', 'x/A-Z_0-9=:+@.'];
        for (const key of keys) await store.write(key, key);
        for (const key of keys) expect(decoder.decode(await store.read(key))).toBe(key);
        expect(await store.list('')).toEqual([...keys].sort());
      });
    });

    describe('overwrite', () => {
      it('replaces the whole object, also with a shorter one', async () => {
        await store.write('k', 'a long first value');
        await store.write('k', 'short');
        expect(decoder.decode(await store.read('k'))).toBe('short');
        expect(await store.list('')).toEqual(['k']);
      });

      it('gives a version that is stable until the object is replaced', async () => {
        expect(await store.version('v')).toBeUndefined();
        await store.write('v', 'first');
        const first = await store.version('v');
        expect(first).toEqual(expect.any(String));
        expect(await store.version('v')).toBe(first);
        // Same length, different bytes, right away: a cache keyed by version must see the change.
        await store.write('v', 'fires');
        expect(await store.version('v')).not.toBe(first);
        await store.delete('v');
        expect(await store.version('v')).toBeUndefined();
      });
    });

    describe('missing keys', () => {
      it('read gives undefined and exists gives false', async () => {
        expect(await store.read('nope/never.json')).toBeUndefined();
        expect(await store.exists('nope/never.json')).toBe(false);
      });

      it('a prefix of an existing key is not itself an object', async () => {
        await store.write('dir/file.json', '{}');
        expect(await store.read('dir')).toBeUndefined();
        expect(await store.exists('dir')).toBe(false);
        expect(await store.read('dir/file')).toBeUndefined();
        await store.delete('dir');
        expect(await store.exists('dir/file.json')).toBe(true);
      });

      it('a key below an existing object is missing, not an error', async () => {
        await store.write('leaf', 'x');
        expect(await store.read('leaf/below')).toBeUndefined();
        expect(await store.exists('leaf/below')).toBe(false);
        expect(await store.list('leaf/')).toEqual([]);
        await store.delete('leaf/below');
      });
    });

    describe('delete', () => {
      it('removes the object', async () => {
        await store.write('d/one', '1');
        await store.write('d/two', '2');
        await store.delete('d/one');
        expect(await store.exists('d/one')).toBe(false);
        expect(await store.read('d/one')).toBeUndefined();
        expect(await store.list('d/')).toEqual(['d/two']);
      });

      it('of a missing key resolves without error, also twice', async () => {
        await expect(store.delete('never/written')).resolves.toBeUndefined();
        await store.write('once', '1');
        await store.delete('once');
        await expect(store.delete('once')).resolves.toBeUndefined();
      });

      it('lets the key be written again', async () => {
        await store.write('again', 'first');
        await store.delete('again');
        expect(await store.writeIfAbsent('again', 'second')).toBe(true);
        expect(decoder.decode(await store.read('again'))).toBe('second');
      });
    });

    describe('list', () => {
      const keys = [
        'models/a/model.json',
        'models/a/raw/hour=2026-11-19T23/b1.parquet',
        'models/a/raw/hour=2026-11-20T00/b1.parquet',
        'models/a/raw/hour=2026-11-20T00/b2.parquet',
        'models/a/raw/hour=2026-11-21T05/b1.parquet',
        'models/a/raw/hour=2026-12-01T00/b1.parquet',
        'models/ab/model.json',
        'models/a-b/model.json',
        'models/a.b/model.json',
        'models/a0/model.json',
        'driftwatch.json',
      ];
      beforeEach(async () => {
        // Written out of order: the listing must sort, not echo write order.
        for (const key of [...keys].reverse()) await store.write(key, key);
      });

      it("'' lists every key, sorted by code unit", async () => {
        expect(await store.list('')).toEqual([...keys].sort());
        // '-' < '.' < '/' < '0': a plain string sort, not a per-directory walk order.
        expect((await store.list('models/a')).slice(0, 3)).toEqual(['models/a-b/model.json', 'models/a.b/model.json', 'models/a/model.json']);
      });

      it('a directory prefix lists recursively, and only inside that directory', async () => {
        expect(await store.list('models/a/')).toEqual([
          'models/a/model.json',
          'models/a/raw/hour=2026-11-19T23/b1.parquet',
          'models/a/raw/hour=2026-11-20T00/b1.parquet',
          'models/a/raw/hour=2026-11-20T00/b2.parquet',
          'models/a/raw/hour=2026-11-21T05/b1.parquet',
          'models/a/raw/hour=2026-12-01T00/b1.parquet',
        ]);
      });

      it('a prefix without trailing slash also matches sibling names that start with it', async () => {
        expect(await store.list('models/a')).toEqual([...keys].filter((k) => k.startsWith('models/a')).sort());
        expect(await store.list('models/a')).toContain('models/ab/model.json');
      });

      it('a partial name matches by string prefix', async () => {
        expect(await store.list('models/a/raw/hour=2026-11-2')).toEqual([
          'models/a/raw/hour=2026-11-20T00/b1.parquet',
          'models/a/raw/hour=2026-11-20T00/b2.parquet',
          'models/a/raw/hour=2026-11-21T05/b1.parquet',
        ]);
        expect(await store.list('models/a/raw/hour=2026-11-20T00/b')).toEqual([
          'models/a/raw/hour=2026-11-20T00/b1.parquet',
          'models/a/raw/hour=2026-11-20T00/b2.parquet',
        ]);
      });

      it('a whole key as prefix lists that key', async () => {
        expect(await store.list('models/a/model.json')).toEqual(['models/a/model.json']);
        expect(await store.list('driftwatch.json')).toEqual(['driftwatch.json']);
      });

      it('a missing prefix lists nothing', async () => {
        expect(await store.list('models/zzz/')).toEqual([]);
        expect(await store.list('models/zzz')).toEqual([]);
        expect(await store.list('nothing-here/at/all/')).toEqual([]);
        expect(await store.list('models/a/raw/hour=2027')).toEqual([]);
      });

      it('an empty store lists nothing', async () => {
        for (const key of keys) await store.delete(key);
        expect(await store.list('')).toEqual([]);
        expect(await store.list('models/')).toEqual([]);
      });

      it('does not list deleted keys, and lists new ones', async () => {
        await store.delete('models/a/raw/hour=2026-11-20T00/b1.parquet');
        await store.write('models/a/raw/hour=2026-11-20T00/b3.parquet', 'x');
        expect(await store.list('models/a/raw/hour=2026-11-20T00/')).toEqual([
          'models/a/raw/hour=2026-11-20T00/b2.parquet',
          'models/a/raw/hour=2026-11-20T00/b3.parquet',
        ]);
      });
    });

    it(`lists ${manyKeys} keys in one directory (more than one S3 page)`, async () => {
      const expected = Array.from({ length: manyKeys }, (_, i) => `many/k-${String(i).padStart(5, '0')}`);
      await mapLimit(expected, 32, (key) => store.write(key, key.slice(-5)));
      // Siblings sort before and after 'many/'. Not 'many-other/' or 'many.x': s3rver 3.7.1 pages in
      // directory-walk order, not key order, and its continuation then skips those (real S3 does not).
      await store.write('manz/k', 'x');
      await store.write('man', 'x');
      const listed = await store.list('many/');
      expect(listed.length).toBe(manyKeys);
      expect(listed).toEqual(expected);
      expect(await store.list('many/k-0100')).toEqual(expected.slice(1000, 1010));
      expect((await store.list('man')).length).toBe(manyKeys + 2);
    });

    describe('writeIfAbsent', () => {
      it('writes when absent and returns true', async () => {
        expect(await store.writeIfAbsent('once/a.json', 'first')).toBe(true);
        expect(decoder.decode(await store.read('once/a.json'))).toBe('first');
      });

      it('returns false and leaves the existing object when present', async () => {
        await store.write('once/a.json', 'existing');
        expect(await store.writeIfAbsent('once/a.json', 'other')).toBe(false);
        expect(decoder.decode(await store.read('once/a.json'))).toBe('existing');
        expect(await store.writeIfAbsent('once/a.json', new Uint8Array([1, 2]))).toBe(false);
        expect(decoder.decode(await store.read('once/a.json'))).toBe('existing');
        expect(await store.list('once/')).toEqual(['once/a.json']);
      });

      it('stores bytes and empty objects like write does', async () => {
        expect(await store.writeIfAbsent('once/bytes', Uint8Array.from([0, 255, 7]))).toBe(true);
        expect(Array.from((await store.read('once/bytes')) ?? [])).toEqual([0, 255, 7]);
        expect(await store.writeIfAbsent('once/empty', '')).toBe(true);
        expect((await store.read('once/empty'))?.byteLength).toBe(0);
        expect(await store.writeIfAbsent('once/empty', 'now with content')).toBe(false);
      });

      // Servers without conditional PUTs (s3rver) only get the HEAD-then-PUT fallback: there, at
      // least one writer wins, and once the race is over the key counts as present.
      it(`of concurrent writers on one key, ${options.raceFreeWriteIfAbsent ? 'exactly one wins and its value is stored' : 'at least one wins'}`, async () => {
        for (let round = 0; round < 5; round++) {
          const key = `race/r${round}`;
          const values = Array.from({ length: 16 }, (_, i) => `writer-${i}-`.repeat(1000 + i));
          const won = await Promise.all(values.map((value) => store.writeIfAbsent(key, value)));
          const stored = decoder.decode(await store.read(key));
          if (options.raceFreeWriteIfAbsent) {
            expect(won.filter(Boolean).length).toBe(1);
            expect(stored).toBe(values[won.indexOf(true)]);
          } else {
            expect(won.filter(Boolean).length).toBeGreaterThanOrEqual(1);
            if (options.atomicConcurrentPuts !== false) expect(values.filter((v, i) => won[i]).includes(stored)).toBe(true);
            expect(await store.writeIfAbsent(key, 'late')).toBe(false);
          }
        }
      });
    });

    it('writes to many new keys in one new directory concurrently', async () => {
      const keys = Array.from({ length: 50 }, (_, i) => `fresh/dir/deep/k${i}`);
      await Promise.all(keys.map((key, i) => (i % 2 === 0 ? store.write(key, key) : store.writeIfAbsent(key, key))));
      expect(await store.list('fresh/')).toEqual([...keys].sort());
    });

    describe('key validation', () => {
      it.each(BAD_KEYS.map((key) => [JSON.stringify(key).slice(0, 40), key]))('rejects %s on every object operation', async (_label, key) => {
        await expect(store.read(key)).rejects.toBeInstanceOf(StorageKeyError);
        await expect(store.write(key, 'x')).rejects.toBeInstanceOf(StorageKeyError);
        await expect(store.writeIfAbsent(key, 'x')).rejects.toBeInstanceOf(StorageKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(StorageKeyError);
        await expect(store.exists(key)).rejects.toBeInstanceOf(StorageKeyError);
        expect(await store.list('')).toEqual([]);
      });

      it.each(['..', '../', '/', '/abs', 'a//', 'a//b/', '%2e%2e/', 'a/../', '.tmp-', 'a\\'])('list rejects the prefix %j', async (prefix) => {
        await expect(store.list(prefix)).rejects.toBeInstanceOf(StorageKeyError);
      });

      it('list accepts the empty prefix, a directory prefix and a partial name', async () => {
        await store.write('p/q', 'x');
        expect(await store.list('')).toEqual(['p/q']);
        expect(await store.list('p/')).toEqual(['p/q']);
        expect(await store.list('p')).toEqual(['p/q']);
      });

      it('rejects a non-string key', async () => {
        await expect(store.read(42 as unknown as string)).rejects.toBeInstanceOf(StorageKeyError);
      });
    });
  });
}
