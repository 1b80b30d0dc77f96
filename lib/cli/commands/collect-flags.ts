import { hostname } from 'node:os';
import { parseDuration } from '../../format';
import { DEFAULT_DUMP_LIMITS, type DumpLimits } from '../../collector/types';
import { DEFAULT_LISTEN, type ListenAddress } from '../../collector/http-source';
import { CliError } from '../cli-error';

type Values = Record<string, string | boolean | undefined>;

/** Flags of `collect`, also taken by `run --collect`. */
export const COLLECT_OPTIONS = {
  source: { type: 'string' },
  listen: { type: 'string' },
  spool: { type: 'string' },
  'spool-max-bytes': { type: 'string' },
  'max-events': { type: 'string' },
  'max-bytes': { type: 'string' },
  'max-age': { type: 'string' },
  'max-buffered-bytes': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  'status-every': { type: 'string' },
  'redis-url': { type: 'string' },
  stream: { type: 'string' },
  group: { type: 'string' },
  consumer: { type: 'string' },
  'max-deliveries': { type: 'string' },
  'claim-idle': { type: 'string' },
  'sqs-queue-url': { type: 'string' },
  'sqs-endpoint': { type: 'string' },
  'sqs-region': { type: 'string' },
  'sqs-protocol': { type: 'string' },
  'sqs-dead-letter-url': { type: 'string' },
  'sqs-visibility-timeout': { type: 'string' },
} as const;

export const COLLECT_USAGE =
  '--store S [--source http|redis|sqs[,…] (default http)] [--listen 127.0.0.1:4318] [--spool DIR (default ./.driftwatch-spool)] [--spool-max-bytes 1GiB] ' +
  '[--max-events 10000] [--max-bytes 8MiB] [--max-age 60s] [--max-buffered-bytes 256MiB] [--shutdown-timeout 30s] [--status-every 60s] ' +
  '[--redis-url redis://127.0.0.1:6379] [--stream driftwatch:events] [--group driftwatch] [--consumer NAME] [--max-deliveries 5] [--claim-idle 60s] ' +
  '[--sqs-queue-url URL] [--sqs-endpoint URL] [--sqs-region R] [--sqs-protocol json|query] [--sqs-dead-letter-url URL] [--sqs-visibility-timeout 300s]';

export const DEFAULT_SPOOL_DIR = './.driftwatch-spool';

const UNITS: Record<string, number> = { b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `8MiB`, `1GiB`, `500kB`, `1048576` → bytes; undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[m[2].toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** `250ms`, `60s`, `5m`, and the whole hours/days of parseDuration (`1h`, `7d`) → ms. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+)\s*(ms|s|m)$/.exec(text.trim());
  if (!m) return parseDuration(text);
  const n = Number(m[1]);
  if (n <= 0 || !Number.isSafeInteger(n)) return undefined;
  return n * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1_000 : 60_000);
}

const str = (values: Values, name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

export function bytesFlag(values: Values, name: string, fallback: number): number;
export function bytesFlag(values: Values, name: string, fallback?: number): number | undefined;
export function bytesFlag(values: Values, name: string, fallback?: number): number | undefined {
  const text = str(values, name);
  if (text === undefined) return fallback;
  const n = parseBytes(text);
  if (n === undefined) throw new CliError(`--${name}: "${text}" is not a size like 8MiB, 1GiB or 500kB`);
  return n;
}

export function durationFlag(values: Values, name: string, fallback: number): number {
  const text = str(values, name);
  if (text === undefined) return fallback;
  const n = parseDurationMs(text);
  if (n === undefined) throw new CliError(`--${name}: "${text}" is not a duration like 500ms, 60s, 5m or 1h`);
  return n;
}

export function countFlag(values: Values, name: string, fallback: number): number {
  const text = str(values, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new CliError(`--${name} must be a whole number ≥ 1, got "${text}"`);
  return Number(text);
}

/** `127.0.0.1:4318`, `0.0.0.0:80`, `[::1]:4318`, `:4318` (loopback), `4318`; port 0 picks a free one. */
export function parseListen(text: string | undefined): ListenAddress {
  if (text === undefined) return { ...DEFAULT_LISTEN };
  const t = text.trim();
  const m = /^\d+$/.test(t) ? [t, undefined, '', t] : /^(?:\[([0-9a-f:.]+)\]|([^:[\]]*)):(\d+)$/i.exec(t);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65_535) throw new CliError(`--listen: "${text}" is not HOST:PORT, e.g. 127.0.0.1:4318 or 0.0.0.0:4318`);
  return { host: m[1] ?? (m[2] || DEFAULT_LISTEN.host), port };
}

export type SourceName = 'http' | 'redis' | 'sqs';

export function sourcesFlag(values: Values): SourceName[] {
  const names = (str(values, 'source') ?? 'http').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new CliError('--source names no source: use http, redis, sqs or a comma-separated list');
  for (const n of names) if (n !== 'http' && n !== 'redis' && n !== 'sqs') throw new CliError(`--source: "${n}" is not one of http, redis, sqs`);
  return [...new Set(names as SourceName[])];
}

export function limitsFlags(values: Values): DumpLimits {
  return {
    maxEvents: countFlag(values, 'max-events', DEFAULT_DUMP_LIMITS.maxEvents),
    maxBytes: bytesFlag(values, 'max-bytes', DEFAULT_DUMP_LIMITS.maxBytes),
    maxAgeMs: durationFlag(values, 'max-age', DEFAULT_DUMP_LIMITS.maxAgeMs),
  };
}

export function redisFlags(values: Values, log: (line: string) => void) {
  return {
    url: str(values, 'redis-url') ?? 'redis://127.0.0.1:6379',
    stream: str(values, 'stream') ?? 'driftwatch:events',
    group: str(values, 'group') ?? 'driftwatch',
    consumer: str(values, 'consumer') ?? `${hostname()}-${process.pid}`,
    maxDeliveries: countFlag(values, 'max-deliveries', 5),
    claimIdleMs: durationFlag(values, 'claim-idle', 60_000),
    log,
  };
}

export function sqsFlags(values: Values, log: (line: string) => void) {
  const queueUrl = str(values, 'sqs-queue-url');
  if (!queueUrl) throw new CliError('--sqs-queue-url is required with --source sqs (the queue to consume)');
  const protocol = str(values, 'sqs-protocol') ?? 'json';
  if (protocol !== 'json' && protocol !== 'query') throw new CliError(`--sqs-protocol must be json (AWS) or query (goaws and other emulators), got "${protocol}"`);
  const visibilityMs = durationFlag(values, 'sqs-visibility-timeout', 300_000);
  if (visibilityMs < 1_000 || visibilityMs > 12 * 3_600_000) throw new CliError('--sqs-visibility-timeout must be from 1s to 12h (the SQS limits)');
  return {
    queueUrl,
    endpoint: str(values, 'sqs-endpoint'),
    region: str(values, 'sqs-region'),
    protocol: protocol as 'json' | 'query',
    deadLetterUrl: str(values, 'sqs-dead-letter-url'),
    visibilityTimeoutSeconds: Math.ceil(visibilityMs / 1000),
    maxDeliveries: countFlag(values, 'max-deliveries', 5),
    log,
  };
}
