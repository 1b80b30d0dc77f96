import type { Redis } from 'ioredis';
import { TransportError, type RedisLikeClient, type RedisTransportOptions, type Transport } from './types.js';

export const DEFAULT_STREAM = 'driftwatch:events';
export const DEFAULT_MAX_LEN = 1_000_000;

interface Context {
  timeoutMs: number;
  onError(message: string): void;
}

/**
 * `XADD <stream> MAXLEN ~ <maxLen> * e <ndjson>`: one entry per batch. The client it builds has no
 * offline queue and no background reconnect loop (nothing piles up, no timer keeps the process
 * alive): a send finds it disconnected, reconnects once within the attempt's time limit, or fails
 * and lets the logger back off.
 */
export async function createRedisTransport(options: RedisTransportOptions, context: Context): Promise<Transport> {
  const stream = options.stream ?? DEFAULT_STREAM;
  const maxLen = String(options.maxLen ?? DEFAULT_MAX_LEN);
  if (options.client) {
    const shared: RedisLikeClient = options.client;
    return {
      async send(body: string): Promise<void> {
        await shared.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'e', body);
      },
    };
  }
  const { Redis: RedisClient } = await import('ioredis');
  const client: Redis = new RedisClient(options.url ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: context.timeoutMs,
    commandTimeout: context.timeoutMs,
    enableReadyCheck: true,
  });
  client.on('error', (e: Error) => context.onError(`redis: ${e.message}`));
  client.on('ready', () => client.stream?.unref?.());
  let connecting: Promise<void> | undefined;

  const ensureReady = async (): Promise<void> => {
    if (client.status === 'ready') return;
    if (!connecting) {
      if (client.status !== 'wait' && client.status !== 'end' && client.status !== 'close') {
        throw new TransportError(`redis: not connected (${client.status})`, true);
      }
      connecting = client.connect().finally(() => {
        connecting = undefined;
      });
    }
    try {
      await connecting;
    } catch (e) {
      throw new TransportError(`redis: ${(e as Error).message}`, true);
    }
  };

  return {
    async send(body: string): Promise<void> {
      await ensureReady();
      try {
        await client.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'e', body);
      } catch (e) {
        throw new TransportError(`redis XADD: ${(e as Error).message}`, true);
      }
    },
    async close(): Promise<void> {
      if (client.status === 'ready') {
        const quit = client.quit().catch(() => undefined);
        const timer = setTimeout(() => client.disconnect(), context.timeoutMs);
        timer.unref();
        await quit;
        clearTimeout(timer);
      }
      client.disconnect();
    },
  };
}
