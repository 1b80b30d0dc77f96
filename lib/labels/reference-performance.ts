import { z } from 'zod';
import { buildDigest } from '../digest';
import { dataFormatOf, describeDataFile, scanSql, sqlIdent, streamChunks, withConnection } from '../duckdb';
import { layout, ModelName, ReferenceName, type ModelMeta } from '../format';
import { calibrateAll, estimateBinary, expectedCalibrationError, fitIsotonic, rocAucFromDigests } from '../performance';
import type { Storage } from '../storage/storage';

/**
 * `references/<name>/performance.json`: the reference's score against its labels, for estimates
 * before labels arrive (CBPE, docs/performance-estimation.md) and for the reference's level on
 * the performance chart. Written by `reference add` when the model has a score and the file a label.
 */
export const ReferencePerformance = z.object({
  format: z.literal('driftwatch-reference-performance/1'),
  model: z.string(),
  reference: z.string(),
  rows: z.number().int(),
  positives: z.number().int(),
  roc_auc: z.number(),
  calibration: z.object({ xs: z.array(z.number()), ps: z.array(z.number()) }),
  /** Expected calibration error of the raw score, and of the calibrated score on chunks it was not fitted on. */
  ece_raw: z.number(),
  ece_calibrated: z.number(),
  /** Time-ordered chunks: realised and estimated ROC AUC, for the sampling band and the estimator's own error. */
  chunk_rows: z.number().int(),
  chunks: z.array(z.object({ rows: z.number().int(), roc_auc: z.number(), estimated_roc_auc: z.number() })),
  /** Why the estimate cannot be trusted for this reference (poor calibration, too few positives); null when it can. */
  untrusted: z.string().nullable(),
});
export type ReferencePerformance = z.infer<typeof ReferencePerformance>;

/** The calibrated score may still miss the labels' rate by this much (held-out ECE) before estimates are withheld. */
export const MAX_CALIBRATED_ECE = 0.05;
const MIN_CLASS_ROWS = 50;

export interface ReferencePerformanceOptions {
  storage: Storage;
  model: string;
  name: string;
  file: string;
  meta: ModelMeta;
  chunks: number;
}

