import { z } from 'zod';
import { parseDuration, parseTimestamp, ReferenceName, type MetricName } from '../format';

export const NumericMetric = z.enum(['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger']);
export type NumericMetric = z.infer<typeof NumericMetric>;
export const CategoricalMetric = z.enum(['js', 'psi', 'linf']);
export type CategoricalMetric = z.infer<typeof CategoricalMetric>;

const Duration = z.string().refine((s) => parseDuration(s) !== undefined, 'must be a whole number of hours, days or weeks, e.g. 12h, 7d');

/** Per-feature settings the business owns: the metric and a fixed threshold override the defaults. */
export const FeatureSettings = z.object({
  metric: z.union([NumericMetric, CategoricalMetric]).optional(),
  threshold: z.number().positive().optional(),
  /** The materiality floor of this feature's verdict metric, instead of `defaults.materiality` (the calibration still applies above it). */
  floor: z.number().min(0).optional(),
  /**
   * false for calendar features (hour of day, weekday): their mix is set by the window, not the data.
   * Unset: monitored unless `reference add` found a column that cannot drift (an identifier…); true monitors it anyway.
   */
  drift: z.boolean().optional(),
  failed_rate_min_increase: z.number().min(0).max(1).optional(),
});
export type FeatureSettings = z.infer<typeof FeatureSettings>;

/**
 * Default thresholds come from the reference: each time-ordered chunk is compared with the rest,
 * and the threshold is mean + `sigmas`·sd of those values, but never below the metric's
 * materiality floor (docs/metrics.md).
 */
export const Defaults = z.object({
  numeric_metric: NumericMetric.default('area'),
  categorical_metric: CategoricalMetric.default('js'),
  sigmas: z.number().positive().default(3),
  materiality: z
    .object({
      area: z.number().default(0.08),
      ks: z.number().default(0.05),
      wasserstein_norm: z.number().default(0.1),
      psi: z.number().default(0.1),
      js: z.number().default(0.05),
      /** JS over categories: no binning noise, so a lower floor catches a 4-point shift in a proportion (docs/metrics.md). */
      js_categorical: z.number().default(0.03),
      hellinger: z.number().default(0.05),
      linf: z.number().default(0.03),
    })
    .prefault({}),
  failed_rate_min_increase: z.number().min(0).max(1).default(0.05),
  failed_rate_alpha: z.number().gt(0).lt(1).default(0.01),
  /** A drift verdict also needs the test at the window's and the reference's sizes (KS; χ² for categories) to reject at this level. */
  drift_alpha: z.number().gt(0).lt(1).default(0.01),
});
export type Defaults = z.infer<typeof Defaults>;

/** A date (`2000-01-01`) or a date and time with a zone: the earliest plausible prediction time. */
const EarliestDate = z.string().refine((s) => parseTimestamp(s) !== undefined && /^\d{4}-\d{2}-\d{2}/.test(s.trim()), 'must be a date like 2000-01-01 (UTC) or an ISO 8601 time');

/** Plausible prediction times at ingest (docs/operations.md, "Time limits and catch-up"). */
export const IngestSettings = z.object({
  earliest: EarliestDate.default('2000-01-01'),
  max_future_skew: Duration.default('1h'),
  /** Ids stored within this of an event's hour (by another file) make it a duplicate (docs/operations.md, "Duplicates"). */
  dedupe_window: Duration.default('7d'),
});
export type IngestSettings = z.infer<typeof IngestSettings>;

export const Config = z.object({
  ingest: IngestSettings.prefault({}),
  evaluation: z
    .object({
      window: Duration.default('12h'),
      every: Duration.default('1h'),
      references: z.array(ReferenceName).min(1).default(['test']),
      /** `evaluate` and `run` evaluate at most this span of window ends per run; older ones are skipped and reported. */
      max_catch_up: Duration.default('30d'),
    })
    .prefault({}),
  defaults: Defaults.prefault({}),
  /** Delayed labels (docs/performance-estimation.md): the decision threshold of a binary score, and the label coverage a realised figure needs. */
  performance: z
    .object({
      threshold: z.number().min(0).max(1).default(0.5),
      min_coverage: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  models: z.record(z.string(), z.object({ features: z.record(z.string(), FeatureSettings).default({}) })).default({}),
  alerts: z
    .object({
      rules: z.array(z.record(z.string(), z.unknown())).default([]),
      channels: z.array(z.record(z.string(), z.unknown())).default([]),
    })
    .prefault({}),
});
export type Config = z.infer<typeof Config>;

/** The metric that drives a feature's verdict: its configured metric, else the default of its kind. */
export function verdictMetric(config: Config, model: string, feature: string, kind: 'numeric' | 'categorical'): MetricName {
  return config.models[model]?.features[feature]?.metric ?? (kind === 'numeric' ? config.defaults.numeric_metric : config.defaults.categorical_metric);
}

export const DEFAULT_CONFIG: Config = Config.parse({});
