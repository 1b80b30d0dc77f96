import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageLocationError } from './errors';
import { LocalStorage } from './local-storage';
import { S3Storage, type S3StorageOptions } from './s3-storage';
import { assertKey, type Storage } from './storage';

const EXAMPLES = 'a valid location is s3://my-bucket or s3://my-bucket/some/prefix, or a directory path such as ./driftwatch-store';

const ENDPOINT_VARIABLES = ['DRIFTWATCH_S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

type Env = Record<string, string | undefined>;

/**
 * Open the store at `location`: `s3://bucket/prefix` is S3 (or an S3-compatible server when
 * DRIFTWATCH_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is set; then path-style
 * addressing is used), `file:///dir` or anything else is a local directory.
 */
export function openStorage(location: string, env: Env = process.env): Storage {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new StorageLocationError(`the storage location is empty; ${EXAMPLES}`);
  }
  if (/^s3:\/\//i.test(location)) return new S3Storage(s3Options(location, env));
  if (/^file:\/\//i.test(location)) return new LocalStorage(fileURLToPath(location));
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
  if (scheme !== undefined) {
    throw new StorageLocationError(`storage location ${JSON.stringify(location)} uses the unsupported scheme "${scheme}://"; ${EXAMPLES}`);
  }
  return new LocalStorage(path.resolve(location));
}

/** Parse `s3://bucket/prefix` and the environment into S3Storage options; exported for tests. */
export function s3Options(location: string, env: Env = process.env): S3StorageOptions {
  const rest = location.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/$/, '');
  const bad = (why: string) => new StorageLocationError(`storage location ${JSON.stringify(location)}: ${why}; ${EXAMPLES}`);

  const bucketProblem = checkBucketName(bucket);
  if (bucketProblem !== undefined) throw bad(bucketProblem);
  if (prefix !== '') {
    try {
      assertKey(prefix);
    } catch {
      throw bad(`the prefix ${JSON.stringify(prefix)} is not a valid key prefix (segments of letters, digits and . _ = : + @ - separated by single '/', no '.' or '..')`);
    }
  }

  const endpointVariable = ENDPOINT_VARIABLES.find((name) => (env[name] ?? '').trim() !== '');
  const endpoint = endpointVariable === undefined ? undefined : (env[endpointVariable] ?? '').trim();
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) {
    const shown = JSON.stringify(endpoint.replace(/\/\/[^/@]*@/, '//'));
    throw new StorageLocationError(`${endpointVariable} must be an http:// or https:// URL such as http://127.0.0.1:9000, got ${shown}`);
  }
  const region = (env.AWS_REGION ?? '').trim() || 'us-east-1';
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  // The env provider is the first link of the default chain; reading `env` here lets callers (and tests) pass their own.
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined;
  return { bucket, prefix, endpoint, region, forcePathStyle: endpoint !== undefined ? true : undefined, credentials };
}

/** S3's bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), as a reason or undefined. */
function checkBucketName(bucket: string): string | undefined {
  if (bucket === '') return 'the bucket name is missing';
  if (bucket.length < 3 || bucket.length > 63) return `the bucket name ${JSON.stringify(bucket)} has ${bucket.length} characters; S3 bucket names have 3 to 63`;
  if (!/^[a-z0-9.-]+$/.test(bucket)) return `the bucket name ${JSON.stringify(bucket)} may contain only lowercase letters, digits, '.' and '-'`;
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return `the bucket name ${JSON.stringify(bucket)} must start and end with a letter or digit`;
  if (bucket.includes('..')) return `the bucket name ${JSON.stringify(bucket)} must not contain '..'`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return `the bucket name ${JSON.stringify(bucket)} must not look like an IP address`;
  return undefined;
}
