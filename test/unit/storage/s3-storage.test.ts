import type { ServiceOutputTypes } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Storage, StorageError, type S3StorageOptions } from '@/lib/storage';

/**
 * S3Storage against a scripted client: the paths a local S3-compatible server never takes
 * (412 from a conditional PUT, 409 conflicts, access errors). No request leaves the process.
 */
type Call = { command: string; input: Record<string, unknown> };
type Script = (call: Call, calls: Call[]) => unknown;

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

function scripted(script: Script, options: Partial<S3StorageOptions> = {}) {
  const storage = new S3Storage({
    bucket: 'my-bucket',
    prefix: 'store',
    region: 'us-east-1',
    endpoint: 'https://user:pass@s3.example.test:9000',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    ...options,
  });
  const calls: Call[] = [];
  storage.client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = { command: String(context.commandName), input: args.input as Record<string, unknown> };
      calls.push(call);
      const output = script(call, calls);
      if (output instanceof Error) throw output;
      // The scripted object stands in for whichever command's output was asked for.
      return { output: { $metadata: { httpStatusCode: 200 }, ...(output as object) } as ServiceOutputTypes, response: {} };
    },
    { step: 'initialize', name: 'scriptedS3', priority: 'high' },
  );
  return { storage, calls };
}

const ok = () => ({});
const notFound = () => sdkError('NotFound', 404, 'UnknownError');

describe('S3Storage request mapping', () => {
  it('puts keys under the prefix in the bucket, and the url names both', async () => {
    const { storage, calls } = scripted(ok);
    await storage.write('a/b.json', 'x');
    expect(storage.url).toBe('s3://my-bucket/store');
    expect(calls).toHaveLength(1);
    expect(calls[0].command).toBe('PutObjectCommand');
    expect(calls[0].input).toMatchObject({ Bucket: 'my-bucket', Key: 'store/a/b.json' });
    expect(calls[0].input.IfNoneMatch).toBeUndefined();
  });

  it('uses the whole bucket when there is no prefix', async () => {
    const { storage, calls } = scripted(ok, { prefix: '/' });
    await storage.delete('a');
    expect(storage.url).toBe('s3://my-bucket');
    expect(calls[0].input).toMatchObject({ Bucket: 'my-bucket', Key: 'a' });
  });

  it('follows continuation tokens, strips the prefix, skips unreadable keys, and sorts', async () => {
    const pages: Record<string, unknown> = {
      first: { Contents: [{ Key: 'store/m/b' }, { Key: 'store/m/a' }], IsTruncated: true, NextContinuationToken: 't1' },
      t1: { Contents: [{ Key: 'store/m//bad' }, { Key: 'store/m/../x' }, { Key: 'store/m/c' }], IsTruncated: true, NextContinuationToken: 't2' },
      t2: { Contents: [{ Key: 'store/m/0' }], IsTruncated: false },
    };
    const { storage, calls } = scripted(({ input }) => pages[(input.ContinuationToken as string | undefined) ?? 'first']);
    expect(await storage.list('m/')).toEqual(['m/0', 'm/a', 'm/b', 'm/c']);
    expect(calls.map((c) => [c.input.Prefix, c.input.ContinuationToken])).toEqual([
      ['store/m/', undefined],
      ['store/m/', 't1'],
      ['store/m/', 't2'],
    ]);
  });

  it("lists '' as everything under 'prefix/', not under a sibling 'prefix2/'", async () => {
    const { storage, calls } = scripted(() => ({ Contents: [], IsTruncated: false }));
    await storage.list('');
    expect(calls[0].input.Prefix).toBe('store/');
  });

  it('reads NoSuchKey as undefined, HEAD NotFound as false', async () => {
    const { storage } = scripted(({ command }) => (command === 'GetObjectCommand' ? sdkError('NoSuchKey', 404) : notFound()));
    expect(await storage.read('a')).toBeUndefined();
    expect(await storage.exists('a')).toBe(false);
  });

  it('treats a missing bucket as an error, not a missing key', async () => {
    const { storage } = scripted(() => sdkError('NoSuchBucket', 404, 'The specified bucket does not exist'));
    await expect(storage.read('a')).rejects.toBeInstanceOf(StorageError);
    await expect(storage.list('')).rejects.toThrow(/NoSuchBucket/);
  });
});

