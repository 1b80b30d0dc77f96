import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '@/lib/storage';
import { Lease, LeaseBusyError, type LeaseEntry } from '@/lib/storage/lease';
import { startS3Server, type S3TestServer } from '@/test/helpers/s3-server';

const PREFIX = 'models/m/state/locks/profile/';

/** The lease uses only list, read, write, writeIfAbsent and delete: the same on S3 as on a directory. */
describe('store lease on S3', () => {
  let server: S3TestServer;
  let storage: S3Storage;

  beforeAll(async () => {
    server = await startS3Server('driftwatch-lease');
    storage = new S3Storage({ bucket: server.bucket, prefix: 'store', endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('excludes a second holder, and recovers an expired lock of another host', async () => {
    const first = await Lease.acquire(storage, PREFIX, 'profile of m');
    const busy = await Lease.acquire(storage, PREFIX, 'profile of m', { waitMs: 0 }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LeaseBusyError);
    await first.release();
    expect(await storage.list(PREFIX)).toEqual([]);

    const stale: LeaseEntry = { owner: 'o', job: 'profile of m', pid: 1, host: 'elsewhere', since: '2026-12-02T00:00:00Z', expires_at: '2026-12-02T00:01:00Z' };
    await storage.write(`${PREFIX}0000000003.json`, JSON.stringify(stale));
    const results = await Promise.allSettled([Lease.acquire(storage, PREFIX, 'j', { waitMs: 0 }), Lease.acquire(storage, PREFIX, 'j', { waitMs: 0 })]);
    const won = results.filter((r): r is PromiseFulfilledResult<Lease> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0].value.seq).toBe(4);
    expect(await storage.list(PREFIX)).toEqual([`${PREFIX}0000000004.json`]);
    await won[0].value.release();
  }, 60_000);
});
