import 'server-only';
import type { Storage } from '../storage';

/**
 * A Storage whose listings are reused for `ttlMs`: every dashboard request lists references,
 * evaluations and alerts, and a directory walk per request per prefix is most of a cached
 * answer's cost. New files show up within the TTL; reads, writes and versions pass through.
 */
export class CachedListingStorage implements Storage {
  private readonly listings = new Map<string, { at: number; keys: Promise<string[]> }>();

  constructor(
    private readonly inner: Storage,
    private readonly ttlMs: number,
  ) {}

  get url(): string {
    return this.inner.url;
  }

  list(prefix: string): Promise<string[]> {
    const known = this.listings.get(prefix);
    if (known && Date.now() - known.at < this.ttlMs) return known.keys;
    const keys = this.inner.list(prefix);
    this.listings.set(prefix, { at: Date.now(), keys });
    keys.catch(() => this.listings.delete(prefix));
    return keys;
  }

  read(key: string): Promise<Uint8Array | undefined> {
    return this.inner.read(key);
  }

  write(key: string, data: Uint8Array | string): Promise<void> {
    this.listings.clear();
    return this.inner.write(key, data);
  }

  writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    this.listings.clear();
    return this.inner.writeIfAbsent(key, data);
  }

  delete(key: string): Promise<void> {
    this.listings.clear();
    return this.inner.delete(key);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  version(key: string): Promise<string | undefined> {
    return this.inner.version(key);
  }
}
