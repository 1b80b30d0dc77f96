import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { Storage } from './storage';

/**
 * A lease on one job of a store (e.g. `profile` of one model), built on writeIfAbsent alone so it
 * works on a local directory and on S3. The lease is a sequence of entries `<prefix><seq>.json`:
 * the holder is the writer of the highest one. To take over a released or stale entry `n`, a
 * process writes `n + 1` with writeIfAbsent, so of two processes recovering the same stale lease
 * only one wins; nothing is ever deleted while someone else may hold it. The holder renews its
 * entry (rewrites its expiry) every ttl/3; a run killed with -9 stops renewing, and its entry is
 * stale once expired, or at once when it ran on this host and its pid is gone.
 */
export const LeaseEntry = z.object({
  /** Random token of the holding process. */
  owner: z.string(),
  /** What holds it, for messages: e.g. "profile of checkout-fraud". */
  job: z.string(),
  pid: z.int(),
  host: z.string(),
  /** ISO: when the lease was taken. */
  since: z.string(),
  /** ISO: stale after this unless renewed. */
  expires_at: z.string(),
});
export type LeaseEntry = z.infer<typeof LeaseEntry>;

export interface LeaseOptions {
  /** Time after the last renewal at which the lease is stale (default 60 s). */
  ttlMs?: number;
  /** How long acquire waits for a held lease before giving up (default 60 s; 0: no wait). */
  waitMs?: number;
  /** Polling interval while waiting (default 1 s). */
  pollMs?: number;
  /** Called once when acquire has to wait, with the holder. */
  onWait?: (holder: LeaseEntry) => void;
  /** Called when a stale lease is taken over, with its former holder. */
  onRecover?: (stale: LeaseEntry, why: string) => void;
  /** Called when a renewal finds that another process took the lease over. */
  onLost?: (holder: LeaseEntry | undefined) => void;
  now?: () => number;
  /** True when a process of this host with this pid exists (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

/** The lease is held by another live process and did not come free within the wait. */
export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
  constructor(
    readonly holder: LeaseEntry,
    readonly waitedMs: number,
  ) {
    super(`${holder.job} is running (${describeHolder(holder)})`);
  }
}

