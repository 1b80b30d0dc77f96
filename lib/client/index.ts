/**
 * `driftwatch/client`: log predictions from a service without ever slowing it down.
 *
 * ```ts
 * import { createPredictionLogger } from 'driftwatch/client';
 * const logger = createPredictionLogger({ transport: { type: 'http', url: 'http://collector:8080' } });
 * logger.log({ model: 'checkout-fraud', id: orderId, features, score });
 * ```
 *
 * Imports only node:* here; ioredis and @aws-sdk/client-sqs are loaded by their transports.
 */
export { createPredictionLogger, LOGGER_DEFAULTS } from './logger.js';
export {
  DROP_REASONS,
  TransportError,
  type CustomTransport,
  type DropReason,
  type HttpTransportOptions,
  type LoggerStats,
  type PredictionLogEvent,
  type PredictionLogger,
  type PredictionLoggerOptions,
  type RedisLikeClient,
  type RedisTransportOptions,
  type SendResult,
  type SqsTransportOptions,
  type Transport,
  type TransportOptions,
} from './types.js';
