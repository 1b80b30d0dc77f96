import { DAY_MS, dayOfKey, HOUR_MS, layout } from '../format';
import { averagePrecisionFromDigests, calibrationCurve, estimateBinary, regressionMetrics, rocAucFromDigests, samplingBand, thresholdMetrics, type CalibrationBin, type RegressionMetrics } from '../performance';
import type { Storage } from '../storage/storage';
import { availableProfiles, loadWindow, planKeys, planWindow, type AvailableProfiles } from '../compare/load-window';
import { ProfileStateError } from '../format';
import { ProfileInputError } from '../profile/options';
import { DamagedFileError, isDamagedFileError } from '../storage/damaged-file';
import { ProfileCache } from '../compare/profile-cache';
import { readSummaryParquetMany } from '../duckdb';
import type { TDigest } from '../digest';
import { readModelMeta } from '../profile/model-store';
import { summaryDigest } from '../summary';
import { decodePerformanceFile, mergePeriods, PerformanceFileError, type PerformancePeriod } from './performance-file';
import { readReferencePerformance, type ReferencePerformance } from './reference-performance';

export interface RealisedPerformance {
  roc_auc: number;
  average_precision: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
  log_loss: number;
  brier: number;
  positive_rate: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  calibration_curve: CalibrationBin[];
}

export interface EstimatedPerformance {
  roc_auc: number;
  roc_auc_lower: number;
  roc_auc_upper: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
  confusion: { tp: number; fp: number; tn: number; fn: number };
}

export interface PerformanceWindow {
  from: string;
  to: string;
  /** `binary` (0/1 labels: classification metrics) or `regression` (numeric labels: errors of the score). */
  task: 'binary' | 'regression';
  predictions: number;
  labelled: number;
  /** labelled / predictions; null without predictions. */
  coverage: number | null;
  /** Null when coverage is under `performance.min_coverage`, or a class has no labels. */
  realised: RealisedPerformance | null;
  /** Regression models: MAE, RMSE, MAPE (a fraction) of the score against numeric labels, where coverage reaches the minimum. */
  realised_regression: RegressionMetrics | null;
  /** Null without a reference performance profile, or where it cannot be trusted (`estimate_note` says why). */
  estimated: EstimatedPerformance | null;
  /** Why `realised` or `estimated` is null, when one is. */
  realised_note?: string;
  estimate_note?: string;
  /** Hours from prediction to label, over the labelled predictions. */
  label_delay_hours: { p50: number; p90: number } | null;
}

export interface PerformanceSeries {
  model: string;
  reference: string;
  threshold: number;
  min_coverage: number;
  /** The reference's realised ROC AUC (its level on the chart); null without labels on the reference. */
  reference_roc_auc: number | null;
  windows: PerformanceWindow[];
}

export interface PerformanceQuery {
  storage: Storage;
  model: string;
  fromMs: number;
  toMs: number;
  /** Consecutive windows of this length over [from, to); default one window. */
  stepMs?: number;
  reference: string;
  threshold: number;
  minCoverage: number;
}

/**
 * Decoded summary files of the score, shared by the queries of a process (the dashboard asks for
 * the same days again and again); each use checks the file's version, so a rewritten day is read anew.
 */
const scoreCache = new ProfileCache({ checkVersions: true, maxBytes: 64 << 20 });

/** Realised and estimated performance of each window (docs/performance-estimation.md). */
export async function performanceSeries(q: PerformanceQuery): Promise<PerformanceSeries> {
  const step = q.stepMs ?? q.toMs - q.fromMs;
  if (!(step > 0)) throw new RangeError('performance: the window must be longer than zero');
  const reference = await readReferencePerformance(q.storage, q.model, q.reference);
  const days = await dayFiles(q.storage, q.model, q.fromMs, q.toMs);
  // The estimate needs no label: the window's scores come from the drift summaries of the score
  // feature, so a model is estimated from its first profiled hour, before any label is added.
  // The drift summaries are a second source of the scores: a damaged model.json, profile state or
  // rollup costs the estimate its label-free part (performance files still serve), not the view.
  const drift = reference ? await bestEffort(() => scoreSource(q, step)) : undefined;
  const windows: PerformanceWindow[] = [];
  for (let from = q.fromMs; from < q.toMs; from += step) {
    const to = Math.min(q.toMs, from + step);
    let scores: { digest: TDigest; count: number } | undefined;
    if (drift) {
      const { score, available } = drift;
      const loaded = await bestEffort(() => loadWindow(q.storage, q.model, from, to, readSummaryParquetMany, scoreCache, { only: new Set([score]), available }));
      const row = loaded?.features.get(score);
      if (row && row.kind === 'numeric') scores = { digest: summaryDigest(row), count: row.count };
    }
    windows.push(windowPerformance(days, from, to, q, reference, scores));
  }
  return { model: q.model, reference: q.reference, threshold: q.threshold, min_coverage: q.minCoverage, reference_roc_auc: reference?.roc_auc ?? null, windows };
}

