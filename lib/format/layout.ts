import { ModelName, ReferenceName } from './names';
import { dayLabel, hourLabel } from './timestamps';

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
  rawPredictionsHourPrefix: (model: string, hourMs: number) => `${m(model)}/raw/predictions/hour=${hourLabel(hourMs)}/`,
  rawPredictions: (model: string, hourMs: number, batchId: string, ext: 'ndjson.gz' | 'parquet') =>
    `${m(model)}/raw/predictions/hour=${hourLabel(hourMs)}/${batchId}.${ext}`,
  rawLabelsPrefix: (model: string) => `${m(model)}/raw/labels/`,
  rawLabels: (model: string, hourMs: number, batchId: string) => `${m(model)}/raw/labels/hour=${hourLabel(hourMs)}/${batchId}.ndjson.gz`,
  quarantine: (model: string, batchId: string) => `${m(model)}/quarantine/${batchId}.ndjson`,
  quarantinePrefix: (model: string) => `${m(model)}/quarantine/`,
  /** Event ids stored per prediction hour, one file per raw batch (format 1.4): the duplicate index. */
  idsPrefix: (model: string) => `${m(model)}/ids/`,
  idsHourPrefix: (model: string, hourMs: number) => `${m(model)}/ids/hour=${hourLabel(hourMs)}/`,
  ids: (model: string, hourMs: number, batchId: string) => `${m(model)}/ids/hour=${hourLabel(hourMs)}/${batchId}.ids.gz`,
  referencesPrefix: (model: string) => `${m(model)}/references/`,
  referenceMeta: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/reference.json`,
  referenceProfile: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/profile.parquet`,
  /** Default thresholds computed from the reference's chunks (format 1.2 and later; optional). */
  referenceCalibration: (model: string, name: string) => `${m(model)}/references/${ReferenceName.parse(name)}/calibration.json`,
  hourlyProfilesPrefix: (model: string) => `${m(model)}/profiles/hourly/`,
  hourlyProfile: (model: string, hourMs: number) => `${m(model)}/profiles/hourly/day=${dayLabel(hourMs)}/hour=${hourLabel(hourMs)}.parquet`,
  sixHourProfilesPrefix: (model: string) => `${m(model)}/profiles/6-hourly/`,
  sixHourProfile: (model: string, blockMs: number) => `${m(model)}/profiles/6-hourly/day=${dayLabel(blockMs)}/hour=${hourLabel(blockMs)}.parquet`,
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
};

/** The hour label inside a raw or hourly-profile key, e.g. `2026-11-29T08`. */
export function hourOfKey(key: string): string | undefined {
  return /hour=(\d{4}-\d{2}-\d{2}T\d{2})/.exec(key)?.[1];
}
