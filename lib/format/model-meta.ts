import { z } from 'zod';
import { FeatureKind } from './summary';
import { FeatureName, ModelName, ReferenceName } from './names';

/** models/<model>/model.json: the model's features and how its data files name things. */
export const ModelMeta = z.object({
  name: ModelName,
  features: z.array(z.object({ name: FeatureName, kind: FeatureKind })),
  /** The feature that holds the model's score (`score` for NDJSON events), profiled like a feature. */
  score: FeatureName.nullable(),
  /** Column names used when a wide table (CSV/Parquet) was read; null for NDJSON events. */
  columns: z
    .object({ id: z.string().nullable(), timestamp: z.string().nullable(), label: z.string().nullable(), score: z.string().nullable() })
    .default({ id: null, timestamp: null, label: null, score: null }),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ModelMeta = z.infer<typeof ModelMeta>;

/** models/<model>/references/<name>/reference.json. */
export const ReferenceMeta = z.object({
  model: ModelName,
  name: ReferenceName,
  source: z.string(),
  rows: z.number().int().min(0),
  /** Time range of the rows when they had timestamps (epoch ms), else null. */
  period_start: z.number().int().nullable(),
  period_end: z.number().int().nullable(),
  /** The reference is also profiled in this many time-ordered chunks, for default thresholds. */
  chunks: z.number().int().min(0),
  chunk_rows: z.number().int().min(0),
  created_at: z.string(),
});
export type ReferenceMeta = z.infer<typeof ReferenceMeta>;
