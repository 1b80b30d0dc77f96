import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { StorageError, type StorageOperation } from './errors';
import { assertListPrefix, assertObjectKey, isValidObjectKey, ownedBytes, sortKeys, toBytes } from './keys';
import { assertKey, type Storage } from './storage';

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'; '' uses the whole bucket. */
  prefix?: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver...), e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Omit to use the default AWS credential chain (env, shared files, SSO, IMDS...). */
  credentials?: S3ClientConfig['credentials'];
}

/** Attempts of a conditional PUT that S3 answers with 409 ConditionalRequestConflict (it asks for a retry). */
const CONDITIONAL_PUT_ATTEMPTS = 4;

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (error: unknown): number | undefined => (error as SdkError | null)?.$metadata?.httpStatusCode;
const nameOf = (error: unknown): string | undefined => (error as SdkError | null)?.name;

/**
 * A store under `s3://bucket/prefix`: key `a/b.json` is the object `prefix/a/b.json`.
 * `write` is one PutObject, so readers see the old object or the new one.
 */
export class S3Storage implements Storage {
  readonly url: string;
  /** The SDK client; exposed for tests and for callers that need to add middleware. */
  readonly client: S3Client;
  readonly #bucket: string;
  readonly #root: string;
  readonly #where: string;
  readonly #secrets: string[];

  constructor(options: S3StorageOptions) {
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix !== '') assertKey(prefix);
    this.#bucket = options.bucket;
    this.#root = prefix === '' ? '' : `${prefix}/`;
    this.url = prefix === '' ? `s3://${options.bucket}` : `s3://${options.bucket}/${prefix}`;
    this.#where = options.endpoint === undefined ? this.url : `${this.url} (endpoint ${displayEndpoint(options.endpoint)})`;
    this.#secrets = secretsOf(options.credentials);
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // With the default region, a bucket elsewhere answers 301; follow it instead of failing.
      followRegionRedirects: true,
    });
  }

  async list(prefix: string): Promise<string[]> {
    assertListPrefix(prefix);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#root + prefix, ContinuationToken: continuationToken }),
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key?.slice(this.#root.length);
          // Objects written by other tools may have keys we could not read back ('a//b', '../x'): skip them.
          if (key !== undefined && object.Key?.startsWith(this.#root) && isValidObjectKey(key)) keys.push(key);
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined);
    } catch (error) {
      throw this.#fail('list', prefix, error);
    }
    return sortKeys(keys);
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const objectKey = this.#objectKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
      return response.Body === undefined ? new Uint8Array(0) : ownedBytes(await response.Body.transformToByteArray());
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw this.#fail('read', key, error);
    }
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const objectKey = this.#objectKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: objectKey, Body: toBytes(data) }));
    } catch (error) {
      throw this.#fail('write', key, error);
    }
  }

  /**
   * HEAD, then PUT with `If-None-Match: *`. Where the server honours the header (AWS S3 since
   * 2024, MinIO, R2) the PUT itself is the race-free check: 412 means another writer won. Servers
   * that ignore it (s3rver 3.7.1 does) leave only the HEAD, which is NOT race-free: two writers can
   * both see no object and both return true, the later PUT replacing the earlier.
   */
  async writeIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const objectKey = this.#objectKey(key);
    const body = toBytes(data);
    try {
      for (let attempt = 1; ; attempt++) {
        if (await this.#headExists(objectKey)) return false;
        try {
          await this.client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: objectKey, Body: body, IfNoneMatch: '*' }));
          return true;
        } catch (error) {
          if (statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed') return false;
          const conflict = statusOf(error) === 409 || nameOf(error) === 'ConditionalRequestConflict';
          if (!conflict || attempt >= CONDITIONAL_PUT_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    } catch (error) {
      throw this.#fail('writeIfAbsent', key, error);
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.#objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
    } catch (error) {
      if (isMissingObject(error)) return;
      throw this.#fail('delete', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.#objectKey(key);
    try {
      return await this.#headExists(objectKey);
    } catch (error) {
      throw this.#fail('exists', key, error);
    }
  }

  async version(key: string): Promise<string | undefined> {
    const objectKey = this.#objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
      return `${head.ETag ?? ''}-${head.LastModified?.getTime() ?? ''}-${head.ContentLength ?? ''}`;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw this.#fail('version', key, error);
    }
  }

  /** Close the client's sockets; the store cannot be used afterwards. */
  destroy(): void {
    this.client.destroy();
  }

  async #headExists(objectKey: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  #objectKey(key: string): string {
    return this.#root + assertObjectKey(key);
  }

  #fail(operation: StorageOperation, key: string, error: unknown): StorageError {
    const status = statusOf(error);
    const code = nameOf(error) ?? (error as SdkError | null)?.code;
    const message = (error as SdkError | null)?.message ?? String(error);
    const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
    // The SDK error itself is not kept as `cause`: some carry the access key id (InvalidAccessKeyId).
    return new StorageError({
      operation,
      key,
      url: this.#where,
      detail: this.#redact(detail === '' ? message : `${message} (${detail})`),
      code,
      statusCode: status,
    });
  }

  #redact(text: string): string {
    return this.#secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

/**
 * GET answers NoSuchKey; HEAD has no body, so the SDK can only say NotFound (which a missing
 * bucket also gives). A missing bucket on GET or LIST stays an error.
 */
function isMissingObject(error: unknown): boolean {
  const name = nameOf(error);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

function secretsOf(credentials: S3StorageOptions['credentials']): string[] {
  if (credentials === undefined || typeof credentials === 'function') return [];
  return [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken].filter(
    (value): value is string => typeof value === 'string' && value.length >= 4,
  );
}

/** The endpoint as it may appear in messages: no user:password, no query. */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(unparseable endpoint)';
  }
}
