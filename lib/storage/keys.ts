import { assertKey, StorageKeyError } from './storage';

/** Segments starting with this are LocalStorage's in-flight temporary files; no key may use it. */
export const TEMP_PREFIX = '.tmp-';

function assertNoReservedSegment(key: string): string {
  for (const segment of key.split('/')) {
    if (segment.startsWith(TEMP_PREFIX)) {
      throw new StorageKeyError(`storage key ${JSON.stringify(key)} has a segment starting with "${TEMP_PREFIX}", which is reserved for temporary files`);
    }
  }
  return key;
}

/**
 * assertKey plus the one rule every backend adds: no `.tmp-` segment. Applied on all backends
 * so that a store copied between local disk and S3 means the same thing on both.
 */
export function assertObjectKey(key: string): string {
  return assertNoReservedSegment(assertKey(key));
}

/** A `list` prefix: '' (everything), a directory ('models/a/') or a partial name ('models/a/raw/hour=2026-11-2'). */
export function assertListPrefix(prefix: string): string {
  return assertNoReservedSegment(assertKey(prefix, true));
}

/** True for keys a listing may return: a key it returns can always be read back. */
export function isValidObjectKey(key: string): boolean {
  try {
    assertObjectKey(key);
    return true;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/**
 * Bytes that own their whole ArrayBuffer, so callers may hand `.buffer` on. Node buffers can be
 * views into a shared pool, where `.buffer` holds other data too: those are copied.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength;
  if (!whole) return new Uint8Array(bytes);
  // A plain Uint8Array on every backend: Buffer's slice() and toString() behave differently.
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : bytes;
}

/** Sorted by UTF-16 code unit, which equals S3's UTF-8 byte order for the ASCII keys assertKey allows. */
export function sortKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
