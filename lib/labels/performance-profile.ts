import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { buildDigest } from '../digest';
import { queryRows, scanSql, sqlString, streamChunks, TempSpace, withConnection } from '../duckdb';
import { DAY_MS, dayLabel, dayOfKey, HOUR_MS, layout, ModelName } from '../format';
import { localFileOf } from '../profile/local-file';
import { readModelMeta } from '../profile/model-store';
import type { Storage } from '../storage/storage';
import { encodePerformanceFile, mergePeriods, type PerformancePeriod } from './performance-file';

/**
 * `state/performance-state.json`: the label batches joined so far, and per prediction day the raw
 * batches and decision threshold its performance profile was computed from.
 */
const PerformanceState = z.object({
  version: z.literal(1),
  label_batches: z.array(z.string()),
  days: z.record(z.string(), z.object({ batches: z.array(z.string()), threshold: z.number(), matched: z.number().int().default(0) })),
  /** The join's counts at the last run, reported again when nothing changed. */
  counts: z.object({ labels: z.number(), matched: z.number(), corrected: z.number() }).default({ labels: 0, matched: 0, corrected: 0 }),
});
type PerformanceState = z.infer<typeof PerformanceState>;

export interface PerformanceProfileResult {
  /** Prediction days whose performance profile was written again. */
  days: number;
  /** Label ids (latest label per id over every batch) and how many match a stored prediction. */
  labels: number;
  matched: number;
  /** Ids whose label differs between batches: the latest (by `ts`, then the later batch) counts. */
  corrected: number;
}

/** Binary labels as written in files: 1/0, true/false, yes/no (any case, `1.0` too). */
const BINARY = `CASE WHEN lower(l.label) IN ('1', '1.0', 'true', 'yes', 't', 'y') THEN 1 WHEN lower(l.label) IN ('0', '0.0', 'false', 'no', 'f', 'n') THEN 0 END`;

/**
 * Join every label to its prediction by id and store, per prediction day, each hour's and the
 * day's performance figures (lib/labels/performance-file.ts). Incremental: a day is computed again
 * when its raw batches changed, when new labels name one of its predictions, or when the decision
 * threshold changed; labels that match no prediction yet are kept and matched when it arrives.
 */
