import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { StoreFile } from '@/lib/cli/doctor-checks';
import { staleLocks } from '@/lib/cli/doctor-locks';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const prefix = 'models/m/state/locks/profile/';
const lock = (seq: number, entry: unknown) => ({
  file: { key: `${prefix}${String(seq).padStart(10, '0')}.json`, kind: 'lock', model: 'm' } as StoreFile,
  bytes: new TextEncoder().encode(typeof entry === 'string' ? entry : JSON.stringify(entry)),
});
const entry = (over: Record<string, unknown>) => ({ owner: 'o', job: 'profile of m', pid: process.pid, host: hostname(), since: '2026-12-02T11:59:00Z', expires_at: '2026-12-02T12:01:00Z', ...over });
/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

describe('staleLocks', () => {
  it('a live lock (this process, or another host before its expiry) is no finding', () => {
    expect(staleLocks([lock(1, entry({}))], NOW)).toEqual([]);
    expect(staleLocks([lock(1, entry({ host: 'elsewhere', pid: 1 }))], NOW)).toEqual([]);
  });

  it('a holder of this host that is gone, an expired one, an unreadable entry and one left below the highest are stale', () => {
    const dead = deadPid();
    expect(staleLocks([lock(1, entry({ pid: dead }))], NOW).map((f) => f.problem)).toEqual([`stale lock of profile of m (pid ${dead} on host ${hostname()} since 11:59:00 UTC): process ${dead} on this host is gone`]);
    expect(staleLocks([lock(1, entry({ host: 'elsewhere', expires_at: '2026-12-02T11:00:00Z' }))], NOW).map((f) => f.problem)).toEqual(['stale lock of profile of m (pid ' + process.pid + ' on host elsewhere since 11:59:00 UTC): not renewed since 2026-12-02T11:00:00Z (expired)']);
    expect(staleLocks([lock(1, '{"owner":')], NOW).map((f) => f.problem)).toEqual(['unreadable lock entry (released or unreadable): the next run takes it over']);
    const found = staleLocks([lock(3, entry({})), lock(2, entry({}))], NOW);
    expect(found.map((f) => [f.file.key, f.problem])).toEqual([[`${prefix}0000000002.json`, 'lock entry left behind (a later one, 0000000003.json, replaced it)']]);
  });
});
