import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** One line of a text file, as bytes; an oversized line keeps a prefix, its length, hash and tail. */
export interface Line {
  /** 1-based physical line number. */
  number: number;
  /**
   * The line's bytes (no newline, no trailing CR); for an oversized line, its first `keepBytes`.
   * May be a view of the read buffer: valid until the next line is requested.
   */
  bytes: Buffer;
  /** The line was longer than the limit. */
  oversized: boolean;
  /** Length of the whole line in bytes. */
  length: number;
  /** Oversized lines only: SHA-256 (hex) of the whole line and its last `TAIL_BYTES` bytes. */
  sha256?: string;
  tail?: Buffer;
}

/** Where a damaged (truncated, corrupt) compressed file stopped being readable. */
export interface ReadDamage {
  /** The zlib message, e.g. `unexpected end of file`. */
  message: string;
  /** Lines completed before the damage. */
  lines: number;
  /** Decompressed bytes read before the damage. */
  offset: number;
}

export const TAIL_BYTES = 1024;
const NEWLINE = 0x0a;

/**
 * Lines of a (possibly gzipped) file without holding more than one line in memory: a line over
 * `maxLineBytes` is flagged oversized and kept up to `keepBytes` (its hash and tail cover the rest).
 * A damaged compressed stream (a truncated .gz) ends the lines and is kept in `damage`:
 * the lines before it are yielded, the part-line at the break is not.
 */
export class LineReader {
  damage: ReadDamage | undefined;

  constructor(
    readonly path: string,
    private readonly maxLineBytes: number,
    private readonly keepBytes = 1024,
  ) {}

  async *lines(): AsyncGenerator<Line> {
    const raw = createReadStream(this.path, { highWaterMark: 1 << 20 });
    const gz = this.path.toLowerCase().endsWith('.gz');
    const stream = gz ? raw.pipe(createGunzip()) : raw;
    if (gz) raw.on('error', (e) => stream.destroy(e));
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let kept = 0;
    let oversized = false;
    let hash: Hash | undefined;
    let tail = Buffer.alloc(0);
    let number = 0;
    let offset = 0;
    /** `ends`: the line ends in this chunk, so a lone piece is used in place (consumed before the next chunk). */
    const addPiece = (piece: Buffer, ends: boolean): void => {
      if (!oversized && pendingBytes + piece.length > this.maxLineBytes) {
        oversized = true;
        hash = createHash('sha256');
        for (const p of pending) hash.update(p);
      }
      if (oversized) {
        hash!.update(piece);
        tail = Buffer.concat([tail, piece]).subarray(-TAIL_BYTES);
        if (kept < this.keepBytes) {
          const part = Buffer.from(piece.subarray(0, this.keepBytes - kept));
          pending.push(part);
          kept += part.length;
        }
      } else {
        // Copy a piece that outlives its chunk: the stream may reuse its buffer.
        pending.push(ends && pending.length === 0 ? piece : Buffer.from(piece));
        kept += piece.length;
      }
      pendingBytes += piece.length;
    };
    const take = (): Line => {
      number++;
      let bytes = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      let length = pendingBytes;
      if (!oversized && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) {
        bytes = bytes.subarray(0, -1);
        length--;
      }
      const line: Line = oversized ? { number, bytes, oversized, length, sha256: hash!.digest('hex'), tail } : { number, bytes, oversized, length };
      pending = [];
      pendingBytes = 0;
      kept = 0;
      oversized = false;
      hash = undefined;
      tail = Buffer.alloc(0);
      return line;
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        let start = 0;
        for (;;) {
          const end = chunk.indexOf(NEWLINE, start);
          addPiece(chunk.subarray(start, end < 0 ? chunk.length : end), end >= 0);
          if (end < 0) break;
          yield take();
          start = end + 1;
        }
        offset += chunk.length;
      }
    } catch (error) {
      // Only a damaged compressed stream is the file's fault; a missing or unreadable file is thrown.
      if (!String((error as { code?: string }).code ?? '').startsWith('Z_')) throw error;
      this.damage = { message: (error as Error).message, lines: number, offset };
      return;
    }
    if (pendingBytes > 0) yield take();
  }
}

/** Lines of a file; throws when the file is damaged (for callers that only sample it). */
export async function* readLines(path: string, maxLineBytes: number, keepBytes = 1024): AsyncGenerator<Line> {
  const reader = new LineReader(path, maxLineBytes, keepBytes);
  yield* reader.lines();
}