/** The model's score feature and its profiled hours, with every window's summary files read and decoded at once (30 daily windows: one DuckDB call, not 30). */
async function scoreSource(q: PerformanceQuery, step: number): Promise<{ score: string; available: AvailableProfiles } | undefined> {
  const score = (await readModelMeta(q.storage, q.model))?.score ?? null;
  if (!score) return undefined;
  const available = await availableProfiles(q.storage, q.model);
  const keys = new Set<string>();
  for (let from = q.fromMs; from < q.toMs; from += step) for (const key of planKeys(q.model, planWindow(from, Math.min(q.toMs, from + step), available))) keys.add(key);
  await scoreCache.load(q.storage, [...keys], readSummaryParquetMany);
  return { score, available };
}

/** `read()`, or undefined when a store file it needs is damaged (the caller does without it). */
async function bestEffort<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isDamagedFileError(error) || error instanceof ProfileInputError || error instanceof ProfileStateError) return undefined;
    throw error;
  }
}

/** The stored periods of the days touching [from, to), by day. */
async function dayFiles(storage: Storage, model: string, fromMs: number, toMs: number): Promise<Map<number, PerformancePeriod[]>> {
  const out = new Map<number, PerformancePeriod[]>();
  const firstDay = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const keys = (await storage.list(layout.performanceProfilesPrefix(model))).filter((k) => {
    const day = dayOfKey(k);
    return day !== undefined && day >= firstDay && day < toMs;
  });
  await Promise.all(
    keys.map(async (key) => {
      const periods = await decodedDay(storage, key);
      if (periods) out.set(dayOfKey(key)!, periods);
    }),
  );
  return out;
}

/**
 * Decoded performance day files by store, key and version: a dashboard asks for the same 30 days
 * again and again, and parsing their digests was most of a query (87 ms of a 30-day one, cold).
 * Least recently used first out, bounded by an estimate of the centroids held.
 */
const cache = new Map<string, { version: string | undefined; periods: PerformancePeriod[]; bytes: number }>();
let cachedBytes = 0;
const MAX_CACHED_BYTES = 128 << 20;

async function decodedDay(storage: Storage, key: string): Promise<PerformancePeriod[] | undefined> {
  const id = `${storage.url}|${key}`;
  const version = await storage.version(key);
  if (version === undefined) return undefined;
  const hit = cache.get(id);
  if (hit && hit.version === version) {
    cache.delete(id);
    cache.set(id, hit);
    return hit.periods;
  }
  const bytes = await storage.read(key);
  if (!bytes) return undefined;
  let periods: PerformancePeriod[];
  try {
    periods = decodePerformanceFile(bytes, key).periods;
  } catch (error) {
    // A damaged performance file is named like any damaged store file (views answer 503 naming it; doctor rebuilds).
    throw error instanceof PerformanceFileError ? new DamagedFileError(key, error.message.replace(`${key} is `, ''), storage.url) : error;
  }
  const size = periods.reduce((n, p) => n + 200 + 16 * (p.pos.size + p.neg.size + p.all.size + p.delay.size), 0);
  if (hit) cachedBytes -= hit.bytes;
  cache.delete(id);
  cache.set(id, { version, periods, bytes: size });
  cachedBytes += size;
  for (const [k, e] of cache) {
    if (cachedBytes <= MAX_CACHED_BYTES) break;
    cache.delete(k);
    cachedBytes -= e.bytes;
  }
  return periods;
}

