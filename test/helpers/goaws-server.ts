import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@/lib/client/sqs-client';
import type { SqsSourceOptions } from '@/lib/collector/sqs-source';
import { freePort } from './redis-server';

export interface GoawsQueue {
  name: string;
  /** Seconds a received message stays invisible (goaws default 30). */
  visibilityTimeout?: number;
}

export interface GoawsTestServer {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Queue URLs by name. */
  queueUrls: Record<string, string>;
  /** A query-protocol client on the endpoint (the test's producer / inspector). */
  client: SQSClient;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOAWS_BIN = path.join(repoRoot, '.cache', 'bin', 'goaws');
const STARTUP_TIMEOUT_MS = 15_000;

/**
 * Start goaws (SQS query protocol only) on 127.0.0.1 with an ephemeral port, then create the given
 * queues with CreateQueue (goaws 0.4.5's config file has no per-queue VisibilityTimeout).
 */
export async function startGoawsServer(queues: readonly GoawsQueue[]): Promise<GoawsTestServer> {
  if (!existsSync(GOAWS_BIN)) {
    throw new Error(`goaws not found at ${GOAWS_BIN}: build it with \`bash scripts/capture/setup-services.sh\``);
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'driftwatch-goaws-'));
  const port = await freePort();
  const config = [
    'Local:',
    '  Host: 127.0.0.1',
    `  Port: ${port}`,
    '  Region: us-east-1',
    '  AccountId: "100010001000"',
    '  LogToFile: false',
    '  QueueAttributeDefaults: { VisibilityTimeout: 30, ReceiveMessageWaitTimeSeconds: 0 }',
    '  Queues: []',
    '  Topics: []',
    '',
  ].join('\n');
  const configFile = path.join(directory, 'goaws.yaml');
  await writeFile(configFile, config);
  const child = spawn(GOAWS_BIN, ['-config', configFile, 'Local'], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-4000)));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
  const client = createSqsClient({ endpoint, region: 'us-east-1', protocol: 'query', credentials });
  const stop = async () => {
    client.destroy();
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (gone) throw new Error(`goaws exited before answering: ${output.trim()}`);
      try {
        await client.send(new ListQueuesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`goaws did not answer within ${STARTUP_TIMEOUT_MS} ms: ${String(error)}\n${output.trim()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const queueUrls: Record<string, string> = {};
    for (const queue of queues) {
      const attributes: Record<string, string> = {};
      if (queue.visibilityTimeout !== undefined) attributes.VisibilityTimeout = String(queue.visibilityTimeout);
      const created = await client.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
      queueUrls[queue.name] = created.QueueUrl!;
    }
    return { endpoint, region: 'us-east-1', credentials, queueUrls, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The collector's SQS source on a goaws queue: 1 s long polls, a 2 s visibility timeout (the tests' pace). */
export function goawsSourceOptions(goaws: GoawsTestServer, queue: string): SqsSourceOptions {
  return {
    queueUrl: goaws.queueUrls[queue],
    endpoint: goaws.endpoint,
    region: goaws.region,
    protocol: 'query',
    credentials: goaws.credentials,
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds: 2,
  };
}
