import { describeHolder, LeaseEntry, processAlive, staleness } from '../storage/lease';
import type { StoreFile } from './doctor-checks';

function readEntry(bytes: Uint8Array): LeaseEntry | undefined {
  try {
    return LeaseEntry.safeParse(JSON.parse(new TextDecoder().decode(bytes))).data;
  } catch {
    return undefined;
  }
}

/**
 * Lease entries (`state/locks/<job>/<seq>.json`) that hold nothing: below the highest of their
 * folder, or stale by lib/storage/lease.ts's rule (unreadable, a holder of this host that is gone,
 * or expired), which the next run takes over. A live lock is no finding.
 */
export function staleLocks(locks: readonly { file: StoreFile; bytes: Uint8Array }[], nowMs = Date.now()): { file: StoreFile; problem: string }[] {
  const folder = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);
  const highest = new Map<string, string>();
  for (const { file } of locks) if ((highest.get(folder(file.key)) ?? '') < file.key) highest.set(folder(file.key), file.key);
  const out: { file: StoreFile; problem: string }[] = [];
  for (const { file, bytes } of locks) {
    const latest = highest.get(folder(file.key)) as string;
    if (latest !== file.key) {
      out.push({ file, problem: `lock entry left behind (a later one, ${latest.slice(folder(file.key).length)}, replaced it)` });
      continue;
    }
    const entry = readEntry(bytes);
    const why = staleness(entry, nowMs, processAlive);
    if (why !== undefined) out.push({ file, problem: entry ? `stale lock of ${entry.job} (${describeHolder(entry)}): ${why}` : `unreadable lock entry (${why}): the next run takes it over` });
  }
  return out;
}
