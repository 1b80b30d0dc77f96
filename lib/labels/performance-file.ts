import { z } from 'zod';
import { digestFromJSON, mergeDigests, TDigest, type SerializedDigest } from '../digest';

/**
 * One period (an hour, or the whole day) of a model's label join, as stored in
 * `profiles/performance/day=<D>.json` (docs/format.md, "Performance profiles"): every figure a
 * window's realised or estimated performance needs, mergeable by addition (counts, sums) and by
 * digest merge (scores), like the drift summaries.
 */
export interface PerformancePeriod {
  period_start: number;
  period_end: number;
  /** Predictions of the period that carry a score. */
  predictions: number;
  /** Of those, predictions with a usable (binary) label. */
  labelled: number;
  positives: number;
  /** Labels that matched a prediction but are not binary (`0/1`, `true/false`, `yes/no`). */
  unusable_labels: number;
  /** Confusion matrix at the configured decision threshold (score ≥ threshold predicts positive). */
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Σ −log p(true class) (scores clamped to [1e-15, 1 − 1e-15]) and Σ (score − label)² over labelled predictions. */
  logloss_sum: number;
  brier_sum: number;
  /** For a regression model (numeric labels): sums of the error score − label over predictions with a numeric label (binary labels count too, as 0/1). */
  regression: { n: number; sum_abs: number; sum_sq: number; sum_abs_pct: number; pct_count: number };
  /** Scores of labelled positives, of labelled negatives, of every prediction; label delay in hours. */
  pos: TDigest;
  neg: TDigest;
  all: TDigest;
  delay: TDigest;
}

export const PERFORMANCE_FORMAT = 'driftwatch-performance/1';

const Digest = z.object({ means: z.array(z.number()), weights: z.array(z.number()), min: z.number().nullable().optional(), max: z.number().nullable().optional() }).passthrough();
const StoredPeriod = z.object({
  period_start: z.number().int(),
  period_end: z.number().int(),
  predictions: z.number().int().min(0),
  labelled: z.number().int().min(0),
  positives: z.number().int().min(0),
  unusable_labels: z.number().int().min(0),
  tp: z.number().int().min(0),
  fp: z.number().int().min(0),
  tn: z.number().int().min(0),
  fn: z.number().int().min(0),
  logloss_sum: z.number(),
  brier_sum: z.number(),
  regression: z.object({ n: z.number().int().min(0), sum_abs: z.number().min(0), sum_sq: z.number().min(0), sum_abs_pct: z.number().min(0), pct_count: z.number().int().min(0) }).default({ n: 0, sum_abs: 0, sum_sq: 0, sum_abs_pct: 0, pct_count: 0 }),
  pos: Digest,
  neg: Digest,
  all: Digest,
  delay: Digest,
});
export const PerformanceFile = z.object({
  format: z.literal(PERFORMANCE_FORMAT),
  model: z.string(),
  day: z.string(),
  threshold: z.number(),
  periods: z.array(StoredPeriod),
});

export class PerformanceFileError extends Error {
  override readonly name = 'PerformanceFileError';
}

/**
 * A digest as stored here: every mean at full precision. `TDigest.toJSON` rounds each mean to a
 * compact string first, which cost 0.6 s of a 1 M-label join in number formatting.
 */
function storedDigest(d: TDigest): SerializedDigest {
  return { count: d.count, min: d.count > 0 ? d.min : 0, max: d.count > 0 ? d.max : 0, means: Array.from(d.means), weights: Array.from(d.weights), compression: d.compression };
}

export function encodePerformanceFile(model: string, day: string, threshold: number, periods: readonly PerformancePeriod[]): string {
  const stored = periods.map((p) => ({ ...p, pos: storedDigest(p.pos), neg: storedDigest(p.neg), all: storedDigest(p.all), delay: storedDigest(p.delay) }));
  return JSON.stringify({ format: PERFORMANCE_FORMAT, model, day, threshold, periods: stored });
}

export function decodePerformanceFile(bytes: Uint8Array, key: string): { threshold: number; periods: PerformancePeriod[] } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PerformanceFileError(`${key} is not valid JSON`);
  }
  const parsed = PerformanceFile.safeParse(json);
  if (!parsed.success) throw new PerformanceFileError(`${key} is not a performance profile: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return {
    threshold: parsed.data.threshold,
    periods: parsed.data.periods.map((p) => ({ ...p, pos: digestFromJSON(p.pos), neg: digestFromJSON(p.neg), all: digestFromJSON(p.all), delay: digestFromJSON(p.delay) })),
  };
}

/** The sum of periods over [start, end): counts and sums added, digests merged. */
export function mergePeriods(periods: readonly PerformancePeriod[], start: number, end: number): PerformancePeriod {
  const sum = (k: keyof PerformancePeriod) => periods.reduce((s, p) => s + (p[k] as number), 0);
  return {
    period_start: start,
    period_end: end,
    predictions: sum('predictions'),
    labelled: sum('labelled'),
    positives: sum('positives'),
    unusable_labels: sum('unusable_labels'),
    tp: sum('tp'),
    fp: sum('fp'),
    tn: sum('tn'),
    fn: sum('fn'),
    logloss_sum: sum('logloss_sum'),
    brier_sum: sum('brier_sum'),
    regression: {
      n: periods.reduce((a, p) => a + p.regression.n, 0),
      sum_abs: periods.reduce((a, p) => a + p.regression.sum_abs, 0),
      sum_sq: periods.reduce((a, p) => a + p.regression.sum_sq, 0),
      sum_abs_pct: periods.reduce((a, p) => a + p.regression.sum_abs_pct, 0),
      pct_count: periods.reduce((a, p) => a + p.regression.pct_count, 0),
    },
    pos: mergeDigests(periods.map((p) => p.pos)),
    neg: mergeDigests(periods.map((p) => p.neg)),
    all: mergeDigests(periods.map((p) => p.all)),
    delay: mergeDigests(periods.map((p) => p.delay)),
  };
}
