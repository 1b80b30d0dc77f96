import { describe, expect, it } from 'vitest';
import { buildDigest } from '@/lib/digest';
import { macroF1, macroRocAuc, regressionMetrics, samplingBand, thresholdMetrics } from '@/lib/performance';
import { exactRocAuc } from './exact-metrics';
import { mulberry32, scores } from './generate';

describe('thresholdMetrics', () => {
  it('computes precision, recall, F1 and accuracy from the confusion matrix', () => {
    expect(thresholdMetrics({ tp: 30, fp: 10, tn: 50, fn: 10 })).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, accuracy: 0.8 });
    const m = thresholdMetrics({ tp: 2, fp: 1, tn: 6, fn: 3 });
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.4) / (2 / 3 + 0.4), 14);
  });

  it('answers null where a metric is undefined', () => {
    expect(thresholdMetrics({ tp: 0, fp: 0, tn: 90, fn: 10 })).toEqual({ precision: null, recall: 0, f1: 0, accuracy: 0.9 });
    expect(thresholdMetrics({ tp: 0, fp: 5, tn: 95, fn: 0 })).toEqual({ precision: 0, recall: null, f1: 0, accuracy: 0.95 });
    expect(thresholdMetrics({ tp: 0, fp: 0, tn: 7, fn: 0 })).toEqual({ precision: null, recall: null, f1: null, accuracy: 1 });
    expect(thresholdMetrics({ tp: 0, fp: 0, tn: 0, fn: 0 }).accuracy).toBeNull();
  });

  it('rejects negative or non-finite counts, naming the field', () => {
    expect(() => thresholdMetrics({ tp: -1, fp: 0, tn: 0, fn: 0 })).toThrow(/tp must be a finite count/);
    expect(() => thresholdMetrics({ tp: 1, fp: NaN, tn: 0, fn: 0 })).toThrow(/fp must be a finite count/);
  });
});

describe('regressionMetrics', () => {
  it('derives MAE, RMSE and MAPE from the stored sums', () => {
    const y = [2, 4, 0, 5];
    const yHat = [3, 2, 1, 5];
    let sumAbs = 0;
    let sumSq = 0;
    let sumAbsPct = 0;
    let pctCount = 0;
    for (let i = 0; i < y.length; i++) {
      const e = Math.abs(y[i] - yHat[i]);
      sumAbs += e;
      sumSq += e * e;
      if (y[i] !== 0) {
        sumAbsPct += e / Math.abs(y[i]);
        pctCount++;
      }
    }
    const m = regressionMetrics({ n: 4, sumAbs, sumSq, sumAbsPct, pctCount });
    expect(m.mae).toBe(1);
    expect(m.rmse).toBeCloseTo(Math.sqrt(6 / 4), 14);
    expect(m.mape).toBeCloseTo((0.5 + 0.5 + 0) / 3, 14);
    expect(regressionMetrics({ n: 0, sumAbs: 0, sumSq: 0, sumAbsPct: 0, pctCount: 0 })).toEqual({ mae: null, rmse: null, mape: null });
    expect(() => regressionMetrics({ n: 1, sumAbs: 1, sumSq: 1, sumAbsPct: 0, pctCount: 2 })).toThrow(/pctCount \(2\) exceeds n \(1\)/);
  });
});

describe('samplingBand', () => {
  it('scales the chunk standard deviation by √(chunkSize / windowSize), ±3 SE', () => {
    const band = samplingBand([0.8, 0.82, 0.78, 0.81, 0.79], 1000, 4000);
    const sd = Math.sqrt((0 + 0.0004 + 0.0004 + 0.0001 + 0.0001) / 4);
    expect(band.se).toBeCloseTo(sd / 2, 14);
    expect(band.lower(0.8)).toBeCloseTo(0.8 - (3 * sd) / 2, 14);
    expect(band.upper(0.8)).toBeCloseTo(0.8 + (3 * sd) / 2, 14);
  });

  it('covers the realised AUC of windows of a stable model about 99.7% of the time', () => {
    // Chunks of 1,000 rows give the SE; windows of 4,000 rows are then checked against it.
    const chunkAucs: number[] = [];
    const aucOf = (seed: number, n: number) => exactRocAuc(scores('beta', n / 4, 0.5, seed), scores('beta', (3 * n) / 4, 0, seed + 1));
    for (let c = 0; c < 60; c++) chunkAucs.push(aucOf(100 + 2 * c, 1000));
    const band = samplingBand(chunkAucs, 1000, 4000);
    const centre = chunkAucs.reduce((a, b) => a + b) / chunkAucs.length;
    let outside = 0;
    for (let w = 0; w < 200; w++) {
      const auc = aucOf(10_000 + 2 * w, 4000);
      if (auc < band.lower(centre) || auc > band.upper(centre)) outside++;
    }
    expect(outside).toBeLessThanOrEqual(4);
  });

  it('needs two chunks and positive sizes', () => {
    expect(() => samplingBand([0.8], 100, 100)).toThrow(/at least 2 chunk values/);
    expect(() => samplingBand([0.8, 0.9], 0, 100)).toThrow(/chunkSize must be a positive/);
  });
});

describe('multiclass', () => {
  it('macroF1 averages per-class F1 and skips classes neither present nor predicted', () => {
    const confusion = [
      [5, 1, 0, 0],
      [2, 3, 1, 0],
      [0, 0, 4, 0],
      [0, 0, 0, 0],
    ];
    const f1 = [(2 * 5) / (6 + 7), (2 * 3) / (6 + 4), (2 * 4) / (4 + 5)];
    expect(macroF1(confusion)).toBeCloseTo((f1[0] + f1[1] + f1[2]) / 3, 14);
    expect(macroF1([[0]])).toBeNull();
    expect(() => macroF1([[1, 2]])).toThrow(/must be square/);
  });

  it('macroRocAuc is the mean one-vs-rest AUC over classes that have both sides', () => {
    const rng = mulberry32(3);
    const k = 3;
    const n = 30_000;
    const label = new Uint8Array(n);
    const prob: Float64Array[] = Array.from({ length: k }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      label[i] = Math.floor(rng() * k);
      let total = 0;
      const raw = Array.from({ length: k }, (_, c) => Math.exp((c === label[i] ? 1.2 : 0) + rng() * 2));
      for (const r of raw) total += r;
      for (let c = 0; c < k; c++) prob[c][i] = raw[c] / total;
    }
    const perClass = [];
    let exact = 0;
    for (let c = 0; c < k; c++) {
      const pos = prob[c].filter((_, i) => label[i] === c);
      const neg = prob[c].filter((_, i) => label[i] !== c);
      exact += exactRocAuc(pos, neg) / k;
      perClass.push({ pos: buildDigest(pos).digest, neg: buildDigest(neg).digest });
    }
    perClass.push({ pos: buildDigest([]).digest, neg: perClass[0].neg });
    expect(Math.abs(macroRocAuc(perClass)! - exact)).toBeLessThanOrEqual(0.002);
    expect(macroRocAuc([])).toBeNull();
  });
});
