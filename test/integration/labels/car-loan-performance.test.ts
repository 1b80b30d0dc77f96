import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { openStore } from '@/lib/cli/store-context';
import { queryRows, sqlString, withConnection } from '@/lib/duckdb';
import { DAY_MS } from '@/lib/format';
import { performanceSeries, type PerformanceWindow } from '@/lib/labels';
import { sharedData } from '@/test/helpers/shared-data';

/**
 * Issue #12 on data we did not write (../shared/data/car-loan/README.md): the reference with its
 * labels, the monitoring predictions ingested with ids 50,000 + row (the label file's ids), the
 * labels added afterwards. Its authors report realised ROC AUC falling from about 0.97 to about
 * 0.96 from 2019-03-31 on.
 */
const DATA = sharedData('car-loan');
const MONITORING = join(DATA, 'monitoring_synthetic_car_loan.parquet');
const TARGETS = join(DATA, 'synthetic_car_loan_analysis_target.csv');
const flags = ['--model', 'car-loan', '--timestamp-col', 'timestamp', '--score-col', 'y_pred_proba', '--label-col', 'repaid', '--exclude', 'y_pred'];
const DRIFT_FROM = Date.parse('2019-03-31T00:00:00Z');

/** Exact ROC AUC of the joined rows of [from, to): Mann–Whitney with average ranks for ties. */
async function exactAuc(from: number, to: number): Promise<number> {
  const joined = `(SELECT m.y_pred_proba AS s, t.repaid AS y FROM (SELECT 50000 + row_number() OVER () - 1 AS id, * FROM read_parquet(${sqlString(MONITORING)})) m JOIN read_csv(${sqlString(TARGETS)}) t ON t.id = m.id WHERE epoch_ms(CAST(m.timestamp AS TIMESTAMP)) >= ${from} AND epoch_ms(CAST(m.timestamp AS TIMESTAMP)) < ${to})`;
  const ranked = `(SELECT s, count(*) AS n, sum(y) AS pos, sum(count(*)) OVER (ORDER BY s) - count(*) AS below FROM ${joined} GROUP BY s)`;
  const [r] = await withConnection((c) => queryRows(c, `SELECT CAST(sum(pos * (below + (n + 1) / 2.0)) AS DOUBLE) AS rank_sum, CAST(sum(pos) AS DOUBLE) AS p, CAST(sum(n) AS DOUBLE) AS total FROM ${ranked}`));
  const [rankSum, p, total] = [Number(r.rank_sum), Number(r.p), Number(r.total)];
  return (rankSum - (p * (p + 1)) / 2) / (p * (total - p));
}

describe('car-loan: realised performance when labels arrive, estimated before', () => {
  let dir: string;
  let windows: PerformanceWindow[] = [];
  let estimatesBefore: PerformanceWindow[] = [];
  const log: string[] = [];
  const ctx = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };

  beforeAll(async () => {
    if (!existsSync(TARGETS)) throw new Error(`car-loan data incomplete in ${DATA}: synthetic_car_loan_analysis_target.csv is missing`);
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-car-loan-labels-'));
    const store = join(dir, 'store');
    for (const args of [['init'], ['reference', 'add', '--name', 'test', '--file', join(DATA, 'reference_synthetic_car_loan.parquet'), ...flags], ['ingest', '--file', MONITORING, ...flags, '--id-start', '50000'], ['profile']]) {
      expect(await main([...args, '--store', store], ctx), log.join('\n')).toBe(0);
    }
    const { storage, config } = await openStore(store);
    // The windows of the car-loan drift test (test/integration/pipeline/car-loan.test.ts): 30 days from 2018-10-30.
    const series = () => performanceSeries({ storage, model: 'car-loan', fromMs: Date.parse('2018-10-30T00:00:00Z'), toMs: Date.parse('2019-09-29T00:00:00Z'), stepMs: 30 * DAY_MS, reference: 'test', threshold: config.performance.threshold, minCoverage: config.performance.min_coverage });
    estimatesBefore = (await series()).windows;
    expect(await main(['labels', 'add', '--model', 'car-loan', '--file', TARGETS, '--label-col', 'repaid', '--store', store], ctx), log.join('\n')).toBe(0);
    // The authors' ten monthly windows: the 30-day windows with a month of data (the last holds 4 days).
    windows = (await series()).windows.filter((w) => w.predictions >= 4_000);
  }, 600_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('joins every label: 50,000 labelled, all matched', () => {
    expect(log.join('\n')).toMatch(/50000 labels read = 50000 accepted \+ 0 quarantined; stored/);
    expect(log.join('\n')).toMatch(/50000 labelled ids, 50000 matched to predictions, 0 not matched yet/);
    expect(windows).toHaveLength(10);
    for (const w of windows) expect([w.coverage, w.labelled]).toEqual([1, w.predictions]);
  });

  it('gives no realised figure before the labels, but an estimate already', () => {
    const before = estimatesBefore.filter((x) => x.predictions >= 4_000);
    expect(before).toHaveLength(10);
    for (const w of before) {
      expect(w.realised).toBeNull();
      expect(w.realised_note).toMatch(/0\.0% of the predictions are labelled/);
      expect(w.estimated?.roc_auc).toBeGreaterThan(0.9);
    }
  });

  it('realised ROC AUC within 0.002 of the exact AUC of the joined rows, in every window', async () => {
    for (const w of windows) {
      const exact = await exactAuc(Date.parse(w.from), Date.parse(w.to));
      expect(Math.abs(w.realised!.roc_auc - exact), `${w.from}: ${w.realised!.roc_auc} vs exact ${exact}`).toBeLessThanOrEqual(0.002);
    }
  });

  it('shows the drop from about 0.97 to about 0.96 from 2019-03-31 on', () => {
    const mean = (ws: PerformanceWindow[]) => ws.reduce((s, w) => s + w.realised!.roc_auc, 0) / ws.length;
    const quiet = windows.filter((w) => Date.parse(w.to) <= DRIFT_FROM);
    const drift = windows.filter((w) => Date.parse(w.from) >= DRIFT_FROM - 2 * DAY_MS);
    expect(quiet.length).toBeGreaterThanOrEqual(5);
    expect(drift.length).toBeGreaterThanOrEqual(5);
    expect(mean(quiet)).toBeCloseTo(0.97, 2);
    expect(mean(drift)).toBeCloseTo(0.96, 2);
  });

  it('estimates within 0.02 of realised in every window, lower in the drift months than in the quiet ones', () => {
    for (const w of windows) expect(Math.abs(w.estimated!.roc_auc - w.realised!.roc_auc), w.from).toBeLessThanOrEqual(0.02);
    const quiet = windows.filter((w) => Date.parse(w.to) <= DRIFT_FROM).map((w) => w.estimated!.roc_auc);
    const drift = windows.filter((w) => Date.parse(w.from) >= DRIFT_FROM - 2 * DAY_MS).map((w) => w.estimated!.roc_auc);
    expect(Math.max(...drift)).toBeLessThan(Math.min(...quiet));
    // Each estimate carries its band, and the realised value falls inside it.
    for (const w of windows) expect(w.realised!.roc_auc).toBeGreaterThanOrEqual(w.estimated!.roc_auc_lower);
  });
});
