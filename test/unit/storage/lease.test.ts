import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@/lib/storage';
import { describeHolder, Lease, LeaseBusyError, type LeaseEntry } from '@/lib/storage/lease';

const PREFIX = 'models/m/state/locks/profile/';

describe('Lease', () => {
  it('one holder at a time: a second acquire waits, then gets it once the first releases', async () => {
    const s = new MemoryStorage();
    const first = await Lease.acquire(s, PREFIX, 'profile of m');
    expect(await s.list(PREFIX)).toEqual([`${PREFIX}0000000001.json`]);
    const waits: LeaseEntry[] = [];
    const second = Lease.acquire(s, PREFIX, 'profile of m', { waitMs: 5000, pollMs: 10, onWait: (h) => waits.push(h) });
    await new Promise((r) => setTimeout(r, 50));
    await first.release();
    const lease = await second;
    expect(waits.map((w) => w.owner)).toEqual([first.entry.owner]);
    expect(lease.entry.owner).not.toBe(first.entry.owner);
    await lease.release();
    expect(await s.list(PREFIX)).toEqual([]);
  });

  it('gives up after the wait with the holder named', async () => {
    const s = new MemoryStorage();
    const first = await Lease.acquire(s, PREFIX, 'profile of m');
    const error = await Lease.acquire(s, PREFIX, 'profile of m', { waitMs: 30, pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseBusyError);
    expect((error as LeaseBusyError).message).toBe(`profile of m is running (${describeHolder(first.entry)})`);
    expect(describeHolder(first.entry)).toMatch(new RegExp(`^pid ${process.pid} on host ${hostname()} since \\d\\d:\\d\\d:\\d\\d UTC$`));
    await first.release();
  });

  it('recovers a lock whose process on this host is gone, at once', async () => {
    const s = new MemoryStorage();
    const dead: LeaseEntry = { owner: 'x', job: 'profile of m', pid: 999_999, host: hostname(), since: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString() };
    await s.write(`${PREFIX}0000000007.json`, JSON.stringify(dead));
    const recovered: string[] = [];
    const lease = await Lease.acquire(s, PREFIX, 'profile of m', { waitMs: 0, isAlive: () => false, onRecover: (_e, why) => recovered.push(why) });
    expect(lease.seq).toBe(8);
    expect(recovered).toEqual(['process 999999 on this host is gone']);
    expect(await s.list(PREFIX)).toEqual([`${PREFIX}0000000008.json`]);
    await lease.release();
  });

  it('recovers an expired lock of another host, but not a live one', async () => {
    const s = new MemoryStorage();
    let now = Date.parse('2026-12-02T10:00:00Z');
    const other: LeaseEntry = { owner: 'y', job: 'profile of m', pid: 1234, host: 'elsewhere', since: '2026-12-02T10:02:11Z', expires_at: '2026-12-02T10:03:11Z' };
    await s.write(`${PREFIX}0000000001.json`, JSON.stringify(other));
    const busy = await Lease.acquire(s, PREFIX, 'profile of m', { waitMs: 0, now: () => now }).catch((e: unknown) => e);
    expect((busy as Error).message).toBe('profile of m is running (pid 1234 on host elsewhere since 10:02:11 UTC)');
    now = Date.parse('2026-12-02T10:03:12Z');
    const lease = await Lease.acquire(s, PREFIX, 'profile of m', { waitMs: 0, now: () => now });
    expect(lease.seq).toBe(2);
    await lease.release();
  });

  it('of two processes recovering the same stale lock, one wins', async () => {
    const s = new MemoryStorage();
    const stale: LeaseEntry = { owner: 'z', job: 'j', pid: 1, host: 'elsewhere', since: '2020-01-01T00:00:00Z', expires_at: '2020-01-01T00:01:00Z' };
    await s.write(`${PREFIX}0000000001.json`, JSON.stringify(stale));
    const results = await Promise.allSettled([Lease.acquire(s, PREFIX, 'j', { waitMs: 0 }), Lease.acquire(s, PREFIX, 'j', { waitMs: 0 })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(LeaseBusyError)]);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });

  it('renewal extends the expiry; a holder that was taken over notices and leaves the new lock alone', async () => {
    const s = new MemoryStorage();
    let now = Date.parse('2026-12-02T10:00:00Z');
    const lost: (LeaseEntry | undefined)[] = [];
    const a = await Lease.acquire(s, PREFIX, 'j', { ttlMs: 1000, now: () => now, onLost: (h) => lost.push(h) });
    now += 900;
    expect(await a.renew()).toBe(true);
    const renewed = JSON.parse(new TextDecoder().decode(await s.read(`${PREFIX}0000000001.json`))) as LeaseEntry;
    expect(renewed.expires_at).toBe('2026-12-02T10:00:01.900Z');
    now += 5000; // paused past the expiry: another host takes over
    const b = await Lease.acquire(s, PREFIX, 'j', { waitMs: 0, now: () => now, isAlive: () => true });
    expect(await a.renew()).toBe(false);
    expect(a.lost).toBe(true);
    expect(lost.map((h) => h?.owner)).toEqual([b.entry.owner]);
    await a.release();
    expect(await s.list(PREFIX)).toEqual([`${PREFIX}0000000002.json`]);
    await b.release();
  });
});
