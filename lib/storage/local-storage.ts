import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StorageError, type StorageOperation } from './errors';
import { assertListPrefix, assertObjectKey, isValidObjectKey, ownedBytes, sortKeys, TEMP_PREFIX, toBytes } from './keys';
import { StorageKeyError, type Storage } from './storage';

type ErrnoError = NodeJS.ErrnoException;

const errno = (error: unknown): string | undefined => (error as ErrnoError | null)?.code;

/** Errors that mean "nothing at this key": the path, or a parent of it, is missing or is not a directory. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** fsync of a directory is unsupported on some platforms and filesystems; durability there is best effort. */
const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);

/**
 * A store in a local directory: key `a/b/c.json` is the file `<root>/a/b/c.json`, so DuckDB,
 * Spark or a shell can read the store directly. Writes go to `.tmp-<random>` in the target
 * directory, are fsynced, then renamed (write) or hard-linked (writeIfAbsent) into place.
 *
 * Limits of a filesystem that an object store does not have: a key cannot also be a directory
 * ('a' and 'a/b' cannot both exist; the second write fails with a StorageError), and on a
 * case-insensitive filesystem 'A' and 'a' are the same file. Empty directories left by
 * `delete` are not removed (removing them would race with a concurrent write into them).
 */
export class LocalStorage implements Storage {
  readonly url: string;
  readonly #root: string;
  readonly #rootWithSep: string;

  constructor(rootDir: string) {
    this.#root = path.resolve(rootDir);
    this.#rootWithSep = this.#root.endsWith(path.sep) ? this.#root : this.#root + path.sep;
    this.url = this.#root;
  }

  async list(prefix: string): Promise<string[]> {
    assertListPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dirKey = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    const dir = dirKey === '' ? this.#root : this.#pathOf(dirKey.slice(0, -1));
    const keys: string[] = [];
    try {
      await walk(dir, dirKey, namePrefix, keys);
    } catch (error) {
      throw this.#fail('list', prefix, error);
    }
    return sortKeys(keys);
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const file = this.#pathOf(assertObjectKey(key));
    try {
      return ownedBytes(await fs.readFile(file));
    } catch (error) {
      if (MISSING.has(errno(error) ?? '') || errno(error) === 'EISDIR') return undefined;
      throw this.#fail('read', key, error);
    }
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const file = this.#pathOf(assertObjectKey(key));
    const bytes = toBytes(data);
    let temp: string | undefined;
    try {
      temp = await writeTempFile(path.dirname(file), bytes);
      await fs.rename(temp, file);
      temp = undefined;
      await syncDir(path.dirname(file));
    } catch (error) {
      throw this.#fail('write', key, error);
    } finally {
      if (temp !== undefined) await removeQuietly(temp);
    }
  }

  async writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const file = this.#pathOf(assertObjectKey(key));
    const bytes = toBytes(data);
    let temp: string | undefined;
    try {
      if (await isFile(file)) return false;
      temp = await writeTempFile(path.dirname(file), bytes);
      // link(2) fails with EEXIST instead of replacing: of concurrent writers exactly one wins.
      try {
        await fs.link(temp, file);
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
        if ((await fs.lstat(file)).isDirectory()) throw error;
        return false;
      }
      await syncDir(path.dirname(file));
      return true;
    } catch (error) {
      throw this.#fail('writeIfAbsent', key, error);
    } finally {
      if (temp !== undefined) await removeQuietly(temp);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(assertObjectKey(key));
    try {
      await fs.unlink(file);
    } catch (error) {
      const code = errno(error) ?? '';
      if (MISSING.has(code)) return;
      // unlink of a directory is EISDIR on Linux, EPERM on macOS: there is no object at this key.
      if ((code === 'EISDIR' || code === 'EPERM') && (await isDirectory(file))) return;
      throw this.#fail('delete', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.#pathOf(assertObjectKey(key));
    try {
      return await isFile(file);
    } catch (error) {
      throw this.#fail('exists', key, error);
    }
  }

  async version(key: string): Promise<string | undefined> {
    const file = this.#pathOf(assertObjectKey(key));
    try {
      // Writes rename a new file into place: the inode changes even within one mtime tick.
      const st = await fs.stat(file, { bigint: true });
      return st.isFile() ? `${st.ino}-${st.mtimeNs}-${st.size}` : undefined;
    } catch (error) {
      if (MISSING.has(errno(error) ?? '')) return undefined;
      throw this.#fail('version', key, error);
    }
  }

  /** Defence in depth: assertKey already forbids '..' and absolute keys; this catches anything it missed. */
  #pathOf(key: string): string {
    const resolved = path.resolve(this.#root, ...key.split('/'));
    if (!resolved.startsWith(this.#rootWithSep)) {
      throw new StorageKeyError(`storage key ${JSON.stringify(key)} resolves outside the store root ${this.#root}`);
    }
    return resolved;
  }

  #fail(operation: StorageOperation, key: string, error: unknown): StorageError {
    const code = errno(error);
    const detail = error instanceof Error ? error.message : String(error);
    return new StorageError({ operation, key, url: this.url, detail, code, cause: error });
  }
}

async function walk(dir: string, keyPrefix: string, namePrefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (MISSING.has(errno(error) ?? '')) return;
    throw error;
  }
  const subdirs: Promise<void>[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX) || !entry.name.startsWith(namePrefix)) continue;
    const key = keyPrefix + entry.name;
    // Symlinks are neither: a link could point outside the root.
    if (entry.isDirectory()) {
      if (isValidObjectKey(key)) subdirs.push(walk(path.join(dir, entry.name), `${key}/`, '', out));
    } else if (entry.isFile() && isValidObjectKey(key)) {
      out.push(key);
    }
  }
  await Promise.all(subdirs);
}

async function writeTempFile(dir: string, bytes: Uint8Array): Promise<string> {
  const created = await fs.mkdir(dir, { recursive: true });
  if (created !== undefined) await syncNewDirs(created, dir);
  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await removeQuietly(temp);
    throw error;
  }
  await handle.close();
  return temp;
}

/** A new directory is durable once its parent's entry for it is: sync each parent down from the first one created. */
async function syncNewDirs(firstCreated: string, leaf: string): Promise<void> {
  let dir = leaf;
  const parents: string[] = [];
  while (dir.length >= firstCreated.length) {
    parents.push(path.dirname(dir));
    if (dir === firstCreated) break;
    dir = path.dirname(dir);
  }
  for (const parent of parents.reverse()) await syncDir(parent);
}

async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!DIR_SYNC_UNSUPPORTED.has(errno(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch (error) {
    if (MISSING.has(errno(error) ?? '')) return false;
    throw error;
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isDirectory();
  } catch {
    return false;
  }
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}