/** "pid 1234 on host x since 10:02:11 UTC" */
export function describeHolder(holder: LeaseEntry): string {
  const since = Date.parse(holder.since);
  const time = Number.isFinite(since) ? new Date(since).toISOString().slice(11, 19) : holder.since;
  return `pid ${holder.pid} on host ${holder.host} since ${time} UTC`;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SEQ_DIGITS = 10;
const seqKey = (prefix: string, seq: number) => `${prefix}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;

interface Current {
  seq: number;
  key: string;
  entry: LeaseEntry | undefined;
}

export class Lease {
  #timer: NodeJS.Timeout | undefined;
  #released = false;
  #lost = false;

  private constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    readonly seq: number,
    readonly entry: LeaseEntry,
    private readonly options: LeaseOptions,
  ) {}

  /** True after a renewal found the lease taken over (this run was paused past its expiry). */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Take the lease under `prefix` (a store key ending in '/'), waiting up to `waitMs` while a live
   * process holds it; a stale holder is taken over. Throws LeaseBusyError when the wait runs out.
   */
  static async acquire(storage: Storage, prefix: string, job: string, options: LeaseOptions = {}): Promise<Lease> {
    const now = options.now ?? Date.now;
    const ttlMs = options.ttlMs ?? 60_000;
    const waitMs = options.waitMs ?? 60_000;
    const pollMs = options.pollMs ?? 1000;
    const isAlive = options.isAlive ?? processAlive;
    const started = now();
    const owner = randomUUID();
    let waited = false;
    for (;;) {
      const current = await latest(storage, prefix);
      let free = current === undefined;
      if (current !== undefined) {
        const why = staleness(current.entry, now(), isAlive);
        if (why !== undefined) {
          free = true;
          if (current.entry) options.onRecover?.(current.entry, why);
        }
      }
      if (free) {
        const seq = (current?.seq ?? 0) + 1;
        const t = now();
        const entry: LeaseEntry = { owner, job, pid: process.pid, host: hostname(), since: new Date(t).toISOString(), expires_at: new Date(t + ttlMs).toISOString() };
        // The read-back matters only where writeIfAbsent is not atomic (an S3 server ignoring
        // If-None-Match): of two writers of the same entry, the one whose PUT came last keeps it.
        if ((await storage.writeIfAbsent(seqKey(prefix, seq), JSON.stringify(entry))) && (await ownerOf(storage, seqKey(prefix, seq))) === owner) {
          const lease = new Lease(storage, prefix, seq, entry, { ...options, ttlMs });
          await lease.#cleanUpBefore(seq);
          lease.#startRenewing();
          return lease;
        }
        continue; // another process took this sequence number first: look again
      }
      const holder = current?.entry as LeaseEntry;
      if (now() - started >= waitMs) throw new LeaseBusyError(holder, now() - started);
      if (!waited) options.onWait?.(holder);
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, waitMs - (now() - started)))));
    }
  }

  /** Renew now: rewrite the expiry, unless another process took the lease over meanwhile. */
  async renew(): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    const current = await latest(this.storage, this.prefix);
    if (current === undefined || current.seq !== this.seq || current.entry?.owner !== this.entry.owner) {
      this.#lost = true;
      this.#stopRenewing();
      this.options.onLost?.(current?.entry);
      return false;
    }
    const expires = new Date((this.options.now ?? Date.now)() + (this.options.ttlMs as number)).toISOString();
    await this.storage.write(seqKey(this.prefix, this.seq), JSON.stringify({ ...this.entry, expires_at: expires }));
    return true;
  }

  /** Give the lease up (idempotent). A lost lease is left to its new holder. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#stopRenewing();
    if (this.#lost) return;
    const current = await latest(this.storage, this.prefix);
    if (current?.seq === this.seq && current.entry?.owner === this.entry.owner) await this.storage.delete(seqKey(this.prefix, this.seq));
  }

  #startRenewing(): void {
    const every = Math.max(10, Math.floor((this.options.ttlMs as number) / 3));
    this.#timer = setInterval(() => {
      this.renew().catch(() => undefined); // a failed renewal is retried at the next tick; expiry is the backstop
    }, every);
    this.#timer.unref();
  }

  #stopRenewing(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Entries below ours belong to released or stale holders: remove them so the prefix stays small. */
  async #cleanUpBefore(seq: number): Promise<void> {
    for (const key of await this.storage.list(this.prefix)) {
      const n = seqOf(this.prefix, key);
      if (n !== undefined && n < seq) await this.storage.delete(key).catch(() => undefined);
    }
  }
}

function seqOf(prefix: string, key: string): number | undefined {
  const m = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{${SEQ_DIGITS}})\\.json$`).exec(key);
  return m ? Number(m[1]) : undefined;
}

/** The entry with the highest sequence number, if any. An unreadable entry counts as stale. */
async function latest(storage: Storage, prefix: string): Promise<Current | undefined> {
  let best: { seq: number; key: string } | undefined;
  for (const key of await storage.list(prefix)) {
    const seq = seqOf(prefix, key);
    if (seq !== undefined && (best === undefined || seq > best.seq)) best = { seq, key };
  }
  if (best === undefined) return undefined;
  const bytes = await storage.read(best.key);
  // Deleted between list and read: the holder released it.
  if (bytes === undefined) return { ...best, entry: undefined };
  let entry: LeaseEntry | undefined;
  try {
    entry = LeaseEntry.safeParse(JSON.parse(new TextDecoder().decode(bytes))).data;
  } catch {
    entry = undefined;
  }
  return { ...best, entry };
}

async function ownerOf(storage: Storage, key: string): Promise<string | undefined> {
  const bytes = await storage.read(key);
  if (bytes === undefined) return undefined;
  try {
    return LeaseEntry.safeParse(JSON.parse(new TextDecoder().decode(bytes))).data?.owner;
  } catch {
    return undefined;
  }
}

/** Why an entry no longer holds the lease, or undefined while it does. */
export function staleness(entry: LeaseEntry | undefined, nowMs: number, isAlive: (pid: number) => boolean): string | undefined {
  if (entry === undefined) return 'released or unreadable';
  if (entry.host === hostname() && entry.pid !== process.pid && !isAlive(entry.pid)) return `process ${entry.pid} on this host is gone`;
  const expires = Date.parse(entry.expires_at);
  if (!Number.isFinite(expires) || nowMs > expires) return `not renewed since ${entry.expires_at} (expired)`;
  return undefined;
}
