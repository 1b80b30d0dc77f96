import { z } from 'zod';
import { FeatureName, ModelName } from './names';

/** Categorical profiles keep this many categories; the rest are folded into OTHER_CATEGORY. */
export const MAX_CATEGORIES = 1000;
export const OTHER_CATEGORY = '__other__';

export const FeatureKind = z.enum(['numeric', 'categorical']);
export type FeatureKind = z.infer<typeof FeatureKind>;

/**
 * One mergeable summary of one feature over one period (an hour, a day, a reference or one of its
 * chunks). The Parquet columns of profiles are exactly these fields (docs/format.md). Counts:
 * rows = nulls + non_finite + type_errors + count.
 */
export const SummaryRow = z
  .object({
    model: ModelName,
    feature: FeatureName,
    kind: FeatureKind,
    /** Epoch ms, inclusive; for a reference without timestamps, 0. */
    period_start: z.number().int(),
    /** Epoch ms, exclusive. */
    period_end: z.number().int(),
    /** −1 for a whole period; 0…k−1 for the time-ordered chunks of a reference. */
    chunk: z.number().int().min(-1),
    rows: z.number().int().min(0),
    nulls: z.number().int().min(0),
    non_finite: z.number().int().min(0),
    type_errors: z.number().int().min(0),
    count: z.number().int().min(0),
    min: z.number().nullable(),
    max: z.number().nullable(),
    sum: z.number().nullable(),
    compression: z.number().positive().nullable(),
    means: z.array(z.number()),
    weights: z.array(z.number()),
    categories: z.array(z.string()),
    category_counts: z.array(z.number().int().min(0)),
  })
  .refine((r) => r.rows === r.nulls + r.non_finite + r.type_errors + r.count, { message: 'rows must equal nulls + non_finite + type_errors + count' })
  .refine((r) => r.means.length === r.weights.length, { message: 'means and weights must have the same length' })
  .refine((r) => r.categories.length === r.category_counts.length, { message: 'categories and category_counts must have the same length' });
export type SummaryRow = z.infer<typeof SummaryRow>;

const KINDS: ReadonlySet<unknown> = new Set(FeatureKind.options);
const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isNumberOrNull = (x: unknown): boolean => x === null || typeof x === 'number';

/**
 * What `SummaryRow.parse` checks, without building issue objects per value: for decoding stored
 * profiles (a 30-day window holds millions of centroids). `means`/`weights` are passed as the
 * typed arrays they were decoded into. Returns the first problem, or null when the row is valid.
 */
export function summaryRowProblem(row: Record<string, unknown>, means: ArrayLike<number>, weights: ArrayLike<number>): string | null {
  if (!ModelName.safeParse(row.model).success) return `model: not a valid model name (${JSON.stringify(row.model)})`;
  if (!FeatureName.safeParse(row.feature).success) return `feature: not a valid feature name (${JSON.stringify(row.feature)})`;
  if (!KINDS.has(row.kind)) return `kind: expected "numeric" or "categorical", got ${JSON.stringify(row.kind)}`;
  for (const name of ['period_start', 'period_end', 'chunk'] as const) {
    if (typeof row[name] !== 'number' || !Number.isInteger(row[name])) return `${name}: expected an integer`;
  }
  if ((row.chunk as number) < -1) return 'chunk: must be ≥ −1';
  for (const name of ['rows', 'nulls', 'non_finite', 'type_errors', 'count'] as const) {
    if (!isCount(row[name])) return `${name}: expected a count (integer ≥ 0)`;
  }
  for (const name of ['min', 'max', 'sum', 'compression'] as const) {
    if (!isNumberOrNull(row[name])) return `${name}: expected a number or null`;
  }
  if (row.compression !== null && !((row.compression as number) > 0)) return 'compression: must be positive';
  if (row.rows !== (row.nulls as number) + (row.non_finite as number) + (row.type_errors as number) + (row.count as number)) return 'rows must equal nulls + non_finite + type_errors + count';
  if (means.length !== weights.length) return 'means and weights must have the same length';
  for (let i = 0; i < means.length; i++) {
    if (!Number.isFinite(means[i]) || !(weights[i] > 0)) return `means/weights: centroid ${i} is not a finite mean with a positive weight`;
  }
  const categories = row.categories as unknown[];
  const counts = row.category_counts as unknown[];
  if (categories.length !== counts.length) return 'categories and category_counts must have the same length';
  for (let i = 0; i < categories.length; i++) {
    if (typeof categories[i] !== 'string') return `categories: entry ${i} is not a string`;
    if (!isCount(counts[i])) return `category_counts: entry ${i} is not a count`;
  }
  return null;
}

/** Failed values of a summary: null, NaN/±Inf and wrong type. */
export function failedCount(row: Pick<SummaryRow, 'nulls' | 'non_finite' | 'type_errors'>): number {
  return row.nulls + row.non_finite + row.type_errors;
}
