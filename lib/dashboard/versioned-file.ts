import 'server-only';
import type { Storage } from '../storage';

/**
 * Small store files (manifest, config, model.json, alert state) parsed once per version: every
 * request needs them, and re-reading and re-validating them cost more than the cached answer.
 */
export class VersionedFiles {
  private readonly entries = new Map<string, { version: string | undefined; value: Promise<unknown> }>();

  async get<T>(storage: Storage, key: string, parse: (bytes: Uint8Array | undefined) => T | Promise<T>): Promise<T> {
    const id = `${storage.url}|${key}`;
    const version = await storage.version(key);
    const hit = this.entries.get(id);
    if (hit && hit.version === version) return hit.value as Promise<T>;
    const value = (async () => parse(await storage.read(key)))();
    this.entries.set(id, { version, value });
    value.catch(() => this.entries.delete(id));
    return value;
  }
}
