/**
 * The store's one storage interface: a flat namespace of '/'-separated keys relative to the
 * store root (a local directory, an S3 prefix, or memory in tests). Keys never start with '/',
 * never contain '..' or empty segments; `assertKey` enforces it at every entry point.
 * Implementations (index.ts) also reserve segments starting with `.tmp-` for temporary files.
 * A bad key rejects with StorageKeyError; any other failure with StorageError (errors.ts), whose
 * message names the operation, key and store but never credentials.
 */
export interface Storage {
  /** Human-readable location, e.g. `/var/driftwatch` or `s3://bucket/prefix`. */
  readonly url: string;
  /** Every key under `prefix` (recursively), sorted ascending. A missing prefix lists nothing. */
  list(prefix: string): Promise<string[]>;
  /** The object's bytes (a plain Uint8Array owning its whole ArrayBuffer), or `undefined` when there is no such key. */
  read(key: string): Promise<Uint8Array | undefined>;
  /**
   * Write a whole object atomically: readers see the old object or the new one, never a part
   * (local: write to a temporary file then rename; S3: a single PUT). Replaces any existing object.
   */
  write(key: string, data: Uint8Array | string): Promise<void>;
  /** Write only if the key does not exist yet; returns false (and writes nothing) when it does. */
  writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean>;
  /** Remove an object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** True when the key exists. */
  exists(key: string): Promise<boolean>;
  /**
   * A token that changes whenever the object is replaced (local: inode and mtime, S3: ETag),
   * or `undefined` when there is no such key: lets long-running readers cache decoded objects.
   */
  version(key: string): Promise<string | undefined>;
}

export class StorageKeyError extends Error {
  override readonly name = 'StorageKeyError';
}

const SEGMENT = /^[A-Za-z0-9._=:+@-]+$/;

/** Reject keys that could escape the store or mean different things on different backends. */
export function assertKey(key: string, allowEmpty = false): string {
  if (key === '' && allowEmpty) return key;
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw new StorageKeyError(`storage key must be 1–1024 characters, got ${JSON.stringify(key)}`);
  const segments = key.split('/');
  for (const [i, segment] of segments.entries()) {
    // A trailing '/' is allowed on prefixes only (list), represented by an empty last segment.
    if (segment === '' && allowEmpty && i === segments.length - 1) continue;
    if (segment === '.' || segment === '..' || !SEGMENT.test(segment)) {
      throw new StorageKeyError(`storage key ${JSON.stringify(key)} has an invalid segment ${JSON.stringify(segment)}: use letters, digits and . _ = : + @ - only`);
    }
  }
  return key;
}
