import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A text table with bytes that are not UTF-8 stops DuckDB's CSV reader for the whole file. The
 * lines holding them are copied to `out` with each bad sequence as U+FFFD (every other byte, and
 * the line count, as they were), and the profiler counts a value holding U+FFFD as a type error
 * (feature-sql.ts): a failed value, never a category. Returns the lines repaired; 0 means the
 * file is valid UTF-8 and `out` was not written.
 */
export async function repairUtf8(path: string, out: string): Promise<number> {
  if (await isUtf8File(path)) return 0;
  const file = await open(out, 'w');
  let repaired = 0;
  let held: Buffer = Buffer.alloc(0);
  const put = async (line: Buffer): Promise<void> => {
    if (isUtf8(line)) await file.write(line);
    else {
      repaired++;
      await file.write(Buffer.from(line.toString('utf8'), 'utf8'));
    }
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      let start = 0;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
        await put(data.subarray(start, end + 1));
        start = end + 1;
      }
      held = Buffer.from(data.subarray(start));
    }
    if (held.length > 0) await put(held);
  } finally {
    await file.close();
  }
  return repaired;
}

/** Whole-chunk checks; a chunk boundary inside a character is checked again with the next chunk. */
async function isUtf8File(path: string): Promise<boolean> {
  let held: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
    const end = data.lastIndexOf(0x0a);
    if (end < 0) {
      held = Buffer.from(data);
      continue;
    }
    if (!isUtf8(data.subarray(0, end + 1))) return false;
    held = Buffer.from(data.subarray(end + 1));
  }
  return isUtf8(held);
}
