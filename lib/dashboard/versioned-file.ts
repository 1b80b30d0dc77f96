import 'server-only';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage';

/** A parser's error that says the bytes are not what the key holds: invalid JSON, or a schema mismatch (zod). */
export function isParseDamage(error: unknown): boolean {
  return error instanceof SyntaxError || (error instanceof Error && Array.isArray((error as { issues?: unknown }).issues));
}

/**
 * Small store files (manifest, config, model.json, alert state) parsed once per version: every
 * request needs them, and re-reading and re-validating them cost more than the cached answer.
 * A file that does not parse is a DamagedFileError naming its key (a 503), not a 500.
 */
export class VersionedFiles {
  private readonly entries = new Map<string, { version: string | undefined; value: Promise<unknown> }>();

  async get<T>(storage: Storage, key: string, parse: (bytes: Uint8Array | undefined) => T | Promise<T>): Promise<T> {
    const id = `${storage.url}|${key}`;
    const version = await storage.version(key);
    const hit = this.entries.get(id);
    if (hit && hit.version === version) return hit.value as Promise<T>;
    const value = (async () => {
      const bytes = await storage.read(key);
      try {
        return await parse(bytes);
      } catch (error) {
        throw isParseDamage(error) ? new DamagedFileError(key, damageReason(error), storage.url) : error;
      }
    })();
    this.entries.set(id, { version, value });
    value.catch(() => this.entries.delete(id));
    return value;
  }
}
