export * from './types';
export { createIntake, DEFAULT_MAX_BUFFERED_BYTES, type CollectorIntake, type IntakeHealth, type IntakeOptions } from './intake';
export { validateLine, nestingDepth, type ValidatedLine, type ValidateOptions } from './validate';
export { createMetrics, MetricsRegistry, METRIC_PREFIX } from './metrics';
export { Spool, SpoolLockedError, readRecords, DEFAULT_SPOOL_MAX_BYTES, DEFAULT_SEGMENT_BYTES, type SpoolOptions, type SpoolRecord } from './spool';
export { withRetry, backoffMs, type RetryOptions } from './retry';
export { collectorBatchId, dayBatches, rawBatchKey, GZIP_LEVEL, type DayBatch } from './batch-writer';
export { quarantineLine, quarantineObject } from './quarantine-writer';
