import { resolve } from 'node:path';
import { runCollector } from '../../collector/run-collector';
import type { Source } from '../../collector/types';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { openStore, storeLocation } from '../store-context';
import type { CommandSpec } from './index';
import { bytesFlag, COLLECT_OPTIONS, COLLECT_USAGE, DEFAULT_SPOOL_DIR, durationFlag, limitsFlags, parseListen, redisFlags, sourcesFlag, sqsFlags } from './collect-flags';

type Values = Record<string, string | boolean | undefined>;

/**
 * Start the collector with `collect`'s flags until `signal` aborts; resolves with its exit status.
 * Every flag is checked before anything starts, so a typo fails at once with one line.
 */
export async function startCollector(values: Values, ctx: CommandContext, signal: AbortSignal): Promise<number> {
  const names = sourcesFlag(values);
  const listen = parseListen(values.listen as string | undefined);
  const limits = limitsFlags(values);
  const spoolDir = resolve((values.spool as string | undefined) ?? DEFAULT_SPOOL_DIR);
  const spoolMaxBytes = bytesFlag(values, 'spool-max-bytes', 1024 ** 3);
  const maxBufferedBytes = bytesFlag(values, 'max-buffered-bytes', 256 * 1024 ** 2);
  const shutdownTimeoutMs = durationFlag(values, 'shutdown-timeout', 30_000);
  const statusEveryMs = durationFlag(values, 'status-every', 60_000);
  const redis = names.includes('redis') ? redisFlags(values, ctx.log) : undefined;
  const sqs = names.includes('sqs') ? sqsFlags(values, ctx.log) : undefined;
  const store = await openStore(storeLocation(values.store as string | undefined));
  const sources: Source[] = [];
  // Loaded only when asked for: `--source http` needs neither ioredis nor the SQS SDK.
  if (redis) sources.push((await import('../../collector/redis-source')).createRedisSource(redis));
  if (sqs) sources.push((await import('../../collector/sqs-source')).createSqsSource({ ...sqs, limits }));
  const running = runCollector({
    storage: store.storage,
    sources,
    http: names.includes('http'),
    listen,
    limits,
    spoolDir,
    spoolMaxBytes,
    maxBufferedBytes,
    timeLimits: store.config.ingest,
    shutdownTimeoutMs,
    statusEveryMs,
    signal,
    log: ctx.log,
    onListening: (address) => {
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      const what = [names.includes('http') ? `http://${host}:${address.port}/v1/events` : undefined, redis ? `redis ${redis.stream} (group ${redis.group})` : undefined, sqs ? `sqs ${sqs.queueUrl}` : undefined].filter(Boolean);
      ctx.log(`collect: listening on http://${host}:${address.port} (/metrics, /healthz); sources: ${what.join(', ')}; store ${store.storage.url}; spool ${spoolDir}`);
    },
  });
  return running.catch((error: unknown) => {
    // The spool names its own flag differently: say which of ours to change.
    if ((error as Error)?.name === 'SpoolLockedError') throw new CliError((error as Error).message.replace('--spool-dir', '--spool'), 1);
    throw error;
  });
}

/** SIGINT/SIGTERM abort `controller` while `work` runs. */
export async function untilSignal<T>(controller: AbortController, work: () => Promise<T>): Promise<T> {
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const COLLECT_COMMANDS: Record<string, CommandSpec> = {
  collect: {
    summary: 'take prediction events over HTTP, Redis Streams or SQS and write them to the store in batches (SIGTERM writes what is buffered)',
    usage: COLLECT_USAGE,
    options: { store: { type: 'string' }, ...COLLECT_OPTIONS },
    run: async (values, ctx) => {
      const controller = new AbortController();
      return untilSignal(controller, () => startCollector(values, ctx, controller.signal));
    },
  },
};
