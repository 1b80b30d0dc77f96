import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateStore } from '@/lib/migrate';
import { S3Storage } from '@/lib/storage/s3-storage';
import { startS3Server, type S3TestServer } from '@/test/helpers/s3-server';
import { FIXTURE, snapshot } from './helpers';

// migrate uses only list / read / write / delete: the same run on S3 as on a directory.
describe('migrate on S3 (s3rver on loopback)', () => {
  let server: S3TestServer;
  let storage: S3Storage;

  beforeAll(async () => {
    server = await startS3Server('driftwatch-migrate');
    storage = new S3Storage({ bucket: server.bucket, prefix: 'store', endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials });
    const root = join(FIXTURE, 'store');
    for (const key of (await snapshot(root)).keys()) await storage.write(key, new Uint8Array(await readFile(join(root, key))));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('packs the 1.3 store per day, as on a local directory', async () => {
    const [report] = await migrateStore(storage, ['fraud']);
    expect(report.filesBefore).toBe(105);
    expect(report.filesAfter).toBe(37);
    const keys = await storage.list('');
    expect(keys.filter((k) => k.includes('hour='))).toEqual([]);
    expect(keys.length).toBe(39);
    expect(JSON.parse(new TextDecoder().decode(await storage.read('driftwatch.json'))).version).toBe('2.0');
    const state = JSON.parse(new TextDecoder().decode(await storage.read('models/fraud/state/profile-state.json')));
    expect(Object.keys(state.days)).toEqual(['2026-12-01', '2026-12-02']);
  });
});
