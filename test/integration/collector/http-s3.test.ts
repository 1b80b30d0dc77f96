import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileModel } from '@/lib/profile';
import { openStorage, type Storage } from '@/lib/storage';
import { startS3Server, type S3TestServer } from '@/test/helpers/s3-server';
import { addModel, bundleCli, event, makeStore, MODEL, profiledRows, rawBatches, startCollector } from './http-harness';

/** The collector writing to a store on an S3-compatible server (s3rver), then profile reading it. */
let dir: string;
let s3: S3TestServer;
let env: Record<string, string>;
let location: string;
let storage: Storage;
let cli: Awaited<ReturnType<typeof bundleCli>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-http-s3-'));
  s3 = await startS3Server();
  env = { DRIFTWATCH_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_REGION: s3.region };
  Object.assign(process.env, env);
  location = `s3://${s3.bucket}/capture`;
  await makeStore(dir, location);
  storage = openStorage(location);
  await addModel(storage, dir);
  cli = await bundleCli('http-s3');
});

afterAll(async () => {
  await cli?.remove();
  await s3?.stop();
  for (const k of Object.keys(env ?? {})) delete process.env[k];
  await rm(dir, { recursive: true, force: true });
});

describe('a store on S3', () => {
  it('takes events over HTTP, writes them to S3 on SIGTERM, and profile counts each once', async () => {
    const collector = await startCollector(cli.path, ['--store', location, '--spool', join(dir, 'spool'), '--max-age', '1h'], { env });
    expect(collector.lines[0]).toContain(`store s3://${s3.bucket}/capture`);
    const ids = Array.from({ length: 500 }, (_, i) => `s3-${i}`);
    const first = await fetch(`${collector.url}/v1/events`, { method: 'POST', body: ids.slice(0, 250).map((id) => event(id)).join('\n') + '\n' });
    const second = await fetch(`${collector.url}/v1/events`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: new Blob([gzipSync(ids.slice(200).map((id) => event(id)).join('\n') + '\n')]) });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(((await second.json()) as { accepted: number }).accepted).toBe(300);
    expect(await collector.stop()).toEqual({ code: 0, signal: null });

    const stored = [...(await rawBatches(storage)).values()].flat();
    expect(new Set(stored)).toEqual(new Set(ids));
    await profileModel({ storage, model: MODEL });
    expect(await profiledRows(storage)).toBe(500);
  });
});
