import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertKey, type Storage } from '@/lib/storage/storage';

/** A tiny in-memory Storage for profile tests (lib/storage's implementations are built elsewhere). */
export class TestStorage implements Storage {
  readonly url = 'memory://profile-test';
  readonly objects = new Map<string, Uint8Array>();
  writes = 0;

  async list(prefix: string): Promise<string[]> {
    assertKey(prefix, true);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.objects.get(assertKey(key));
    return bytes ? bytes.slice() : undefined;
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    this.writes++;
    this.objects.set(assertKey(key), typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  }

  async writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    if (this.objects.has(assertKey(key))) return false;
    await this.write(key, data);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(assertKey(key));
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(assertKey(key));
  }

  text(key: string): string {
    const bytes = this.objects.get(key);
    if (!bytes) throw new Error(`no object ${key}`);
    return new TextDecoder().decode(bytes);
  }
}

/** A temporary directory for one suite; call the returned function to remove it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-profile-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
