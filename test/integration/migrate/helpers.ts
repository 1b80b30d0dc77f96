import { createHash } from 'node:crypto';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@/lib/cli/main';

/** The 1.3 store written by the 1.3 code (test/fixtures/store-1.3/README.md). */
export const FIXTURE = fileURLToPath(new URL('../../fixtures/store-1.3/', import.meta.url));

/** A fresh copy of the fixture store in `dir`: tests change it. */
export async function copyFixture(dir: string, name = 'store'): Promise<string> {
  const store = join(dir, name);
  await cp(join(FIXTURE, 'store'), store, { recursive: true });
  return store;
}

/** Every file of a directory (relative path → sha256 of its bytes); lock leases left out. */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const key = relative(root, path);
    if (key.includes('/state/locks/')) continue;
    out.set(key, createHash('sha256').update(await readFile(path)).digest('hex'));
  }
  return out;
}

export interface Run {
  code: number;
  out: string[];
  err: string[];
}

export async function cli(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err };
}

export async function readJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