describe('S3Storage.writeIfAbsent', () => {
  it('sends If-None-Match: * and returns true when the PUT succeeds', async () => {
    const { storage, calls } = scripted(({ command }) => (command === 'HeadObjectCommand' ? notFound() : {}));
    expect(await storage.writeIfAbsent('k', 'v')).toBe(true);
    expect(calls.map((c) => c.command)).toEqual(['HeadObjectCommand', 'PutObjectCommand']);
    expect(calls[1].input).toMatchObject({ Key: 'store/k', IfNoneMatch: '*' });
  });

  it('returns false without a PUT when HEAD finds the object', async () => {
    const { storage, calls } = scripted(ok);
    expect(await storage.writeIfAbsent('k', 'v')).toBe(false);
    expect(calls.map((c) => c.command)).toEqual(['HeadObjectCommand']);
  });

  it('returns false when the conditional PUT loses the race (412 PreconditionFailed)', async () => {
    const { storage } = scripted(({ command }) =>
      command === 'HeadObjectCommand' ? notFound() : sdkError('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
    );
    expect(await storage.writeIfAbsent('k', 'v')).toBe(false);
  });

  it('retries after 409 ConditionalRequestConflict and then sees the winner', async () => {
    let heads = 0;
    const { storage, calls } = scripted(({ command }) => {
      if (command === 'HeadObjectCommand') return ++heads === 1 ? notFound() : {};
      return sdkError('ConditionalRequestConflict', 409);
    });
    expect(await storage.writeIfAbsent('k', 'v')).toBe(false);
    expect(calls.map((c) => c.command)).toEqual(['HeadObjectCommand', 'PutObjectCommand', 'HeadObjectCommand']);
  });

  it('gives up with a StorageError when the conflict persists', async () => {
    const { storage, calls } = scripted(({ command }) => (command === 'HeadObjectCommand' ? notFound() : sdkError('ConditionalRequestConflict', 409)));
    const error = await storage.writeIfAbsent('k', 'v').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).statusCode).toBe(409);
    expect(calls.filter((c) => c.command === 'PutObjectCommand')).toHaveLength(4);
  });
});

describe('S3Storage errors', () => {
  it('name the operation, key and store, and never the credentials', async () => {
    const leaky = `Access Denied for ${ACCESS_KEY_ID} signed with ${SECRET}`;
    const { storage } = scripted(() => Object.assign(sdkError('AccessDenied', 403, leaky), { AWSAccessKeyId: ACCESS_KEY_ID }));
    const error = await storage.read('models/m/model.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    const storageError = error as StorageError;
    expect(storageError.operation).toBe('read');
    expect(storageError.key).toBe('models/m/model.json');
    expect(storageError.code).toBe('AccessDenied');
    expect(storageError.statusCode).toBe(403);
    expect(storageError.message).toContain('read of "models/m/model.json"');
    expect(storageError.message).toContain('s3://my-bucket/store');
    expect(storageError.message).toContain('https://s3.example.test:9000');
    expect(storageError.message).toContain('AccessDenied');
    const everything = `${storageError.message} ${storageError.stack} ${JSON.stringify(storageError)} ${String(storageError.cause)}`;
    for (const secret of [SECRET, ACCESS_KEY_ID, 'user:pass', 'pass@']) expect(everything).not.toContain(secret);
  });

  it.each([
    ['write', (s: S3Storage) => s.write('k', 'v')],
    ['delete', (s: S3Storage) => s.delete('k')],
    ['exists', (s: S3Storage) => s.exists('k')],
    ['list', (s: S3Storage) => s.list('k')],
    ['writeIfAbsent', (s: S3Storage) => s.writeIfAbsent('k', 'v')],
  ] as const)('wrap a failed %s', async (operation, run) => {
    const { storage } = scripted(() => sdkError('InternalError', 500, 'We encountered an internal error'));
    const error = await run(storage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).operation).toBe(operation);
    expect((error as StorageError).message).toMatch(/InternalError, HTTP 500/);
  });

  it('reject a store prefix that is not a valid key', () => {
    expect(() => new S3Storage({ bucket: 'my-bucket', prefix: 'a/../b' })).toThrow(/invalid segment/);
  });
});
