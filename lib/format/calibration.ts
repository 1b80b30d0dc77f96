import { z } from 'zod';
import { ModelName, ReferenceName } from './names';

/** Marker of calibration.json: a reader that meets another value recomputes the calibration. */
export const CALIBRATION_FORMAT = 'driftwatch-calibration/1.1';
/** Formats still read: 1.0 lacks the random-chunk statistics and the column notices (both optional). */
export const CALIBRATION_FORMATS_READ = ['driftwatch-calibration/1', CALIBRATION_FORMAT] as const;

/** Chunk statistics of one metric (lib/compare/thresholds.ts, `ChunkStatistics`). */
export const ChunkStatisticsSchema = z.object({ chunk_mean: z.number(), chunk_sd: z.number(), chunks: z.number().int(), n_eff: z.number() });

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
  /** 1.1: which chunking the statistics above come from ('random' when the row-ordered one is inflated). */
  chunking: z.enum(['ordered', 'random']).optional(),
  /** 1.1: statistics over row-ordered chunks and over chunks drawn at random (seeded) from the reference. */
  ordered: ChunkStatisticsSchema.optional(),
  random: ChunkStatisticsSchema.optional(),
});
export type CalibratedThreshold = z.infer<typeof CalibratedThreshold>;

/**
 * `models/{m}/references/{name}/calibration.json` (docs/format.md, "Reference calibration"): the
 * default thresholds of every feature and every metric defined for its kind, computed when the
 * reference is added. Valid only for the profile it names (`profile.sha256`) and the config
 * inputs it was computed with (`inputs.fingerprint`); otherwise readers recompute it.
 */
export const ReferenceCalibration = z.object({
  format: z.enum(CALIBRATION_FORMATS_READ),
  model: ModelName,
  reference: ReferenceName,
  profile: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int().min(0), chunks: z.number().int().min(0) }),
  inputs: z.object({ sigmas: z.number(), materiality: z.record(z.string(), z.number()), fingerprint: z.string() }),
  created_at: z.string(),
  features: z.record(
    z.string(),
    z.object({
      kind: z.enum(['numeric', 'categorical']),
      thresholds: z.record(z.string(), CalibratedThreshold),
      /** 1.1: a column that cannot drift meaningfully (identifier, free text, constant, timestamp): not monitored by default. */
      column: z.object({ kind: z.enum(['identifier', 'free_text', 'constant', 'timestamp']), reason: z.string() }).optional(),
    }),
  ),
});
export type ReferenceCalibration = z.infer<typeof ReferenceCalibration>;
