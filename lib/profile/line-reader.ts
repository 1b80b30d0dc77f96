import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** One line of a text file; an oversized line keeps only a prefix. */
export interface Line {
  /** 1-based physical line number. */
  number: number;
  text: string;
  /** The line was longer than the limit; `text` is its first `keepBytes` bytes. */
  oversized: boolean;
}

const NEWLINE = 0x0a;

/**
 * Lines of a (possibly gzipped) file without holding more than one line in memory: a line over
 * `maxLineBytes` is cut to its first `keepBytes` and the rest skipped up to the next newline.
 */
export async function* readLines(path: string, maxLineBytes: number, keepBytes = 1024): AsyncGenerator<Line> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let number = 0;
  const take = (tail: Buffer): Line => {
    number++;
    let text: string;
    if (oversized) text = Buffer.concat(pending).subarray(0, keepBytes).toString('utf8');
    else text = (pending.length === 0 ? tail : Buffer.concat([...pending, tail])).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const line = { number, text, oversized };
    pending = [];
    pendingBytes = 0;
    oversized = false;
    return line;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end < 0 ? chunk.length : end);
      if (oversized || pendingBytes + piece.length > maxLineBytes) {
        if (!oversized && pendingBytes < keepBytes) pending.push(piece.subarray(0, keepBytes - pendingBytes));
        oversized = true;
        pendingBytes += piece.length;
        if (end < 0) break;
        yield take(Buffer.alloc(0));
      } else if (end < 0) {
        if (piece.length > 0) {
          // Copy: the stream may reuse its buffer for the next chunk.
          pending.push(Buffer.from(piece));
          pendingBytes += piece.length;
        }
        break;
      } else {
        yield take(piece);
      }
      start = end + 1;
    }
  }
  if (pendingBytes > 0 || oversized) yield take(Buffer.alloc(0));
}
