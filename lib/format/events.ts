import { z } from 'zod';
import { ModelName } from './names';

/**
 * One logged prediction (NDJSON, one object per line), as the prediction service sends it:
 * `{"model":"checkout-fraud","id":"ord-1","ts":"2026-11-29T08:00:00.123Z","features":{...},"score":0.031,"model_version":"3"}`.
 * Feature values are kept as they arrive; their types are judged by the profiler, not here.
 */
export const PredictionEvent = z.object({
  model: ModelName,
  id: z.string().min(1).max(512),
  ts: z.union([z.string(), z.number()]),
  features: z.record(z.string(), z.unknown()),
  score: z.number().nullable().optional(),
  model_version: z.string().max(128).optional(),
});
export type PredictionEvent = z.infer<typeof PredictionEvent>;

/** A delayed label: `{"model":"checkout-fraud","id":"ord-1","ts":"…","label":1}`. */
export const LabelEvent = z.object({
  model: ModelName,
  id: z.string().min(1).max(512),
  ts: z.union([z.string(), z.number()]),
  label: z.union([z.number(), z.boolean()]),
});
export type LabelEvent = z.infer<typeof LabelEvent>;

/** Name under which the score is profiled when events carry it in `score`. */
export const SCORE_FEATURE = 'score';
