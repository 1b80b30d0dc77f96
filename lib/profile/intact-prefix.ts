import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { IngestDamage } from './options';

/**
 * Decompress a `.gz` table to `out`, up to its last complete line when the stream is damaged
 * (truncated, corrupt): DuckDB fails on such a file as a whole, so the intact lines are ingested
 * and the damage reported. Undefined when the file is whole.
 */
export async function intactPrefix(path: string, out: string): Promise<IngestDamage | undefined> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = raw.pipe(createGunzip());
  raw.on('error', (e) => gunzip.destroy(e));
  const file = await open(out, 'w');
  let lines = 0;
  let offset = 0;
  let held: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      const end = data.lastIndexOf(0x0a);
      if (end >= 0) {
        for (let i = data.indexOf(0x0a); i >= 0 && i <= end; i = data.indexOf(0x0a, i + 1)) lines++;
        await file.write(data.subarray(0, end + 1));
        offset += end + 1;
      }
      held = Buffer.from(data.subarray(end + 1));
    }
    await file.write(held);
    return undefined;
  } catch (error) {
    if (!String((error as { code?: string }).code ?? '').startsWith('Z_')) throw error;
    return { message: (error as Error).message, line: lines + 1, offset };
  } finally {
    await file.close();
  }
}
