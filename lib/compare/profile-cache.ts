import type { SummaryRow } from '../format';
import { DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
/** Decodes profile files (Parquet) into summary rows, several at once; lib/duckdb provides the real one. */
export type SummaryDecoder = (files: readonly Uint8Array[]) => Promise<SummaryRow[][]>;

export interface ProfileCacheOptions {
  /** Decoded rows kept, estimated in bytes; least recently used files go first. Default 256 MiB. */
  maxBytes?: number;
  /**
   * Check each file's version (Storage.version) before using a cached copy: for long-running
   * readers (the dashboard) of a store that `profile` keeps rewriting. An evaluation run, which
   * reads a store nothing else writes meanwhile, skips the check.
   */
  checkVersions?: boolean;
}

interface Entry {
  version: string | undefined;
  rows: SummaryRow[];
  bytes: number;
}

/** What a decoded row costs in memory, roughly: centroids twice (array and digest), strings, the object. */
function estimateBytes(rows: readonly SummaryRow[]): number {
  let bytes = 0;
  for (const r of rows) bytes += 400 + r.means.length * 32 + r.categories.length * 80;
  return bytes;
}

/** Decoded profile files by key, bounded in memory, shared across the windows a process compares. */
export class ProfileCache {
  private readonly entries = new Map<string, Entry>();
  private size = 0;
  private readonly maxBytes: number;
  private readonly checkVersions: boolean;

  constructor(options: ProfileCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 << 20;
    this.checkVersions = options.checkVersions ?? false;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.size;
  }

  /** The rows of each key (empty for a key that has no object), reading and decoding only what is not cached. */
  async load(storage: Storage, keys: readonly string[], decode: SummaryDecoder): Promise<SummaryRow[][]> {
    const ids = keys.map((key) => `${storage.url}|${key}`);
    const versions = this.checkVersions ? await Promise.all(keys.map((key) => storage.version(key))) : keys.map(() => undefined);
    const result: (SummaryRow[] | undefined)[] = ids.map((id, i) => {
      const hit = this.entries.get(id);
      if (!hit || hit.version !== versions[i]) return undefined;
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.rows;
    });
    const missing = keys.map((_, i) => i).filter((i) => result[i] === undefined);
    if (missing.length > 0) {
      const bytes = await Promise.all(missing.map((i) => storage.read(keys[i])));
      const read = missing.map((i, j) => [i, bytes[j]] as const).filter((pair): pair is readonly [number, Uint8Array] => pair[1] !== undefined);
      const present = read.map(([i]) => i);
      const decoded = await decode(read.map(([, b]) => b)).catch((error: unknown) => {
        throw damagedProfile(error, (j) => keys[present[j]], storage.url);
      });
      for (const i of missing) result[i] = [];
      present.forEach((i, j) => {
        result[i] = decoded[j];
        this.put(ids[i], { version: versions[i], rows: decoded[j], bytes: estimateBytes(decoded[j]) });
      });
    }
    return result as SummaryRow[][];
  }

  private put(id: string, entry: Entry): void {
    const old = this.entries.get(id);
    if (old) {
      this.size -= old.bytes;
      this.entries.delete(id);
    }
    this.entries.set(id, entry);
    this.size += entry.bytes;
    for (const [key, e] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(key);
      this.size -= e.bytes;
    }
  }
}

/**
 * A decoder's error about one of several files (`fileIndex`, as lib/duckdb's SummaryFileError
 * gives it) as a DamagedFileError naming that file's store key; other errors pass unchanged.
 */
export function damagedProfile(error: unknown, keyOf: (fileIndex: number) => string | undefined, storeUrl: string): unknown {
  const { fileIndex, reason } = error as { fileIndex?: unknown; reason?: unknown };
  const key = typeof fileIndex === 'number' ? keyOf(fileIndex) : undefined;
  return key !== undefined && typeof reason === 'string' ? new DamagedFileError(key, reason, storeUrl) : error;
}
