import { gunzipSync, gzipSync } from 'node:zlib';
import { DAY_MS, layout, parseDuration, parseTimestamp } from '../format';
import type { Storage } from '../storage/storage';

/** Config `ingest.dedupe_window` default: an id repeated within a week of its hour is a duplicate. */
export const DEFAULT_DEDUPE_WINDOW = '7d';
/** Decoded id files kept between checks (one ingest, several flushes), in ids: about 100 MB. */
const CACHE_IDS = 1_000_000;

export function dedupeWindowMs(setting: string = DEFAULT_DEDUPE_WINDOW): number {
  const ms = parseDuration(setting);
  if (ms === undefined) throw new Error(`ingest.dedupe_window: "${setting}" is not a duration like 7d`);
  return ms;
}

/**
 * The per-model duplicate index: `models/<model>/ids/day=<D>/<raw batch>.ids.gz` lists the ids
 * (one JSON string a line) of one raw batch of prediction day D. An id is a duplicate when a
 * batch of another file stored it on a day one of whose hours is within ± the dedupe window of its
 * own hour (the index knows days, not hours: the window reaches up to 23 h further). The index
 * is listed once per ingest and only days in range are read; the batches of the file being
 * ingested are left out, so re-running a crashed ingest writes the same batches again.
 */
export class IdIndex {
  private byDay: Promise<Map<number, string[]>> | undefined;
  private readonly cache = new Map<string, string[]>();
  private cached = 0;

  constructor(
    private readonly storage: Storage,
    private readonly model: string,
    /** Batch ids of the file being ingested start with this. */
    private readonly ownBatch: string,
    private readonly windowMs = dedupeWindowMs(),
  ) {}

  /**
   * Of the candidates (id → its prediction hour), the ids another file already stored within the
   * window of that hour. Memory: the candidates and one id file at a time (plus a bounded cache).
   */
  async storedAmong(candidates: ReadonlyMap<string, number>): Promise<Set<string>> {
    const found = new Set<string>();
    if (candidates.size === 0) return found;
    const hours = [...new Set(candidates.values())].sort((a, b) => a - b);
    // A stored day covers [day, day + 24 h): it is in range of an hour within the window of any of its hours.
    const near = (hour: number, day: number): boolean => hour >= day - this.windowMs && hour < day + DAY_MS + this.windowMs;
    for (const [stored, keys] of await this.keysByDay()) {
      if (!nearAny(hours, stored + DAY_MS / 2, this.windowMs + DAY_MS / 2)) continue;
      for (const key of keys) {
        for (const id of await this.idsOf(key)) {
          const hour = candidates.get(id);
          if (hour !== undefined && near(hour, stored)) found.add(id);
        }
      }
    }
    return found;
  }

  /** Record the ids of a raw batch just written (after the batch: a crash in between re-runs cleanly). */
  async record(day: number, batch: string, ids: readonly string[]): Promise<void> {
    await this.storage.write(layout.ids(this.model, day, batch), encodeIds(ids));
  }

  /** One list of the whole index per ingest: keys of other files' batches by day. */
  private keysByDay(): Promise<Map<number, string[]>> {
    this.byDay ??= (async () => {
      const prefix = layout.idsPrefix(this.model);
      const out = new Map<number, string[]>();
      for (const key of await this.storage.list(prefix)) {
        const [dir, name] = key.slice(prefix.length).split('/');
        const day = dir?.startsWith('day=') ? parseTimestamp(`${dir.slice(4)}T00:00:00Z`) : undefined;
        if (day === undefined || name === undefined || name.startsWith(this.ownBatch)) continue;
        out.set(day, [...(out.get(day) ?? []), key]);
      }
      return out;
    })();
    return this.byDay;
  }

  private async idsOf(key: string): Promise<string[]> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const bytes = await this.storage.read(key);
    const ids = bytes ? decodeIds(bytes) : [];
    if (this.cached + ids.length <= CACHE_IDS) {
      this.cache.set(key, ids);
      this.cached += ids.length;
    }
    return ids;
  }
}

/** True when `hour` is within `windowMs` of one of the sorted `hours` (binary search). */
function nearAny(hours: readonly number[], hour: number, windowMs: number): boolean {
  let lo = 0;
  let hi = hours.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hours[mid] < hour - windowMs) lo = mid + 1;
    else hi = mid;
  }
  return lo < hours.length && hours[lo] <= hour + windowMs;
}

export function encodeIds(ids: readonly string[]): Uint8Array {
  return gzipSync(ids.map((id) => JSON.stringify(id)).join('\n'), { level: 3 });
}

export function decodeIds(bytes: Uint8Array): string[] {
  const text = gunzipSync(bytes).toString('utf8');
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as string);
}