function windowPerformance(days: Map<number, PerformancePeriod[]>, from: number, to: number, q: PerformanceQuery, reference: ReferencePerformance | undefined, scores: { digest: TDigest; count: number } | undefined): PerformanceWindow {
  const parts: PerformancePeriod[] = [];
  for (const [day, periods] of days) {
    if (day + DAY_MS <= from || day >= to) continue;
    // A whole day inside the window: its day row; else the hours inside it.
    if (day >= from && day + DAY_MS <= to) parts.push(...periods.filter((p) => p.period_end - p.period_start === DAY_MS));
    else parts.push(...periods.filter((p) => p.period_end - p.period_start === HOUR_MS && p.period_start >= from && p.period_end <= to));
  }
  const w = mergePeriods(parts, from, to);
  // Labels that are numbers but not 0/1 (most of them): a regression model.
  const task = w.regression.n > 0 && w.unusable_labels > w.labelled ? 'regression' : 'binary';
  const labelled = task === 'regression' ? w.regression.n : w.labelled;
  // Predictions: the scores the drift summaries counted (every profiled hour, labelled or not), else the join's.
  const all = scores && scores.count >= w.predictions ? scores.digest : w.all;
  const predictions = scores && scores.count >= w.predictions ? scores.count : w.predictions;
  const out: PerformanceWindow = {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    task,
    predictions,
    labelled,
    coverage: predictions > 0 ? labelled / predictions : null,
    realised: null,
    realised_regression: null,
    estimated: null,
    label_delay_hours: w.delay.count > 0 ? { p50: w.delay.quantile(0.5), p90: w.delay.quantile(0.9) } : null,
  };
  const negatives = w.labelled - w.positives;
  if (task === 'regression') {
    if (out.coverage === null) out.realised_note = 'no predictions in the window';
    else if (out.coverage < q.minCoverage) out.realised_note = `${(100 * out.coverage).toFixed(1)}% of the predictions are labelled; realised figures need ${(100 * q.minCoverage).toFixed(0)}% (performance.min_coverage)`;
    else out.realised_regression = regressionMetrics({ n: w.regression.n, sumAbs: w.regression.sum_abs, sumSq: w.regression.sum_sq, sumAbsPct: w.regression.sum_abs_pct, pctCount: w.regression.pct_count });
    out.estimate_note = 'estimates before labels are for binary classifiers (CBPE); a regression model shows realised errors only';
    return out;
  }
  if (out.coverage === null) out.realised_note = 'no predictions in the window';
  else if (out.coverage < q.minCoverage) out.realised_note = `${(100 * out.coverage).toFixed(1)}% of the predictions are labelled; realised figures need ${(100 * q.minCoverage).toFixed(0)}% (performance.min_coverage)`;
  else if (w.positives === 0 || negatives === 0) out.realised_note = `the labels hold one class only (${w.positives} positive, ${negatives} negative)`;
  else {
    const confusion = { tp: w.tp, fp: w.fp, tn: w.tn, fn: w.fn };
    out.realised = {
      roc_auc: rocAucFromDigests(w.pos, w.neg),
      average_precision: averagePrecisionFromDigests(w.pos, w.neg),
      ...thresholdMetrics(confusion),
      log_loss: w.logloss_sum / w.labelled,
      brier: w.brier_sum / w.labelled,
      positive_rate: w.positives / w.labelled,
      confusion,
      calibration_curve: calibrationCurve(w.pos, w.neg),
    };
  }
  if (!reference) out.estimate_note = `reference "${q.reference}" has no labelled score: add it with --label-col (and a score) to estimate performance before labels arrive`;
  else if (reference.untrusted) out.estimate_note = reference.untrusted;
  else if (all.count === 0) out.estimate_note = 'no predictions in the window';
  else {
    const e = estimateBinary(reference.calibration, all, q.threshold);
    if (e.rocAuc === null) out.estimate_note = 'the calibrated scores expect one class only';
    else {
      const band = reference.chunks.length >= 2 ? samplingBand(reference.chunks.map((c) => c.roc_auc), reference.chunk_rows, predictions) : null;
      out.estimated = {
        roc_auc: e.rocAuc,
        roc_auc_lower: band ? Math.max(0, band.lower(e.rocAuc)) : e.rocAuc,
        roc_auc_upper: band ? Math.min(1, band.upper(e.rocAuc)) : e.rocAuc,
        precision: e.precision,
        recall: e.recall,
        f1: e.f1,
        accuracy: e.accuracy,
        confusion: { tp: e.tp, fp: e.fp, tn: e.tn, fn: e.fn },
      };
    }
  }
  return out;
}