export async function profilePerformance(storage: Storage, modelName: string, threshold = 0.5): Promise<PerformanceProfileResult> {
  const model = ModelName.parse(modelName);
  const state = await readState(storage, model);
  const labelKeys = (await storage.list(layout.rawLabelsPrefix(model))).filter((k) => k.endsWith('.parquet')).sort();
  const rawByDay = new Map<number, string[]>();
  for (const key of await storage.list(layout.rawPredictionsPrefix(model))) {
    const day = dayOfKey(key);
    if (day === undefined || !(key.endsWith('.parquet') || key.endsWith('.ndjson.gz'))) continue;
    rawByDay.set(day, [...(rawByDay.get(day) ?? []), key]);
  }
  const result: PerformanceProfileResult = { days: 0, labels: 0, matched: 0, corrected: 0 };
  // Without a score there is nothing to judge the labels against (a table ingested without --score-col).
  if (!(await readModelMeta(storage, model))?.score) return result;
  // Nothing to join (no labels yet), or nothing new since the last run: no file is read.
  if (labelKeys.length === 0 && Object.keys(state.days).length === 0) return result;
  const labelNames = labelKeys.map(baseName);
  const sameLabels = sameSet(state.label_batches, labelNames);
  const daysChanged = [...rawByDay].some(([day, keys]) => {
    const was = state.days[dayLabel(day)];
    return !was || was.threshold !== threshold || !sameSet(was.batches, keys.map(baseName));
  });
  if (sameLabels && !daysChanged) return { ...result, ...state.counts };
  // A prediction id is counted as matched once: ingest stores each id once (see predictionsSql).
  const space = new TempSpace('performance');
  try {
    const local = async (key: string, name: string): Promise<string> => {
      const file = await localFileOf(storage, key);
      if (file) return file.path;
      const bytes = (await storage.read(key)) ?? new Uint8Array();
      const dir = await space.dirFor(bytes.length);
      await mkdir(join(dir, 'copy'), { recursive: true });
      const path = join(dir, 'copy', name);
      await writeFile(path, bytes);
      return path;
    };
    const labelPaths = await Promise.all(labelKeys.map((k, i) => local(k, `labels-${i}.parquet`)));
    const newLabels = labelKeys.filter((k) => !state.label_batches.includes(baseName(k)));
    const removed = state.label_batches.some((b) => !labelNames.includes(b));
    const changedDays = [...rawByDay.keys()].filter((day) => {
      const was = state.days[dayLabel(day)];
      return !was || was.threshold !== threshold || !sameSet(was.batches, rawByDay.get(day)!.map(baseName));
    });
    // Raw batches are read only where needed: new labels may name a prediction of any day (every
    // batch's ids are searched); new predictions alone need only their own days.
    const needed = newLabels.length > 0 || removed ? [...rawByDay.keys()] : changedDays;
    const rawPaths = new Map<string, string>();
    let copied = 0;
    for (const day of needed) for (const key of rawByDay.get(day)!) rawPaths.set(key, await local(key, `raw-${copied++}${key.endsWith('.parquet') ? '.parquet' : '.ndjson.gz'}`));
    return await withConnection(async (c) => {
      // Latest label per id: by its `ts`, then by the later batch (keys sort by day added, then hash:
      // the order files were added within a day is not known). `versions` > 1: labels that differ.
      // One label file holds each id once (labels add keeps the latest per id): it is the table as it is.
      const labels = labelPaths.length === 1
        ? `(SELECT id, label, ts, 1 AS versions FROM read_parquet(${sqlString(labelPaths[0])}))`
        : labelPaths.length > 0
        ? `(SELECT id, arg_max(label, CAST(epoch_ms(ts) AS HUGEINT) * 4294967296 + list_position(${`[${labelPaths.map(sqlString).join(', ')}]`}, filename)) AS label, max(ts) AS ts, CAST(min(label) <> max(label) AS INTEGER) + 1 AS versions FROM read_parquet(${`[${labelPaths.map(sqlString).join(', ')}]`}, filename = true) GROUP BY id)`
        : `(SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS label, CAST(NULL AS TIMESTAMPTZ) AS ts, 0 AS versions WHERE false)`;
      await c.run(`CREATE OR REPLACE TEMP TABLE perf_labels AS SELECT * FROM ${labels}`);
      const [counts] = await queryRows(c, `SELECT CAST(count(*) AS DOUBLE) AS labels, CAST(count(*) FILTER (versions > 1) AS DOUBLE) AS corrected FROM perf_labels`);
      Object.assign(result, { labels: Number(counts.labels), corrected: Number(counts.corrected) });

      let affected = new Set<number>(changedDays);
      if (removed) affected = new Set(rawByDay.keys());
      else if (newLabels.length > 0) {
        const fresh = `read_parquet([${newLabels.map((k) => sqlString(labelPaths[labelKeys.indexOf(k)])).join(', ')}])`;
        const rows = await queryRows(c, `SELECT DISTINCT CAST(epoch_ms(p.ts) // ${DAY_MS} AS DOUBLE) AS d FROM ${predictionsSql([...rawPaths.values()])} p SEMI JOIN ${fresh} l ON l.id = p.id`);
        for (const r of rows) affected.add(Number(r.d) * DAY_MS);
      }
      // One join for every affected day (the labels' hash table is built once).
      const days = [...affected].filter((d) => rawByDay.has(d)).sort((a, b) => a - b);
      const joined = await joinDays(c, days.flatMap((d) => rawByDay.get(d)!.map((k) => rawPaths.get(k)!)), threshold);
      for (const day of days) {
        const keys = rawByDay.get(day)!;
        const hours = joined.get(day) ?? [];
        const periods = hours.length > 0 ? [...hours, mergePeriods(hours, day, day + DAY_MS)] : [];
        await storage.write(layout.performanceProfile(model, day), encodePerformanceFile(model, dayLabel(day), threshold, periods));
        // Predictions of the day that a label named (usable or not): the matched labels, summed over days.
        const matched = hours.reduce((n, h) => n + h.labelled + h.unusable_labels, 0);
        state.days[dayLabel(day)] = { batches: keys.map(baseName), threshold, matched };
        result.days++;
      }
      result.matched = Object.values(state.days).reduce((n, d) => n + d.matched, 0);
      state.label_batches = labelNames;
      state.counts = { labels: result.labels, matched: result.matched, corrected: result.corrected };
      await storage.write(layout.performanceState(model), JSON.stringify(state));
      return result;
    });
  } finally {
    await space.close();
  }
}

/** Predictions of raw batches (Parquet tables, NDJSON events) as `id, ts (TIMESTAMPTZ), score (DOUBLE)`. */
function predictionsSql(paths: readonly string[]): string {
  const parquet = paths.filter((p) => p.endsWith('.parquet'));
  const json = paths.filter((p) => !p.endsWith('.parquet'));
  const parts: string[] = [];
  if (parquet.length > 0) parts.push(`SELECT id, ts, TRY_CAST(score AS DOUBLE) AS score FROM ${scanSql(parquet, 'parquet', { unionByName: true, hivePartitioning: false })}`);
  if (json.length > 0) parts.push(`SELECT id, TRY_CAST(ts AS TIMESTAMPTZ) AS ts, TRY_CAST(score AS DOUBLE) AS score FROM ${scanSql(json, 'ndjson', { jsonColumns: { id: 'VARCHAR', ts: 'VARCHAR', score: 'JSON' }, hivePartitioning: false })}`);
  if (parts.length === 0) return '(SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS TIMESTAMPTZ) AS ts, CAST(NULL AS DOUBLE) AS score WHERE false)';
  // An id is one prediction. Ingest stores each id once; raw events from other producers (a
  // collector that retried) may repeat one, so events are made unique here, as the drift profile does.
  if (json.length === 0) return `(${parts[0]})`;
  return `(SELECT * FROM (${parts.join(' UNION ALL ')}) QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts) = 1)`;
}

const EPS = 1e-15;

