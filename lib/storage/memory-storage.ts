import { assertListPrefix, assertObjectKey, sortKeys, toBytes } from './keys';
import type { Storage } from './storage';

let instances = 0;

/** `new Uint8Array(x)` copies; `Buffer#slice` (a Uint8Array subclass) would return a view instead. */
const copy = (data: Uint8Array | string): Uint8Array => new Uint8Array(toBytes(data));

/**
 * An in-memory store for tests, with the same key rules and semantics as the others. It keeps
 * its own copies: changing an array after `write`, or one returned by `read`, changes nothing stored.
 */
export class MemoryStorage implements Storage {
  readonly url: string;
  readonly #objects = new Map<string, Uint8Array>();
  readonly #versions = new Map<string, number>();
  #writes = 0;

  constructor(name = `store-${++instances}`) {
    this.url = `memory://${name}`;
  }

  async list(prefix: string): Promise<string[]> {
    assertListPrefix(prefix);
    return sortKeys([...this.#objects.keys()].filter((key) => key.startsWith(prefix)));
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.#objects.get(assertObjectKey(key));
    return bytes === undefined ? undefined : bytes.slice();
  }

  /** Stored objects by key (for tests that inspect what was written). */
  get objects(): ReadonlyMap<string, Uint8Array> {
    return this.#objects;
  }

  /** Objects written so far, replacements included. */
  get writes(): number {
    return this.#writes;
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    this.#objects.set(assertObjectKey(key), copy(data));
    this.#versions.set(key, ++this.#writes);
  }

  async writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    if (this.#objects.has(assertObjectKey(key))) return false;
    await this.write(key, data);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(assertObjectKey(key));
    this.#versions.delete(key);
  }

  async version(key: string): Promise<string | undefined> {
    const v = this.#versions.get(assertObjectKey(key));
    return v === undefined ? undefined : String(v);
  }

  async exists(key: string): Promise<boolean> {
    return this.#objects.has(assertObjectKey(key));
  }
}
