import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Storage } from '../storage/storage';

/**
 * The file behind a stored object when the store is a local directory: LocalStorage keeps key
 * `a/b/c` at `<url>/a/b/c` so that DuckDB can read the store directly. Reading raw batches in
 * place saves copying every byte to a temporary directory (S3 and memory stores are copied).
 */
export async function localFileOf(storage: Storage, key: string): Promise<{ path: string; bytes: number } | undefined> {
  if (!isAbsolute(storage.url) || /^[a-z][a-z0-9+.-]*:/i.test(storage.url)) return undefined;
  const path = join(storage.url, ...key.split('/'));
  try {
    const info = await stat(path);
    return info.isFile() ? { path, bytes: info.size } : undefined;
  } catch {
    return undefined;
  }
}
