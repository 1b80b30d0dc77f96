import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, S3Storage, StorageError } from '@/lib/storage';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server';
import { describeStorageConformance } from '../../unit/storage/storage-conformance';

// S3Storage against s3rver on loopback. Credentials and region are explicit, so the SDK never
// looks for a profile, SSO or the instance metadata service.
let server: S3TestServer;
let stores = 0;

function storeAt(prefix: string, overrides: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}): S3Storage {
  return new S3Storage({
    bucket: server.bucket,
    prefix,
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
    ...overrides,
  });
}

beforeAll(async () => {
  server = await startS3Server('driftwatch-it');
});
afterAll(async () => {
  await server?.stop();
});

// Each test gets its own prefix in the one bucket; the server's directory goes in afterAll.
describeStorageConformance(
  'S3Storage on s3rver',
  async () => {
    const storage = storeAt(`conformance/t${++stores}`);
    return { storage, cleanup: async () => storage.destroy() };
  },
  // s3rver 3.7.1 ignores If-None-Match on PUT (see below), so concurrent writeIfAbsent can double-win there.
  { raceFreeWriteIfAbsent: false, atomicConcurrentPuts: false },
);

describe('S3Storage on s3rver, beyond the shared suite', () => {
  it('s3rver 3.7.1 ignores If-None-Match: * on PUT (why writeIfAbsent HEADs first)', async () => {
    const storage = storeAt('quirk');
    try {
      await storage.write('k', 'first');
      // Straight to the SDK: a server that honours the header answers 412 here.
      const put = await storage.client.send(
        new PutObjectCommand({ Bucket: server.bucket, Key: 'quirk/k', Body: new TextEncoder().encode('second'), IfNoneMatch: '*' }),
      );
      expect(put.$metadata.httpStatusCode).toBe(200);
      const get = await storage.client.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'quirk/k' }));
      expect(await get.Body?.transformToString()).toBe('second');
      // Sequential writeIfAbsent still behaves, thanks to the HEAD.
      expect(await storage.writeIfAbsent('k', 'third')).toBe(false);
      expect(new TextDecoder().decode(await storage.read('k'))).toBe('second');
    } finally {
      storage.destroy();
    }
  });

  it("keeps stores with sibling prefixes apart ('p' does not see 'p2')", async () => {
    const p = storeAt('sib/p');
    const p2 = storeAt('sib/p2');
    const whole = storeAt('');
    try {
      await p.write('a', '1');
      await p2.write('a', '2');
      expect(await p.list('')).toEqual(['a']);
      expect(await p2.list('')).toEqual(['a']);
      expect(new TextDecoder().decode(await p2.read('a'))).toBe('2');
      expect(await whole.list('sib/')).toEqual(['sib/p/a', 'sib/p2/a']);
      expect(whole.url).toBe('s3://driftwatch-it');
    } finally {
      for (const s of [p, p2, whole]) s.destroy();
    }
  });

  it('openStorage reaches the server through DRIFTWATCH_S3_ENDPOINT and env credentials', async () => {
    const storage = openStorage(`s3://${server.bucket}/opened/`, {
      DRIFTWATCH_S3_ENDPOINT: server.endpoint,
      AWS_REGION: server.region,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    }) as S3Storage;
    try {
      expect(storage.url).toBe(`s3://${server.bucket}/opened`);
      await storage.write('x.json', '{"ok":true}');
      expect(await storeAt('opened').list('')).toEqual(['x.json']);
    } finally {
      storage.destroy();
    }
  });

  it('reports a missing bucket as a StorageError that names operation, key and store', async () => {
    const storage = storeAt('p', { bucket: 'no-such-bucket' });
    try {
      const error = await storage.read('a/b.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).code).toBe('NoSuchBucket');
      expect((error as StorageError).message).toContain('read of "a/b.json" at s3://no-such-bucket/p');
      expect((error as StorageError).message).toContain(server.endpoint);
      await expect(storage.list('')).rejects.toThrow(/list of prefix "" at s3:\/\/no-such-bucket\/p .*NoSuchBucket/);
    } finally {
      storage.destroy();
    }
  });

  it('reports rejected credentials without repeating them', async () => {
    const credentials = { accessKeyId: 'AKIDNOTKNOWNHERE', secretAccessKey: 'not-the-right-secret-at-all' };
    const storage = storeAt('p', { credentials });
    try {
      const error = await storage.write('a', 'x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).code).toBe('InvalidAccessKeyId');
      expect((error as StorageError).statusCode).toBe(403);
      const text = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
      expect(text).not.toContain(credentials.accessKeyId);
      expect(text).not.toContain(credentials.secretAccessKey);
    } finally {
      storage.destroy();
    }
  });

  it('reports an unreachable endpoint as a StorageError', async () => {
    const storage = storeAt('p', { endpoint: 'http://127.0.0.1:1' });
    try {
      const error = await storage.exists('a').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/exists of "a" at s3:\/\/driftwatch-it\/p \(endpoint http:\/\/127\.0\.0\.1:1\) failed: .*ECONNREFUSED/);
    } finally {
      storage.destroy();
    }
  });
});
