import { gunzipSync } from 'node:zlib';
import { writeModelMeta, updateModelMeta } from '@/lib/profile/model-store';
import type { Storage } from '@/lib/storage/storage';
import { MemoryStorage } from '@/lib/storage/memory-storage';
import { DelegatingStorage } from '@/test/helpers/delegating-storage';

export const T0 = Date.UTC(2026, 10, 29, 8, 0, 0);

export function event(id: string | number, options: { model?: string; ms?: number; amount?: unknown; extra?: string } = {}): string {
  const ts = new Date(options.ms ?? T0).toISOString();
  return `{"model":"${options.model ?? 'm'}","id":${JSON.stringify(String(id))},"ts":"${ts}","features":{"amount":${JSON.stringify(options.amount ?? 1)}${options.extra ?? ''}},"score":0.5}`;
}

export const body = (...lines: string[]): Uint8Array => Buffer.from(`${lines.join('\n')}\n`);

export async function storeWithModels(...models: string[]): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  for (const model of models) await writeModelMeta(storage, updateModelMeta(undefined, model, {}).meta);
  return storage;
}

/** The raw batches of a store: key → its NDJSON lines. */
export async function rawBatches(storage: Storage, model = 'm'): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const key of await storage.list(`models/${model}/raw/predictions/`)) {
    const text = gunzipSync((await storage.read(key))!).toString('utf8');
    out.set(key, text.split('\n').slice(0, -1));
  }
  return out;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A storage whose writes fail `failures` times (then succeed), or wait on `hold` when set. */
export class FlakyStorage extends DelegatingStorage {
  failures = 0;
  failed = 0;
  hold: Promise<void> | undefined;
  /** Per key: a promise the write waits on before it goes ahead. */
  gate: ((key: string) => Promise<void> | undefined) | undefined;
  /** Called at every write attempt, before it fails or goes ahead. */
  onAttempt: ((key: string) => void) | undefined;
  readonly writes: string[] = [];
  override get url(): string {
    return `flaky+${this.inner.url}`;
  }
  override async write(key: string, data: Uint8Array | string): Promise<void> {
    if (this.hold) await this.hold;
    await this.gate?.(key);
    this.onAttempt?.(key);
    if (this.failures > 0) {
      this.failures--;
      this.failed++;
      throw new Error(`injected failure writing ${key}`);
    }
    this.writes.push(key);
    await this.inner.write(key, data);
  }
}
