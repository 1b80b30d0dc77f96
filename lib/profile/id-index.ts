import { gunzipSync, gzipSync } from 'node:zlib';
import { layout } from '../format';
import type { Storage } from '../storage/storage';

/**
 * The per-model duplicate index: `models/<model>/ids/hour=<H>/<raw batch>.ids.gz` lists the ids
 * (one JSON string a line) of one raw batch of that prediction hour. Ingest skips an id that a
 * batch of another file already stored in the same hour; the batches of the file being ingested
 * are left out, so re-running a crashed ingest writes the same batches again.
 */
export class IdIndex {
  private readonly hours = new Map<number, Set<string>>();

  constructor(
    private readonly storage: Storage,
    private readonly model: string,
    /** Batch ids of the file being ingested start with this. */
    private readonly ownBatch: string,
  ) {}

  /** The ids of an hour already loaded, without a promise per line. */
  loaded(hour: number): Set<string> | undefined {
    return this.hours.get(hour);
  }

  /** Ids stored in this hour by other files (loaded once per hour). */
  async storedIn(hour: number): Promise<Set<string>> {
    let ids = this.hours.get(hour);
    if (ids) return ids;
    ids = new Set<string>();
    for (const key of await this.storage.list(layout.idsHourPrefix(this.model, hour))) {
      if (key.slice(key.lastIndexOf('/') + 1).startsWith(this.ownBatch)) continue;
      const bytes = await this.storage.read(key);
      if (bytes) for (const id of decodeIds(bytes)) ids.add(id);
    }
    this.hours.set(hour, ids);
    return ids;
  }

  /** Record the ids of a raw batch just written (after the batch: a crash in between re-runs cleanly). */
  async record(hour: number, batch: string, ids: readonly string[]): Promise<void> {
    await this.storage.write(layout.ids(this.model, hour, batch), encodeIds(ids));
  }
}

export function encodeIds(ids: readonly string[]): Uint8Array {
  return gzipSync(ids.map((id) => JSON.stringify(id)).join('\n'), { level: 3 });
}

export function decodeIds(bytes: Uint8Array): string[] {
  const text = gunzipSync(bytes).toString('utf8');
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as string);
}
