import { z } from 'zod';
import { ModelName, ReferenceName } from './names';

/** Marker of calibration.json: a reader that meets another value recomputes the calibration. */
export const CALIBRATION_FORMAT = 'driftwatch-calibration/1';

/** One metric's default threshold of one feature, as `referenceThreshold` gives it (lib/compare/thresholds.ts). */
export const CalibratedThreshold = z.object({
  value: z.number(),
  source: z.enum(['reference', 'floor']),
  chunk_mean: z.number().optional(),
  chunk_sd: z.number().optional(),
  chunks: z.number().int().optional(),
  n_eff: z.number().optional(),
  floor: z.number().optional(),
  sigmas: z.number().optional(),
});
export type CalibratedThreshold = z.infer<typeof CalibratedThreshold>;

/**
 * `models/{m}/references/{name}/calibration.json` (docs/format.md, "Reference calibration"): the
 * default thresholds of every feature and every metric defined for its kind, computed when the
 * reference is added. Valid only for the profile it names (`profile.sha256`) and the config
 * inputs it was computed with (`inputs.fingerprint`); otherwise readers recompute it.
 */
export const ReferenceCalibration = z.object({
  format: z.literal(CALIBRATION_FORMAT),
  model: ModelName,
  reference: ReferenceName,
  profile: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int().min(0), chunks: z.number().int().min(0) }),
  inputs: z.object({ sigmas: z.number(), materiality: z.record(z.string(), z.number()), fingerprint: z.string() }),
  created_at: z.string(),
  features: z.record(z.string(), z.object({ kind: z.enum(['numeric', 'categorical']), thresholds: z.record(z.string(), CalibratedThreshold) })),
});
export type ReferenceCalibration = z.infer<typeof ReferenceCalibration>;
