import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage, StorageError, StorageKeyError, TEMP_PREFIX } from '@/lib/storage';
import { BAD_KEYS, describeStorageConformance } from './storage-conformance';

async function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'driftwatch-local-storage-'));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describeStorageConformance(
  'LocalStorage',
  async () => {
    const dir = await makeTempDir();
    return { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  { raceFreeWriteIfAbsent: true },
);

describe('LocalStorage on disk', () => {
  let dir: string;
  let store: LocalStorage;
  beforeEach(async () => {
    dir = await makeTempDir();
    store = new LocalStorage(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps key a/b/c.json at <root>/a/b/c.json, readable by any tool', async () => {
    await store.write('models/m/model.json', '{"name":"m"}');
    expect(await readFile(path.join(dir, 'models', 'm', 'model.json'), 'utf8')).toBe('{"name":"m"}');
    await writeFile(path.join(dir, 'models', 'm', 'from-elsewhere.json'), 'x');
    expect(await store.list('models/')).toEqual(['models/m/from-elsewhere.json', 'models/m/model.json']);
  });

  it('resolves a relative root to an absolute url', () => {
    expect(new LocalStorage('some/relative/dir').url).toBe(path.resolve('some/relative/dir'));
    expect(store.url).toBe(path.resolve(dir));
  });

  it('lists nothing, and reads nothing, when the root does not exist yet; write creates it', async () => {
    const missing = new LocalStorage(path.join(dir, 'not', 'yet'));
    expect(await missing.list('')).toEqual([]);
    expect(await missing.read('a')).toBeUndefined();
    await missing.write('a/b', 'x');
    expect(await readFile(path.join(dir, 'not', 'yet', 'a', 'b'), 'utf8')).toBe('x');
  });

  it('never creates anything outside the root for a bad key', async () => {
    const inner = path.join(dir, 'root');
    const jail = new LocalStorage(inner);
    for (const key of BAD_KEYS) {
      await expect(jail.write(key, 'x')).rejects.toBeInstanceOf(StorageKeyError);
      await expect(jail.writeIfAbsent(key, 'x')).rejects.toBeInstanceOf(StorageKeyError);
    }
    expect(await filesUnder(dir)).toEqual([]);
    await writeFile(path.join(dir, 'outside'), 'secret');
    await expect(jail.read('../outside')).rejects.toBeInstanceOf(StorageKeyError);
    await expect(jail.delete('../outside')).rejects.toBeInstanceOf(StorageKeyError);
    expect(await readFile(path.join(dir, 'outside'), 'utf8')).toBe('secret');
  });

  it('leaves no temporary files behind after writes, rewrites and lost writeIfAbsent races', async () => {
    await store.write('a/x', '1');
    await store.write('a/x', '2');
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.writeIfAbsent('a/y', `v${i}`)));
    expect(await filesUnder(dir)).toEqual([path.join('a', 'x'), path.join('a', 'y')]);
  });

  it('never lists temporary files: neither in-flight ones nor ones left by a crash', async () => {
    await mkdir(path.join(dir, 'a'), { recursive: true });
    await writeFile(path.join(dir, `${TEMP_PREFIX}0123456789abcdef01234567`), 'crashed');
    await writeFile(path.join(dir, 'a', `${TEMP_PREFIX}feedface`), 'crashed');
    await mkdir(path.join(dir, `${TEMP_PREFIX}dir`));
    await writeFile(path.join(dir, `${TEMP_PREFIX}dir`, 'inside'), 'x');

    const keys = Array.from({ length: 20 }, (_, i) => `a/k${String(i).padStart(2, '0')}`);
    const big = new Uint8Array(256 * 1024);
    let writing = true;
    const writers = (async () => {
      for (let round = 0; round < 10; round++) await Promise.all(keys.map((key) => store.write(key, big)));
      writing = false;
    })();
    let listings = 0;
    while (writing) {
      const listed = await store.list('');
      listings++;
      for (const key of listed) expect(keys).toContain(key);
    }
    await writers;
    expect(listings).toBeGreaterThan(0);
    expect(await store.list('')).toEqual(keys);
    expect(await store.list('a/')).toEqual(keys);
  });

  it('skips files whose names are not valid keys, and symlinks', async () => {
    await store.write('ok/a', 'x');
    await writeFile(path.join(dir, 'ok', 'has space'), 'x');
    await writeFile(path.join(dir, 'ok', '%2e%2e'), 'x');
    await symlink('/etc', path.join(dir, 'ok', 'link-to-etc'));
    expect(await store.list('')).toEqual(['ok/a']);
  });

  /** Rewrite one large value `generations` times while two readers check every read is one whole generation. */
  async function tornReads(rewrite: (bytes: Uint8Array) => Promise<void>, read: () => Promise<Uint8Array | undefined>) {
    const size = 4 * 1024 * 1024;
    const generations = 20;
    await rewrite(new Uint8Array(size).fill(1));
    let done = false;
    const writer = (async () => {
      for (let g = 2; g <= generations; g++) await rewrite(new Uint8Array(size).fill(g));
      done = true;
    })();
    const torn: string[] = [];
    let reads = 0;
    const reader = async () => {
      while (!done) {
        const bytes = await read();
        reads++;
        if (bytes === undefined) torn.push('missing');
        else if (bytes.byteLength !== size) torn.push(`length ${bytes.byteLength}`);
        else if (!Buffer.from(bytes).equals(Buffer.alloc(size, bytes[0]))) torn.push(`mixed bytes starting with ${bytes[0]}`);
      }
    };
    await Promise.all([writer, reader(), reader()]);
    return { torn, reads, last: (await read())?.[0], generations };
  }

  it('a reader during many rewrites of a large value never sees a partial one', async () => {
    const { torn, reads, last, generations } = await tornReads(
      (bytes) => store.write('big.bin', bytes),
      () => store.read('big.bin'),
    );
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(4);
    expect(last).toBe(generations);
  });

  it('(control) the same check does catch a plain, non-atomic fs.writeFile', async () => {
    const file = path.join(dir, 'naive.bin');
    const { torn } = await tornReads(
      (bytes) => writeFile(file, bytes),
      () => readFile(file).catch(() => undefined),
    );
    expect(torn.length).toBeGreaterThan(0);
  });

  it('reports a key that cannot be a file as a StorageError naming the operation, key and root', async () => {
    await store.write('a', 'file');
    const error = await store.write('a/b', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    const storageError = error as StorageError;
    expect(storageError.operation).toBe('write');
    expect(storageError.key).toBe('a/b');
    expect(storageError.message).toContain('write of "a/b"');
    expect(storageError.message).toContain(store.url);
    expect(['ENOTDIR', 'EEXIST']).toContain(storageError.code);

    await store.write('d/e', 'x');
    const dirError = await store.writeIfAbsent('d', 'x').catch((e: unknown) => e);
    expect(dirError).toBeInstanceOf(StorageError);
    expect((dirError as StorageError).operation).toBe('writeIfAbsent');
    await expect(store.write('d', 'x')).rejects.toBeInstanceOf(StorageError);
    expect(await filesUnder(dir)).toEqual(['a', path.join('d', 'e')]);
  });
});
