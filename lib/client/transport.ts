import { createHttpTransport } from './http-transport.js';
import { TransportError, type CustomTransport, type Transport, type TransportOptions } from './types.js';

interface TransportContext {
  timeoutMs: number;
  onError(message: string): void;
}

function isCustom(options: TransportOptions): options is CustomTransport {
  return typeof (options as CustomTransport).send === 'function';
}

/** Builds the transport; Redis and SQS load their SDK here, on the first send, never at import. */
export async function createTransport(options: TransportOptions, context: TransportContext): Promise<Transport> {
  if (isCustom(options)) {
    return {
      async send(body, signal) {
        await options.send(body, signal);
      },
      close: options.close ? () => options.close!() : undefined,
    };
  }
  switch (options.type) {
    case 'http':
      return createHttpTransport(options);
    case 'redis': {
      const { createRedisTransport } = await import('./redis-transport.js');
      return createRedisTransport(options, context);
    }
    case 'sqs': {
      const { createSqsTransport } = await import('./sqs-transport.js');
      return createSqsTransport(options);
    }
    default:
      throw new TransportError(`unknown transport type ${JSON.stringify((options as { type?: unknown }).type)}`, false);
  }
}
