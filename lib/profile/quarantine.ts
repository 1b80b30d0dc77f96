import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { layout } from '../format';
import { QUARANTINE_FORMAT, QuarantineEntry, QuarantineHeader } from '../format/quarantine';
import type { Storage } from '../storage/storage';
import { TAIL_BYTES } from './line-reader';

/** Original bytes kept per rejected line; beyond it, the length, SHA-256 and first and last KiB. */
export const QUARANTINE_LINE_CAP = 8 << 20;
const HEAD_BYTES = 1024;

/** What is known of a rejected line beyond the bytes kept (see `Line` of line-reader). */
export interface RejectedLineInfo {
  /** Whole length in bytes, when more than `bytes` were read. */
  length?: number;
  sha256?: string;
  tail?: Buffer;
}

/** Entries held before they are written out as one quarantine object (a part). */
const PART_BYTES = 64 << 20;

/**
 * Rejected lines of one ingested file: a header, then one entry each. Written as one object,
 * `<batch>.ndjson`, unless the entries pass 64 MiB: then as parts `<batch>.ndjson`,
 * `<batch>-q1.ndjson`, … so that memory stays bounded whatever the file holds.
 */
export class Quarantine {
  private lines: string[] = [];
  private bytes = 0;
  private part = 0;
  private count = 0;
  readonly keys: string[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly model: string,
    private readonly batchId: string,
    private readonly header: Omit<QuarantineHeader, 'format' | 'ingested_at'>,
    private readonly capBytes = QUARANTINE_LINE_CAP,
    private readonly partBytes = PART_BYTES,
  ) {}

  /** Returns true when the held entries should be written out now (`await write()`). */
  add(line: number, reason: string, bytes: Buffer | string, info: RejectedLineInfo = {}): boolean {
    const text = JSON.stringify(quarantineEntry(line, reason, bytes, info, this.capBytes));
    this.lines.push(text);
    this.bytes += text.length;
    this.count++;
    return this.bytes >= this.partBytes;
  }

  /** Lines quarantined so far. */
  get size(): number {
    return this.count;
  }

  /** Write the held entries as the next part (nothing when none are held). */
  async write(now = new Date()): Promise<void> {
    if (this.lines.length === 0) return;
    const header: QuarantineHeader = { format: QUARANTINE_FORMAT, ...this.header, ingested_at: now.toISOString() };
    const key = layout.quarantine(this.model, this.part === 0 ? this.batchId : `${this.batchId}-q${this.part}`);
    await this.storage.write(key, `${[JSON.stringify(header), ...this.lines].join('\n')}\n`);
    this.keys.push(key);
    this.part++;
    this.lines = [];
    this.bytes = 0;
  }
}

export function quarantineEntry(line: number, reason: string, input: Buffer | string, info: RejectedLineInfo, capBytes = QUARANTINE_LINE_CAP): QuarantineEntry {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const length = info.length ?? bytes.length;
  if (length <= capBytes && bytes.length === length) {
    return isUtf8(bytes) ? { line, reason, raw: bytes.toString('utf8'), bytes: length } : { line, reason, raw_base64: bytes.toString('base64'), bytes: length };
  }
  const tail = info.tail ?? (bytes.length === length ? bytes.subarray(-TAIL_BYTES) : Buffer.alloc(0));
  const sha256 = info.sha256 ?? createHash('sha256').update(bytes).digest('hex');
  return { line, reason, bytes: length, truncated: true, sha256, head_base64: bytes.subarray(0, HEAD_BYTES).toString('base64'), tail_base64: tail.toString('base64') };
}

/** The original bytes of an entry, or undefined when only a summary was kept (over the cap). */
export function quarantinedBytes(entry: QuarantineEntry): Buffer | undefined {
  if (entry.truncated) return undefined;
  if (entry.raw_base64 !== undefined) return Buffer.from(entry.raw_base64, 'base64');
  if (entry.raw !== undefined) return Buffer.from(entry.raw, 'utf8');
  return undefined;
}

export interface QuarantineFile {
  key: string;
  header: QuarantineHeader | undefined;
  entries: QuarantineEntry[];
}

export class QuarantineFormatError extends Error {
  override readonly name = 'QuarantineFormatError';
}

/** Parse a stored quarantine object (with or without the header of format 1.4). */
export function parseQuarantine(key: string, bytes: Uint8Array): QuarantineFile {
  const lines = Buffer.from(bytes).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  let header: QuarantineHeader | undefined;
  const entries: QuarantineEntry[] = [];
  lines.forEach((text, i) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new QuarantineFormatError(`${key}: line ${i + 1} is not valid JSON`);
    }
    if (i === 0) {
      const h = QuarantineHeader.safeParse(json);
      if (h.success) {
        header = h.data;
        return;
      }
    }
    const e = QuarantineEntry.safeParse(json);
    if (!e.success) throw new QuarantineFormatError(`${key}: line ${i + 1} is not a quarantine entry (${e.error.issues[0]?.path.join('.')} ${e.error.issues[0]?.message})`);
    entries.push(e.data);
  });
  return { key, header, entries };
}

export async function readQuarantine(storage: Storage, key: string): Promise<QuarantineFile | undefined> {
  const bytes = await storage.read(key);
  return bytes === undefined ? undefined : parseQuarantine(key, bytes);
}

/** Write a quarantine file back with these entries; none left removes it. */
export async function rewriteQuarantine(storage: Storage, file: QuarantineFile): Promise<void> {
  if (file.entries.length === 0) {
    await storage.delete(file.key);
    return;
  }
  const lines = [...(file.header ? [JSON.stringify(file.header)] : []), ...file.entries.map((e) => JSON.stringify(e))];
  await storage.write(file.key, `${lines.join('\n')}\n`);
}
