import { DEFAULT_COMPRESSION } from './compress';
import { TDigest, type SerializedDigest } from './digest';

export class DigestFormatError extends Error {
  override readonly name = 'DigestFormatError';
}

/**
 * Load a serialised digest (from JSON, Parquet list columns or a Spark job), checking every
 * invariant a reader relies on; the error names the field that is wrong.
 */
export function digestFromJSON(input: unknown): TDigest {
  if (typeof input !== 'object' || input === null) throw new DigestFormatError('digest: expected an object with count, min, max, means, weights');
  const o = input as Record<string, unknown>;
  const means = numberArray(o.means, 'means');
  const weights = numberArray(o.weights, 'weights');
  if (means.length !== weights.length) {
    throw new DigestFormatError(`digest: means has ${means.length} entries but weights has ${weights.length}`);
  }
  const compression = o.compression === undefined ? DEFAULT_COMPRESSION : finiteNumber(o.compression, 'compression');
  if (!(compression > 0)) throw new DigestFormatError('digest: compression must be positive');
  const count = finiteNumber(o.count, 'count');
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i] > 0)) throw new DigestFormatError(`digest: weights[${i}] must be positive, got ${weights[i]}`);
    if (i > 0 && means[i] < means[i - 1]) throw new DigestFormatError(`digest: means must be sorted ascending (means[${i}] < means[${i - 1}])`);
    total += weights[i];
  }
  // Weights are counts; their sum is exact in doubles below 2^53.
  if (Math.abs(total - count) > 1e-9 * Math.max(1, count)) {
    throw new DigestFormatError(`digest: count is ${count} but the weights sum to ${total}`);
  }
  if (means.length === 0) return TDigest.empty(compression);
  const min = finiteNumber(o.min, 'min');
  const max = finiteNumber(o.max, 'max');
  if (min > means[0] || max < means[means.length - 1]) {
    throw new DigestFormatError(`digest: min ${min} and max ${max} must enclose every mean (${means[0]} … ${means[means.length - 1]})`);
  }
  return new TDigest(Float64Array.from(means), Float64Array.from(weights), min, max, compression);
}

export function digestToJSON(digest: TDigest): SerializedDigest {
  return digest.toJSON();
}

function numberArray(value: unknown, field: string): ArrayLike<number> {
  if (value instanceof Float64Array) return value;
  if (!Array.isArray(value)) throw new DigestFormatError(`digest: ${field} must be an array of numbers`);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DigestFormatError(`digest: ${field}[${i}] must be a finite number, got ${String(v)}`);
  }
  return value as number[];
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DigestFormatError(`digest: ${field} must be a finite number, got ${String(value)}`);
  return value;
}
