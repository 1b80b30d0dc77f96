import type { Source } from './types';

/** What `collect --source redis|sqs` passes to the queue sources (lib/collector/{redis,sqs}-source.ts). */
export interface QueueSourceFlags {
  redis: { url: string; stream: string; group: string; consumer: string; maxDeliveries: number; claimIdleMs: number; log: (line: string) => void };
  sqs: {
    queueUrl: string;
    endpoint?: string;
    region?: string;
    protocol: 'json' | 'query';
    deadLetterUrl?: string;
    visibilityTimeoutSeconds: number;
    maxDeliveries: number;
    log: (line: string) => void;
  };
}

export type QueueSourceName = keyof QueueSourceFlags;

/**
 * The queue sources are loaded only when asked for, so `collect --source http` never loads ioredis
 * or the SQS SDK. The module paths are values, so this compiles before those modules exist.
 */
const MODULES: { [K in QueueSourceName]: { path: string; factory: string } } = {
  redis: { path: './redis-source', factory: 'createRedisSource' },
  sqs: { path: './sqs-source', factory: 'createSqsSource' },
};

export async function createQueueSource<K extends QueueSourceName>(name: K, options: QueueSourceFlags[K]): Promise<Source> {
  const { path, factory } = MODULES[name];
  const module = (await import(/* @vite-ignore */ path)) as Record<string, unknown>;
  const create = module[factory];
  if (typeof create !== 'function') throw new Error(`${path} does not export ${factory}`);
  return (create as (o: QueueSourceFlags[K]) => Source)(options);
}
