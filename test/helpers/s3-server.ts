import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3TestServer {
  /** e.g. `http://127.0.0.1:41234`; use with forcePathStyle. */
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver checks signatures against its one built-in key pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** Start s3rver on loopback with an ephemeral port, a fresh data directory and one bucket. */
export async function startS3Server(bucket = 'driftwatch-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'driftwatch-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  let address;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      try {
        await server.close();
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  };
}