/** Compute and store the reference's performance profile; undefined when the model has no score or the file no labels. */
export async function addReferencePerformance(options: ReferencePerformanceOptions): Promise<ReferencePerformance | undefined> {
  const { storage, file, meta } = options;
  const model = ModelName.parse(options.model);
  const name = ReferenceName.parse(options.name);
  const scoreCol = meta.columns.score ?? meta.score;
  const labelCol = meta.columns.label;
  if (!scoreCol || !labelCol) return undefined;
  const format = dataFormatOf(file);
  const { scores, labels } = await withConnection(async (c) => {
    const columns = await describeDataFile(c, file, format);
    if (!columns.some((col) => col.name === scoreCol) || !columns.some((col) => col.name === labelCol)) return { scores: new Float64Array(0), labels: new Uint8Array(0) };
    const order = meta.columns.timestamp && columns.some((col) => col.name === meta.columns.timestamp) ? ` ORDER BY ${sqlIdent(meta.columns.timestamp)}` : '';
    const label = `lower(trim(CAST(${sqlIdent(labelCol)} AS VARCHAR)))`;
    const y = `CASE WHEN ${label} IN ('1', '1.0', 'true', 'yes', 't', 'y') THEN 1 WHEN ${label} IN ('0', '0.0', 'false', 'no', 'f', 'n') THEN 0 END`;
    const sql = `SELECT s, y FROM (SELECT TRY_CAST(${sqlIdent(scoreCol)} AS DOUBLE) AS s, CAST(${y} AS DOUBLE) AS y FROM ${scanSql(file, format)}${order}) WHERE s IS NOT NULL AND isfinite(s) AND y IS NOT NULL`;
    const s: number[] = [];
    const l: number[] = [];
    for await (const chunk of streamChunks(c, sql)) {
      const sv = chunk.float64(0);
      const yv = chunk.float64(1);
      for (let i = 0; i < chunk.rowCount; i++) {
        s.push(sv[i]);
        l.push(yv[i]);
      }
    }
    return { scores: Float64Array.from(s), labels: Uint8Array.from(l) };
  });
  if (scores.length === 0) return undefined;
  const positives = labels.reduce((a, b) => a + b, 0);
  const split = (sc: Float64Array, lb: Uint8Array) => {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < sc.length; i++) (lb[i] ? pos : neg).push(sc[i]);
    return { pos: buildDigest(pos).digest, neg: buildDigest(neg).digest };
  };
  const whole = split(scores, labels);
  const map = fitIsotonic(scores, labels);
  // Calibration judged where it was not fitted: a map from the even chunks on the odd ones, and back.
  const k = Math.max(2, options.chunks);
  const size = Math.ceil(scores.length / k);
  const chunkOf = (i: number) => Math.floor(i / size);
  const half = (parity: number) => {
    const idx = [...scores.keys()].filter((i) => chunkOf(i) % 2 === parity);
    return { s: Float64Array.from(idx.map((i) => scores[i])), l: Uint8Array.from(idx.map((i) => labels[i])) };
  };
  const [even, odd] = [half(0), half(1)];
  const heldOut = (fit: { s: Float64Array; l: Uint8Array }, test: { s: Float64Array; l: Uint8Array }) => {
    if (fit.s.length === 0 || test.s.length === 0) return 0;
    const m = fitIsotonic(fit.s, fit.l);
    return expectedCalibrationError(calibrateAll(m, test.s), test.l);
  };
  const eceCalibrated = (heldOut(even, odd) + heldOut(odd, even)) / 2;
  const chunks: ReferencePerformance['chunks'] = [];
  for (let c = 0; c * size < scores.length; c++) {
    const s = scores.subarray(c * size, Math.min(scores.length, (c + 1) * size));
    const l = labels.subarray(c * size, Math.min(scores.length, (c + 1) * size));
    const { pos, neg } = split(s, l);
    if (pos.count === 0 || neg.count === 0) continue;
    chunks.push({ rows: s.length, roc_auc: rocAucFromDigests(pos, neg), estimated_roc_auc: estimateBinary(map, buildDigest(s).digest, 0.5).rocAuc ?? NaN });
  }
  const untrusted =
    positives < MIN_CLASS_ROWS || scores.length - positives < MIN_CLASS_ROWS
      ? `the reference has ${positives} positive and ${scores.length - positives} negative labels; an estimate needs at least ${MIN_CLASS_ROWS} of each`
      : eceCalibrated > MAX_CALIBRATED_ECE
        ? `the score cannot be calibrated on this reference: the calibrated score misses the labels' rate by ${eceCalibrated.toFixed(3)} on chunks it was not fitted on (at most ${MAX_CALIBRATED_ECE})`
        : null;
  const result: ReferencePerformance = {
    format: 'driftwatch-reference-performance/1',
    model,
    reference: name,
    rows: scores.length,
    positives,
    roc_auc: rocAucFromDigests(whole.pos, whole.neg),
    calibration: map,
    ece_raw: expectedCalibrationError(scores, labels),
    ece_calibrated: eceCalibrated,
    chunk_rows: size,
    chunks: chunks.filter((c) => Number.isFinite(c.estimated_roc_auc)),
    untrusted,
  };
  await storage.write(layout.referencePerformance(model, name), JSON.stringify(result));
  return result;
}

export async function readReferencePerformance(storage: Storage, model: string, name: string): Promise<ReferencePerformance | undefined> {
  const bytes = await storage.read(layout.referencePerformance(model, name));
  if (!bytes) return undefined;
  const parsed = ReferencePerformance.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  return parsed.success ? parsed.data : undefined;
}
