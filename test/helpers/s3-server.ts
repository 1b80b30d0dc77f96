import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3TestServer {
  /** e.g. `http://127.0.0.1:41234`; use with forcePathStyle. */
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver checks signatures against its one built-in key pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Start s3rver on loopback with an ephemeral port, a fresh data directory and one bucket.
 *
 * It runs in a child process with --openssl-legacy-provider: s3rver 3.7.1 makes ListObjectsV2
 * continuation tokens with DES, which OpenSSL 3 (Node >= 17) refuses without that flag, so any
 * listing of more than 1000 keys would fail with a 500 InternalError.
 */
export async function startS3Server(bucket = 'driftwatch-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'driftwatch-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', thisFile, directory, bucket], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^listening (\d+)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with code ${code} before listening: ${stderr.trim()}`));
      });
    });
  } catch (error) {
    child.kill();
    await exited;
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      // Closing stdin asks the child to close the server and exit; it also does so if this process dies.
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The child: `node --openssl-legacy-provider --import tsx s3-server.ts <directory> <bucket>`. */
async function serveUntilStdinCloses(directory: string, bucket: string): Promise<void> {
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  process.stdin.on('end', () => {
    void server.close().finally(() => process.exit(0));
  });
  process.stdin.resume();
  process.stdout.write(`listening ${address.port}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === thisFile) {
  const [directory, bucket] = process.argv.slice(2);
  serveUntilStdinCloses(directory, bucket).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