interface HourAccumulator {
  all: number[];
  pos: number[];
  neg: number[];
  delay: number[];
  unusable: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  logloss: number;
  brier: number;
  reg: PerformancePeriod['regression'];
}

const emptyHour = (): HourAccumulator => ({ all: [], pos: [], neg: [], delay: [], unusable: 0, tp: 0, fp: 0, tn: 0, fn: 0, logloss: 0, brier: 0, reg: { n: 0, sum_abs: 0, sum_sq: 0, sum_abs_pct: 0, pct_count: 0 } });

/** The hours of the given raw batches joined with the labels table, by day (rows in any order: no sort of the join). */
async function joinDays(c: DuckDBConnection, paths: readonly string[], threshold: number): Promise<Map<number, PerformancePeriod[]>> {
  const out = new Map<number, PerformancePeriod[]>();
  if (paths.length === 0) return out;
  const sql = `SELECT CAST(epoch_ms(p.ts) // ${HOUR_MS} AS DOUBLE) AS h, p.score AS score, CAST(${BINARY} AS INTEGER) AS y, CAST(l.label IS NOT NULL AS INTEGER) AS has_label,
    CAST((epoch_ms(l.ts) - epoch_ms(p.ts)) / ${HOUR_MS} AS DOUBLE) AS delay, TRY_CAST(l.label AS DOUBLE) AS yv
    FROM ${predictionsSql(paths)} p LEFT JOIN perf_labels l ON l.id = p.id WHERE p.score IS NOT NULL AND isfinite(p.score)`;
  const hours = new Map<number, HourAccumulator>();
  for await (const chunk of streamChunks(c, sql)) {
    const h = chunk.float64(0);
    const score = chunk.float64(1);
    const y = chunk.int32(2);
    const yValid = chunk.validity(2);
    const hasLabel = chunk.int32(3);
    const delay = chunk.float64(4);
    const delayValid = chunk.validity(4);
    const yv = chunk.float64(5);
    const yvValid = chunk.validity(5);
    let hour = NaN;
    let acc = emptyHour();
    for (let i = 0; i < chunk.rowCount; i++) {
      if (h[i] !== hour) {
        hour = h[i];
        const known = hours.get(hour);
        if (known) acc = known;
        else hours.set(hour, (acc = emptyHour()));
      }
      const s = score[i];
      acc.all.push(s);
      // A numeric label: the regression error of the score (a binary label counts as 0/1).
      if ((yvValid === null || (yvValid[i >> 3] & (1 << (i & 7))) !== 0) && Number.isFinite(yv[i])) {
        const e = Math.abs(s - yv[i]);
        acc.reg.n++;
        acc.reg.sum_abs += e;
        acc.reg.sum_sq += e * e;
        if (yv[i] !== 0) {
          acc.reg.sum_abs_pct += e / Math.abs(yv[i]);
          acc.reg.pct_count++;
        }
      }
      if (yValid !== null && (yValid[i >> 3] & (1 << (i & 7))) === 0) {
        if (hasLabel[i] === 1) acc.unusable++;
        continue;
      }
      const positive = y[i] === 1;
      (positive ? acc.pos : acc.neg).push(s);
      if (delayValid === null || (delayValid[i >> 3] & (1 << (i & 7))) !== 0) acc.delay.push(delay[i]);
      const predicted = s >= threshold;
      if (positive && predicted) acc.tp++;
      else if (positive) acc.fn++;
      else if (predicted) acc.fp++;
      else acc.tn++;
      const p = Math.min(1 - EPS, Math.max(EPS, s));
      acc.logloss -= Math.log(positive ? p : 1 - p);
      acc.brier += (s - (positive ? 1 : 0)) ** 2;
    }
  }
  for (const [hour, acc] of [...hours].sort((a, b) => a[0] - b[0])) {
    const start = hour * HOUR_MS;
    const day = Math.floor(start / DAY_MS) * DAY_MS;
    let list = out.get(day);
    if (!list) out.set(day, (list = []));
    list.push(hourPeriod(start, acc));
  }
  return out;
}

function hourPeriod(start: number, a: HourAccumulator): PerformancePeriod {
  return {
    period_start: start,
    period_end: start + HOUR_MS,
    predictions: a.all.length,
    labelled: a.pos.length + a.neg.length,
    positives: a.pos.length,
    unusable_labels: a.unusable,
    tp: a.tp,
    fp: a.fp,
    tn: a.tn,
    fn: a.fn,
    logloss_sum: a.logloss,
    brier_sum: a.brier,
    regression: a.reg,
    pos: buildDigest(a.pos).digest,
    neg: buildDigest(a.neg).digest,
    all: buildDigest(a.all).digest,
    delay: buildDigest(a.delay).digest,
  };
}

const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

async function readState(storage: Storage, model: string): Promise<PerformanceState> {
  const bytes = await storage.read(layout.performanceState(model));
  const empty: PerformanceState = { version: 1, label_batches: [], days: {}, counts: { labels: 0, matched: 0, corrected: 0 } };
  if (!bytes) return empty;
  try {
    return PerformanceState.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    // A damaged state only costs a full recomputation.
    return empty;
  }
}
