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
      async sendBytes(body: Uint8Array): Promise<void> {
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
  let lastConnectionError: string | undefined;
  client.on('error', (e: Error) => {
    lastConnectionError = e.message;
    context.onError(`redis: ${e.message}`);
  });
  client.on('ready', () => client.stream?.unref?.());
  let connecting: Promise<void> | undefined;

  const ensureReady = async (signal: AbortSignal): Promise<void> => {
    if (client.status === 'ready') return;
    if (!connecting) {
      if (client.status !== 'wait' && client.status !== 'end') {
        // An abandoned connection is still closing: wait for it to end (the attempt's signal bounds the wait).
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            signal.removeEventListener('abort', stop);
            resolve();
          };
          const stop = () => {
            client.off('end', done);
            reject(new TransportError(`redis: not connected (${client.status})`, true));
          };
          client.once('end', done);
          signal.addEventListener('abort', stop, { once: true });
        });
      }
      connecting ??= client.connect().finally(() => {
        connecting = undefined;
      });
    }
    // A server that accepts and never answers leaves connect() pending: give up with the attempt.
    // disconnect() alone only half-closes (FIN) a socket the peer never closes; destroy it.
    const onAbort = () => {
      client.disconnect();
      client.stream?.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await connecting;
      lastConnectionError = undefined;
    } catch (e) {
      // ioredis rejects with "Connection is closed."; the 'error' event had the cause (ECONNREFUSED, ETIMEDOUT).
      throw new TransportError(`redis: ${lastConnectionError ?? (e as Error).message}`, true);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };

  const xadd = async (body: string | Uint8Array, signal: AbortSignal): Promise<void> => {
    await ensureReady(signal);
    try {
      await client.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'e', Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    } catch (e) {
      // A connection that stopped answering: start the next attempt on a fresh one.
      if (/timed out/i.test((e as Error).message)) {
        client.disconnect();
        client.stream?.destroy();
      }
      throw new TransportError(`redis XADD: ${(e as Error).message}`, true);
    }
  };

  return {
    send: xadd,
    sendBytes: xadd,
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
