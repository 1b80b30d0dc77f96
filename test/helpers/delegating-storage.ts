import type { Storage } from '@/lib/storage/storage';

/** A Storage that hands every call to `inner`: test doubles extend it and override what they change (usually `write`). */
export class DelegatingStorage implements Storage {
  constructor(readonly inner: Storage) {}
  get url(): string {
    return this.inner.url;
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  read(key: string) {
    return this.inner.read(key);
  }
  write(key: string, data: Uint8Array | string) {
    return this.inner.write(key, data);
  }
  writeIfAbsent(key: string, data: Uint8Array | string) {
    return this.inner.writeIfAbsent(key, data);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  exists(key: string) {
    return this.inner.exists(key);
  }
  version(key: string) {
    return this.inner.version(key);
  }
}
