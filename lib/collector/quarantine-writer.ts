import { createHash } from 'node:crypto';
import { layout } from '../format';
import { QUARANTINE_FORMAT, type QuarantineHeader } from '../format/quarantine';
import { quarantineEntry } from '../profile/quarantine';
import type { RejectReason } from './types';

/** One rejected event as a quarantine entry line (original bytes kept, base64 when not UTF-8). */
export function quarantineLine(line: number, reason: RejectReason, detail: string, bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return JSON.stringify(quarantineEntry(line, `${reason}: ${detail}`, buffer, {}));
}

/**
 * The quarantine object of some rejected events of one source: a known model's go to
 * `models/<m>/quarantine/c-<sha>-<n>.ndjson`, others to `collector/quarantine/day=<D>/c-<sha>-<n>.ndjson`.
 * The name hashes the entries, so a retried write replaces the same object.
 */
export function quarantineObject(model: string | undefined, source: string, entries: readonly string[], nowMs: number): { key: string; data: string } {
  const body = entries.join('\n');
  const id = `c-${createHash('sha256').update(source).update('\n').update(body).digest('hex').slice(0, 12)}-${entries.length}`;
  const header: QuarantineHeader = { format: QUARANTINE_FORMAT, file: `collector:${source}`, kind: 'events', ingested_at: new Date(nowMs).toISOString() };
  const key = model === undefined ? layout.collectorQuarantine(nowMs, id) : layout.quarantine(model, id);
  return { key, data: `${JSON.stringify(header)}\n${body}\n` };
}
