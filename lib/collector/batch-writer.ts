import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DAY_MS, layout } from '../format';
import { encodeIds } from '../profile/id-index';

/** zlib level 3, as ingest writes raw batches. */
export const GZIP_LEVEL = 3;

const sha12 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** `c-<sha256(first id)[:12]>-<sha256(last id)[:12]>-<count>`: named by content, so a retried write replaces. */
export function collectorBatchId(ids: readonly string[]): string {
  return `c-${sha12(ids[0])}-${sha12(ids[ids.length - 1])}-${ids.length}`;
}

/** One store object of a dump. */
export interface StoreObject {
  key: string;
  data: Uint8Array;
  /** Events it holds (raw batches; 0 for id files). */
  events: number;
}

/**
 * A model's dump → per UTC day present: the raw batch (gzip NDJSON of the normalised lines, in
 * arrival order) and its ids file, the raw batch first so the index never names a missing batch.
 */
export function rawBatchObjects(model: string, lines: readonly string[], ids: readonly string[], ms: readonly number[]): StoreObject[] {
  const days = new Map<number, number[]>();
  for (let i = 0; i < lines.length; i++) {
    const day = Math.floor(ms[i] / DAY_MS) * DAY_MS;
    let of = days.get(day);
    if (!of) days.set(day, (of = []));
    of.push(i);
  }
  const out: StoreObject[] = [];
  for (const [day, rows] of [...days].sort((a, b) => a[0] - b[0])) {
    const dayIds = rows.map((i) => ids[i]);
    const batchId = collectorBatchId(dayIds);
    const text = `${rows.map((i) => lines[i]).join('\n')}\n`;
    out.push({ key: layout.rawPredictions(model, day, batchId, 'ndjson.gz'), data: gzipSync(text, { level: GZIP_LEVEL }), events: rows.length });
    out.push({ key: layout.ids(model, day, batchId), data: encodeIds(dayIds), events: 0 });
  }
  return out;
}
