import { link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BackpressureError } from './types';

/**
 * The collector's local write-ahead spool: messages taken with `durability: 'spool'` are appended
 * here and fsynced before they are answered, and released once written to the store. Segment files
 * `<seq, 12 digits>.spool` hold records `[u32 LE length][u32 LE crc32(body)][body]`; a segment is
 * sealed at `segmentBytes` and deleted once sealed and every record in it is released.
 */
export interface SpoolOptions {
  dir: string;
  /** Bytes on disk the spool may hold (default 1 GiB): an append beyond it throws BackpressureError. */
  maxBytes?: number;
  /**
   * A segment is sealed when the next record would take it past this (default 64 MiB; never more
   * than max(1 MiB, maxBytes / 8), so a small spool still frees whole segments).
   */
  segmentBytes?: number;
  /** The active segment is sealed (and so deleted) once every record in it is released and it is this old (default 1 s). */
  idleSealMs?: number;
  /** Called when space is freed (a segment deleted), so waiters for room can retry. */
  onFree?: () => void;
}

/** A record's handle: release it once its contents are durably written elsewhere. */
export interface SpoolRecord {
  readonly segment: number;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1 << 30;
export const DEFAULT_SEGMENT_BYTES = 64 << 20;
export const SPOOL_RETRY_AFTER_SECONDS = 5;
const HEADER_BYTES = 8;
const LOCK_FILE = 'spool.lock';
const SEGMENT_NAME = /^(\d{12})\.spool$/;

interface Segment {
  seq: number;
  path: string;
  size: number;
  /** When it was created (Date.now()). */
  createdMs: number;
  /** Records handed out (appended or recovered) and not released yet. */
  live: number;
  sealed: boolean;
  handle?: FileHandle;
}

interface Waiting {
  body: Uint8Array;
  resolve: (record: SpoolRecord) => void;
  reject: (error: unknown) => void;
}

export class SpoolLockedError extends Error {
  override readonly name = 'SpoolLockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let lockSeq = 0;

/**
 * Take `<dir>/spool.lock` (holding our pid). The lock appears atomically with its content: a temp
 * file holding the pid is hard-linked to the lock name (link fails if the name exists), so a lock is
 * never seen empty. A lock whose process is dead is taken over only while holding the takeover
 * mutex `<dir>/spool.lock.takeover` (also created by link), and then by an atomic rename of our
 * temp file over the stale lock, after re-reading it under the mutex: the lock name never goes
 * missing (a plain opener cannot slip in) and two takers cannot both replace it, so exactly one of
 * several racing opens gets the spool. A mutex left by a dead process (or older than 10 s) is removed.
 */
async function takeLock(dir: string): Promise<string> {
  const path = join(dir, LOCK_FILE);
  const mutex = `${path}.takeover`;
  const content = `${process.pid}\n`;
  const tmp = `${path}.tmp-${process.pid}-${++lockSeq}`;
  await writeFile(tmp, content);
  const locked = (pid: number) => new SpoolLockedError(`spool ${dir} is in use by process ${pid}: two collectors cannot share a spool (give each its own --spool-dir)`);
  try {
    for (let attempt = 0; attempt < 500; attempt++) {
      try {
        await link(tmp, path);
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) throw locked(pid);
      // Stale (or unreadable: gone this instant): take it over under the mutex.
      try {
        await link(tmp, mutex);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await removeStaleMutex(mutex);
        await sleep(1 + Math.random() * 5);
        continue;
      }
      try {
        const again = await readFile(path, 'utf8').catch(() => undefined);
        if (again === undefined) continue; // gone: try the plain link again
        const holder = Number.parseInt(again.trim(), 10);
        if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || alive(holder))) throw locked(holder);
        // Atomic replace: the lock name always exists; only the mutex holder replaces a stale lock.
        const mine = `${tmp}.take`;
        await link(tmp, mine);
        await rename(mine, path);
        return path;
      } finally {
        await unlink(mutex).catch(() => undefined);
      }
    }
    throw new SpoolLockedError(`spool ${dir}: could not take ${LOCK_FILE}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The takeover mutex of a process that died holding it (or held > 10 s) is removed. */
async function removeStaleMutex(mutex: string): Promise<void> {
  const text = await readFile(mutex, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const pid = Number.parseInt(text.trim(), 10);
  const info = await stat(mutex).catch(() => undefined);
  const old = info !== undefined && Date.now() - info.mtimeMs > 10_000;
  if ((Number.isInteger(pid) && pid > 0 && !alive(pid)) || old) {
    // Move it aside by a unique name first, so only one remover deletes this very file.
    const aside = `${mutex}.dead-${process.pid}-${++lockSeq}`;
    await rename(mutex, aside).catch(() => undefined);
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== undefined && moved !== text) await link(aside, mutex).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }
}

export class Spool {
  private readonly segments = new Map<number, Segment>();
  private active: Segment | undefined;
  private nextSeq: number;
  private queue: Waiting[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private diskBytes = 0;
  private closed = false;
  /** fdatasync calls made (group commit: far fewer than appends under concurrency). */
  syncs = 0;
  appends = 0;
  readonly maxBytes: number;
  readonly segmentBytes: number;

  private constructor(
    readonly dir: string,
    private readonly lockPath: string,
    existing: Segment[],
    private readonly options: SpoolOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.segmentBytes = Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.max(1 << 20, Math.floor(this.maxBytes / 8)));
    for (const s of existing) {
      this.segments.set(s.seq, s);
      this.diskBytes += s.size;
    }
    this.nextSeq = existing.length === 0 ? 1 : existing[existing.length - 1].seq + 1;
  }

  /** Lock the directory (created if missing) and find the segments a previous run left. */
  static async open(options: SpoolOptions): Promise<Spool> {
    await mkdir(options.dir, { recursive: true });
    const lockPath = await takeLock(options.dir);
    try {
      const existing: Segment[] = [];
      for (const name of (await readdir(options.dir)).sort()) {
        const m = SEGMENT_NAME.exec(name);
        if (!m) continue;
        const path = join(options.dir, name);
        const handle = await open(path, 'r');
        const { size } = await handle.stat().finally(() => handle.close());
        // Sealed only once recovery has read it: until then its records may not all be handed out.
        existing.push({ seq: Number(m[1]), path, size, createdMs: 0, live: 0, sealed: false });
      }
      return new Spool(options.dir, lockPath, existing, options);
    } catch (error) {
      await unlink(lockPath).catch(() => undefined);
      throw error;
    }
  }

  /** Bytes of the segment files on disk. */
  get bytes(): number {
    return this.diskBytes;
  }

  get segmentCount(): number {
    return this.segments.size;
  }

  /** True when less than one typical message fits. */
  get full(): boolean {
    return this.diskBytes + this.queuedBytes + (64 << 10) > this.maxBytes;
  }

  /**
   * The records of the segments found at open, in order; each segment stops at its first torn or
   * corrupt record (a write that was never acknowledged). Release each record once written.
   */
  async *recover(): AsyncGenerator<{ body: Buffer; record: SpoolRecord }> {
    const found = [...this.segments.values()].filter((s) => s !== this.active && !s.sealed).sort((a, b) => a.seq - b.seq);
    for (const segment of found) {
      const bytes = await readFile(segment.path);
      for (const body of readRecords(bytes)) {
        segment.live++;
        yield { body, record: { segment: segment.seq } };
      }
      this.seal(segment);
    }
  }

  /** Append one record; resolves once an fdatasync covers it (appends waiting together share one write and one sync). */
  append(body: Uint8Array): Promise<SpoolRecord> {
    if (this.closed) return Promise.reject(new Error(`spool ${this.dir} is closed`));
    const size = HEADER_BYTES + body.length;
    if (this.diskBytes + this.queuedBytes + size > this.maxBytes) {
      return Promise.reject(new BackpressureError(`spool ${this.dir} is full (${this.diskBytes} of ${this.maxBytes} bytes)`, SPOOL_RETRY_AFTER_SECONDS));
    }
    this.queuedBytes += size;
    this.appends++;
    return new Promise<SpoolRecord>((resolve, reject) => {
      this.queue.push({ body, resolve, reject });
      this.flushing ??= Promise.resolve().then(() => this.drain());
    });
  }

  /** The record's data is written elsewhere: its segment goes once sealed and fully released. */
  release(record: SpoolRecord): void {
    const segment = this.segments.get(record.segment);
    if (!segment) return;
    segment.live--;
    if (segment.sealed && segment.live <= 0) this.remove(segment);
    else if (segment === this.active && segment.live <= 0) this.sealIfIdle(segment);
  }

  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * The active segment, fully released: seal it (so it is deleted) once it is `idleSealMs` old and
   * nothing is being appended, else an idle spool would keep its last segment's bytes forever.
   */
  private sealIfIdle(segment: Segment): void {
    if (this.closed || this.active !== segment || segment.live > 0 || segment.size === 0) return;
    const wait = segment.createdMs + (this.options.idleSealMs ?? 1_000) - Date.now();
    if (wait <= 0 && this.flushing === undefined && this.queue.length === 0) {
      this.retire(segment);
      return;
    }
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.sealIfIdle(segment);
    }, Math.max(wait, 10));
    this.idleTimer.unref?.();
  }

  /** Stop appending, wait for appends in flight, release the lock. Unreleased records stay on disk for the next run. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.flushing;
    const active = this.active;
    if (active) {
      await active.handle?.close().catch(() => undefined);
      active.handle = undefined;
      this.active = undefined;
      this.seal(active);
    }
    await Promise.all([...this.pendingRemovals]);
    await unlink(this.lockPath).catch(() => undefined);
  }

  private readonly pendingRemovals = new Set<Promise<void>>();

  private seal(segment: Segment): void {
    segment.sealed = true;
    if (segment.live <= 0) this.remove(segment);
  }

  private remove(segment: Segment): void {
    if (!this.segments.delete(segment.seq)) return;
    if (this.active === segment) this.active = undefined;
    this.diskBytes -= segment.size;
    const p = (async () => {
      await segment.handle?.close().catch(() => undefined);
      await unlink(segment.path).catch(() => undefined);
      this.options.onFree?.();
    })();
    this.pendingRemovals.add(p);
    void p.finally(() => this.pendingRemovals.delete(p));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        let i = 0;
        while (i < batch.length) {
          const segment = await this.segmentFor(HEADER_BYTES + batch[i].body.length);
          // Records for this segment: as many as fit (at least one, so a record larger than a segment still goes).
          let room = this.segmentBytes - segment.size;
          let j = i;
          const parts: Buffer[] = [];
          while (j < batch.length && (j === i || HEADER_BYTES + batch[j].body.length <= room)) {
            const body = batch[j].body;
            const header = Buffer.allocUnsafe(HEADER_BYTES);
            header.writeUInt32LE(body.length, 0);
            header.writeUInt32LE(crc32(body), 4);
            parts.push(header, Buffer.from(body.buffer, body.byteOffset, body.length));
            room -= HEADER_BYTES + body.length;
            j++;
          }
          const chunk = batch.slice(i, j);
          const data = Buffer.concat(parts);
          i = j;
          try {
            let written = 0;
            while (written < data.length) written += (await segment.handle!.write(data, written, data.length - written, null)).bytesWritten;
            segment.size += data.length;
            this.diskBytes += data.length;
            await segment.handle!.datasync();
            this.syncs++;
          } catch (error) {
            // The segment may hold a partial record now: nothing more goes into it (recovery stops there).
            segment.size = (await segment.handle!.stat().catch(() => undefined))?.size ?? segment.size;
            this.retire(segment);
            for (const w of chunk) {
              this.queuedBytes -= HEADER_BYTES + w.body.length;
              w.reject(error);
            }
            continue;
          }
          for (const w of chunk) {
            this.queuedBytes -= HEADER_BYTES + w.body.length;
            segment.live++;
            w.resolve({ segment: segment.seq });
          }
          if (segment.size >= this.segmentBytes) this.retire(segment);
        }
      }
    } catch (error) {
      for (const w of this.queue.splice(0)) {
        this.queuedBytes -= HEADER_BYTES + w.body.length;
        w.reject(error);
      }
    } finally {
      this.flushing = undefined;
      if (this.queue.length > 0) this.flushing = this.drain();
    }
  }

  /** Seal the active segment: it is deleted once every record in it is released. */
  private retire(segment: Segment): void {
    if (this.active !== segment) return;
    this.active = undefined;
    const handle = segment.handle;
    segment.handle = undefined;
    void handle?.close().catch(() => undefined);
    this.seal(segment);
  }

  private async segmentFor(recordBytes: number): Promise<Segment> {
    if (this.active && this.active.size > 0 && this.active.size + recordBytes > this.segmentBytes) this.retire(this.active);
    if (this.active) return this.active;
    const seq = this.nextSeq++;
    const path = join(this.dir, `${String(seq).padStart(12, '0')}.spool`);
    const handle = await open(path, 'wx');
    // The new file's directory entry must survive a crash too.
    const dir = await open(this.dir, 'r');
    await dir.sync().finally(() => dir.close());
    const segment: Segment = { seq, path, size: 0, createdMs: Date.now(), live: 0, sealed: false, handle };
    this.segments.set(seq, segment);
    this.active = segment;
    return segment;
  }
}

/** The intact records of a segment, up to its first torn or corrupt one. */
export function* readRecords(bytes: Buffer): Generator<Buffer> {
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const crc = bytes.readUInt32LE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (end > bytes.length) return;
    const body = bytes.subarray(offset + HEADER_BYTES, end);
    if (crc32(body) !== crc) return;
    yield body;
    offset = end;
  }
}
