import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { queryRows, sqlString, withConnection, withTempDir } from '../duckdb';
import { encodeIds } from '../profile/id-index';
import type { Storage } from '../storage';

/** The raw batch an id index file (`ids/day=<D>/<batch>.ids.gz`, beside `raw/predictions/day=<D>/<batch>.*`) lists the ids of, if it is in the store. */
export async function rawBatchOfIds(storage: Storage, idsKey: string): Promise<string | undefined> {
  const stem = idsKey.replace('/ids/', '/raw/predictions/').replace(/\.ids\.gz$/, '');
  for (const key of [`${stem}.ndjson.gz`, `${stem}.parquet`]) if (await storage.exists(key)) return key;
  return undefined;
}

/** The ids of a raw batch, in its order: what ingest recorded for it (lines or rows without an id have none). */
async function idsOfRawBatch(key: string, bytes: Uint8Array): Promise<string[]> {
  if (key.endsWith('.ndjson.gz')) {
    const ids: string[] = [];
    for (const line of gunzipSync(bytes).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.push(id);
    }
    return ids;
  }
  return withTempDir('ids-rebuild', async (dir) => {
    const path = join(dir, '0.parquet');
    await writeFile(path, bytes);
    return withConnection(async (c) => (await queryRows(c, `SELECT id FROM read_parquet(${sqlString(path)}) WHERE id IS NOT NULL`)).map((r) => String(r.id)));
  }, 'small');
}

/** Write an id index file again from its raw batch. */
export async function rebuildIdIndex(storage: Storage, idsKey: string, rawKey: string): Promise<number> {
  const bytes = await storage.read(rawKey);
  if (bytes === undefined) throw new Error(`${rawKey} is gone: cannot rebuild ${idsKey}`);
  const ids = await idsOfRawBatch(rawKey, bytes);
  await storage.write(idsKey, encodeIds(ids));
  return ids.length;
}
