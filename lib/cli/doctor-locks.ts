import { hostname } from 'node:os';
import { describeHolder, LeaseEntry } from '../storage/lease';
import type { StoreFile } from './doctor-checks';

/** A process of this host with this pid exists (EPERM: it does, as another user's). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readEntry(bytes: Uint8Array): LeaseEntry | undefined {
  try {
    return LeaseEntry.safeParse(JSON.parse(new TextDecoder().decode(bytes))).data;
  } catch {
    return undefined;
  }
}

/**
 * Lease entries (`state/locks/<job>/<seq>.json`) that hold nothing: below the highest of their
 * folder, unreadable, or of a holder that is gone (a pid of this host that no longer runs) or
 * expired. The rule is lib/storage/lease.ts's, which takes such a lock over; a live one is no finding.
 */
export function staleLocks(locks: readonly { file: StoreFile; bytes: Uint8Array }[], nowMs = Date.now()): { file: StoreFile; problem: string }[] {
  const folder = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);
  const highest = new Map<string, string>();
  for (const { file } of locks) if ((highest.get(folder(file.key)) ?? '') < file.key) highest.set(folder(file.key), file.key);
  const out: { file: StoreFile; problem: string }[] = [];
  for (const { file, bytes } of locks) {
    const entry = readEntry(bytes);
    let problem: string | undefined;
    if (highest.get(folder(file.key)) !== file.key) problem = `lock entry left behind (a later one, ${highest.get(folder(file.key))?.slice(folder(file.key).length)}, replaced it)`;
    else if (entry === undefined) problem = 'unreadable lock entry: it holds nothing, the next run takes it over';
    else if (entry.host === hostname() && entry.pid !== process.pid && !processAlive(entry.pid)) problem = `stale lock of ${entry.job} (${describeHolder(entry)}): that process is gone`;
    else if (!(Date.parse(entry.expires_at) >= nowMs)) problem = `stale lock of ${entry.job} (${describeHolder(entry)}): not renewed since ${entry.expires_at}`;
    if (problem !== undefined) out.push({ file, problem });
  }
  return out;
}
