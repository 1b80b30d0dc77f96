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

/** One UTC day of a model's dump: its raw batch (gzip NDJSON, arrival order) and ids file contents. */
export interface DayBatch {
  day: number;
  batchId: string;
  raw: Uint8Array;
  ids: Uint8Array;
  events: number;
}

/** A model's dump → one batch per UTC day present, each named by its own first and last id. */
export function dayBatches(lines: readonly string[], ids: readonly string[], ms: readonly number[]): DayBatch[] {
  const days = new Map<number, number[]>();
  for (let i = 0; i < lines.length; i++) {
    const day = Math.floor(ms[i] / DAY_MS) * DAY_MS;
    let of = days.get(day);
    if (!of) days.set(day, (of = []));
    of.push(i);
  }
  return [...days]
    .sort((a, b) => a[0] - b[0])
    .map(([day, rows]) => {
      const dayIds = rows.map((i) => ids[i]);
      const raw = gzipSync(`${rows.map((i) => lines[i]).join('\n')}\n`, { level: GZIP_LEVEL });
      return { day, batchId: collectorBatchId(dayIds), raw, ids: encodeIds(dayIds), events: rows.length };
    });
}

/**
 * The raw key for a batch: its content name, unless another batch with the same first id, last id
 * and count (but other events between) already holds it — then `<name>-2`, `-3`, …, so a replace
 * can never drop events. The same content found there means a retried write: nothing to write.
 */
export async function rawBatchKey(model: string, batch: DayBatch, read: (key: string) => Promise<Uint8Array | undefined>): Promise<{ batchId: string; key: string; written: boolean }> {
  for (let n = 1; ; n++) {
    const batchId = n === 1 ? batch.batchId : `${batch.batchId}-${n}`;
    const key = layout.rawPredictions(model, batch.day, batchId, 'ndjson.gz');
    const existing = await read(key);
    if (existing === undefined) return { batchId, key, written: false };
    if (Buffer.compare(Buffer.from(existing.buffer, existing.byteOffset, existing.length), Buffer.from(batch.raw.buffer, batch.raw.byteOffset, batch.raw.length)) === 0) return { batchId, key, written: true };
  }
}

/** The ids file of a batch (written after the raw batch, so the index never names a missing batch). */
export const idsKey = (model: string, day: number, batchId: string): string => layout.ids(model, day, batchId);
