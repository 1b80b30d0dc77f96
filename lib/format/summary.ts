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

/** Failed values of a summary: null, NaN/±Inf and wrong type. */
export function failedCount(row: Pick<SummaryRow, 'nulls' | 'non_finite' | 'type_errors'>): number {
  return row.nulls + row.non_finite + row.type_errors;
}
