import { ModelName, ReferenceName } from './names';
import { dayLabel } from './timestamps';

/**
 * Every key of the store (docs/format.md). Names are validated here, so a model or reference name
 * can never become a path outside its place.
 */
export const MANIFEST_KEY = 'driftwatch.json';
export const CONFIG_KEY = 'config.yaml';
export const MODELS_PREFIX = 'models/';

const m = (model: string): string => `models/${ModelName.parse(model)}`;

export const layout = {
  model: (model: string) => `${m(model)}/model.json`,
  rawPredictionsPrefix: (model: string) => `${m(model)}/raw/predictions/`,
  /** The raw batches of the UTC day holding `ms` (format 2.0: one file per batch and day, not per hour). */
  rawPredictionsDayPrefix: (model: string, ms: number) => `${m(model)}/raw/predictions/day=${dayLabel(ms)}/`,
  rawPredictions: (model: string, ms: number, batchId: string, ext: 'ndjson.gz' | 'parquet') =>
    `${m(model)}/raw/predictions/day=${dayLabel(ms)}/${batchId}.${ext}`,
  rawLabelsPrefix: (model: string) => `${m(model)}/raw/labels/`,
  /** Label batches by the UTC day they were added (format 2.0): `id, label, ts` (when the label became known). */
  rawLabels: (model: string, ms: number, batchId: string) => `${m(model)}/raw/labels/day=${dayLabel(ms)}/${batchId}.parquet`,
  quarantine: (model: string, batchId: string) => `${m(model)}/quarantine/${batchId}.ndjson`,
  quarantinePrefix: (model: string) => `${m(model)}/quarantine/`,
  /** Event ids stored per prediction day, one file per raw batch: the duplicate index. */
  idsPrefix: (model: string) => `${m(model)}/ids/`,
  ids: (model: string, ms: number, batchId: string) => `${m(model)}/ids/day=${dayLabel(ms)}/${batchId}.ids.gz`,
  referencesPrefix: (model: string) => `${m(model)}/references/`,
  referenceMeta: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/reference.json`,
  referenceProfile: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/profile.parquet`,
  /** Default thresholds computed from the reference's chunks (format 1.2 and later; optional). */
  referenceCalibration: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/calibration.json`,
  /** The reference's score against its labels: calibration map and chunk metrics for estimates (format 2.0; optional). */
  referencePerformance: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/performance.json`,
  /** Per prediction day: each hour's label join (coverage, class-conditional score digests, sums) and the day's (format 2.0). */
  performanceProfile: (model: string, ms: number) => `${m(model)}/profiles/performance/day=${dayLabel(ms)}.json`,
  performanceProfilesPrefix: (model: string) => `${m(model)}/profiles/performance/`,
  performanceState: (model: string) => `${m(model)}/state/performance-state.json`,
  hourlyProfilesPrefix: (model: string) => `${m(model)}/profiles/hourly/`,
  /** The day pack of hourly summaries holding the hour of `ms`: one file per UTC day (format 2.0). */
  hourlyProfile: (model: string, ms: number) => `${m(model)}/profiles/hourly/day=${dayLabel(ms)}.parquet`,
  sixHourProfilesPrefix: (model: string) => `${m(model)}/profiles/6-hourly/`,
  /** The day pack of the 6-hour block rollups of the UTC day holding `ms` (format 2.0). */
  sixHourProfile: (model: string, ms: number) => `${m(model)}/profiles/6-hourly/day=${dayLabel(ms)}.parquet`,
  weeklyProfilesPrefix: (model: string) => `${m(model)}/profiles/weekly/`,
  weeklyProfile: (model: string, weekMs: number) => `${m(model)}/profiles/weekly/week=${dayLabel(weekMs)}.parquet`,
  dailyProfilesPrefix: (model: string) => `${m(model)}/profiles/daily/`,
  dailyProfile: (model: string, dayMs: number) => `${m(model)}/profiles/daily/day=${dayLabel(dayMs)}.parquet`,
  profileState: (model: string) => `${m(model)}/state/profile-state.json`,
  evaluationsPrefix: (model: string) => `${m(model)}/evaluations/`,
  evaluations: (model: string, dayMs: number) => `${m(model)}/evaluations/day=${dayLabel(dayMs)}.parquet`,
  /** Format 1.0–1.1 wrote evaluations as JSON; still read, replaced when the day is written again. */
  legacyEvaluations: (model: string, dayMs: number) => `${m(model)}/evaluations/day=${dayLabel(dayMs)}.json`,
  evaluationState: (model: string) => `${m(model)}/state/evaluation-state.json`,
  alertEvents: (model: string, dayMs: number) => `${m(model)}/alerts/day=${dayLabel(dayMs)}.json`,
  alertsPrefix: (model: string) => `${m(model)}/alerts/`,
  alertState: (model: string) => `${m(model)}/state/alert-state.json`,
  alertOutbox: (model: string) => `${m(model)}/state/alert-outbox.json`,
  /** Collector events whose model is unknown or unreadable, by the UTC day they were received (issue #14). */
  collectorQuarantine: (dayMs: number, id: string) => `collector/quarantine/day=${dayLabel(dayMs)}/${id}.ndjson`,
  collectorQuarantinePrefix: () => 'collector/quarantine/',
};

/** The hour label inside a format 1.x key, e.g. `2026-11-29T08` (for `migrate` and old stores). */
export function hourOfKey(key: string): string | undefined {
  return /hour=(\d{4}-\d{2}-\d{2}T\d{2})/.exec(key)?.[1];
}

/** The start (epoch ms) of the UTC day named in a `day=YYYY-MM-DD` key, e.g. a raw batch, a day pack or a performance profile. */
export function dayOfKey(key: string): number | undefined {
  const label = /day=(\d{4}-\d{2}-\d{2})(?:\/|\.(?:parquet|json)$)/.exec(key)?.[1];
  if (label === undefined) return undefined;
  const ms = Date.parse(`${label}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
