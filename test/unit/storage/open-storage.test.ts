import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalStorage, openStorage, S3Storage, StorageLocationError } from '@/lib/storage';
import { s3Options } from '@/lib/storage/open-storage';

describe('openStorage', () => {
  it('opens s3://bucket/prefix as S3, dropping a trailing slash', () => {
    const storage = openStorage('s3://my-bucket/team/driftwatch/', {});
    expect(storage).toBeInstanceOf(S3Storage);
    expect(storage.url).toBe('s3://my-bucket/team/driftwatch');
    expect(openStorage('s3://my-bucket', {}).url).toBe('s3://my-bucket');
    expect(openStorage('s3://my-bucket/', {}).url).toBe('s3://my-bucket');
  });

  it('opens anything else as a local directory, resolved to an absolute path', () => {
    const storage = openStorage('./driftwatch-store', {});
    expect(storage).toBeInstanceOf(LocalStorage);
    expect(storage.url).toBe(path.resolve('driftwatch-store'));
    expect(openStorage('/var/lib/driftwatch', {}).url).toBe('/var/lib/driftwatch');
    expect(openStorage(pathToFileURL('/srv/store').href, {}).url).toBe('/srv/store');
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['s3://', /bucket name is missing/],
    ['s3:///prefix', /bucket name is missing/],
    ['s3://ab', /"ab" has 2 characters; S3 bucket names have 3 to 63/],
    ['s3://a', /has 1 characters/],
    [`s3://${'b'.repeat(64)}`, /has 64 characters/],
    ['s3://My_Bucket/x', /only lowercase letters, digits/],
    ['s3://-bucket', /start and end with a letter or digit/],
    ['s3://my..bucket', /must not contain '\.\.'/],
    ['s3://192.168.1.10', /IP address/],
    ['s3://my-bucket/a//b', /prefix "a\/\/b" is not a valid key prefix/],
    ['s3://my-bucket/../etc', /prefix "\.\.\/etc" is not a valid key prefix/],
    ['gs://my-bucket/x', /unsupported scheme "gs:\/\/"/],
    ['https://example.com/store', /unsupported scheme "https:\/\/"/],
  ])('rejects %j saying what is wrong and what a valid location looks like', (location, why) => {
    const error = (() => {
      try {
        openStorage(location, {});
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StorageLocationError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toMatch(/s3:\/\/my-bucket\/some\/prefix/);
  });
});

describe('s3Options from the environment', () => {
  it('defaults to us-east-1, virtual-host style, and the default credential chain', () => {
    expect(s3Options('s3://my-bucket/p', {})).toEqual({
      bucket: 'my-bucket',
      prefix: 'p',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: undefined,
      credentials: undefined,
    });
  });

  it('takes the endpoint from DRIFTWATCH_S3_ENDPOINT first, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, and forces path style', () => {
    const all = { DRIFTWATCH_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ENDPOINT_URL_S3: 'http://s3-only:1', AWS_ENDPOINT_URL: 'http://generic:2' };
    expect(s3Options('s3://my-bucket', all)).toMatchObject({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    expect(s3Options('s3://my-bucket', { ...all, DRIFTWATCH_S3_ENDPOINT: '' }).endpoint).toBe('http://s3-only:1');
    expect(s3Options('s3://my-bucket', { AWS_ENDPOINT_URL: 'http://generic:2' })).toMatchObject({ endpoint: 'http://generic:2', forcePathStyle: true });
  });

  it('takes the region from AWS_REGION and credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', () => {
    const options = s3Options('s3://my-bucket', { AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'tok' });
    expect(options.region).toBe('eu-central-1');
    expect(options.credentials).toEqual({ accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'tok' });
    expect(s3Options('s3://my-bucket', { AWS_ACCESS_KEY_ID: 'id' }).credentials).toBeUndefined();
  });

  it('rejects an endpoint that is not an http(s) URL, without echoing a password in it', () => {
    expect(() => s3Options('s3://my-bucket', { DRIFTWATCH_S3_ENDPOINT: '127.0.0.1:9000' })).toThrow(/DRIFTWATCH_S3_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
    let message = '';
    try {
      s3Options('s3://my-bucket', { AWS_ENDPOINT_URL: 'ftp://user:hunter2@host' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/AWS_ENDPOINT_URL must be/);
    expect(message).not.toContain('hunter2');
  });
});
