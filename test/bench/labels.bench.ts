import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlString, withConnection } from '@/lib/duckdb';
import { DAY_MS } from '@/lib/format';
import { addLabels, performanceSeries, profilePerformance } from '@/lib/labels';
import { ingest, profileModel } from '@/lib/profile';
import { LocalStorage } from '@/lib/storage';

export interface LabelsBench {
  predictions: number;
  labels: number;
  add_s: number;
  join_s: number;
  /** Labels stored and joined per second: labels / (add + join). The goal: ≥ 1 M/s from Parquet. */
  labels_per_s: number;
  /** Baseline in the same run: DuckDB alone reading the label file and joining it to the predictions' ids. */
  duckdb_join_s: number;
  /** A 30-day performance query (30 daily windows) over the joined store, median and p95 of 20. */
  query_30d_ms: { median: number; p95: number };
}

/**
 * `npm run bench -- labels [--quick]`: 1 M predictions over 30 days (Parquet, with ids and a score),
 * then 1 M labels (Parquet) added and joined; the time of `labels add` + the join against DuckDB
 * reading and joining the same files alone, and the cost of a 30-day performance query.
 */
export async function benchLabels(log: (line: string) => void, quick = false): Promise<LabelsBench> {
  const n = quick ? 100_000 : 1_000_000;
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-labels-'));
  try {
    const start = Date.UTC(2026, 9, 1);
    const preds = join(dir, 'preds.parquet');
    const labels = join(dir, 'labels.parquet');
    await withConnection(async (c) => {
      await c.run(`COPY (SELECT 'p' || r AS id, make_timestamp(CAST((${start} + r * ${(30 * DAY_MS) / n}) * 1000 AS BIGINT)) AS ts, (r * 7919 % 1000) / 1000.0 AS score, (r * 104729 % 997) / 10.0 AS x FROM range(${n}) t(r)) TO ${sqlString(preds)} (FORMAT parquet)`);
      await c.run(`COPY (SELECT 'p' || r AS id, CASE WHEN (r * 7919 % 1000) / 1000.0 + ((r * 31 % 100) - 50) / 200.0 > 0.5 THEN 1 ELSE 0 END AS label, make_timestamp(CAST((${start} + r * ${(30 * DAY_MS) / n} + 10 * ${DAY_MS}) * 1000 AS BIGINT)) AS ts FROM range(${n}) t(r)) TO ${sqlString(labels)} (FORMAT parquet)`);
    });
    const storage = new LocalStorage(join(dir, 'store'));
    log(`labels: ingesting ${n.toLocaleString('en-US')} predictions`);
    await ingest({ storage, model: 'm', file: preds, idCol: 'id', timestampCol: 'ts', scoreCol: 'score', nowMs: start + 60 * DAY_MS });
    await profileModel({ storage, model: 'm' });
    log('labels: adding and joining the labels');
    let t = performance.now();
    await addLabels({ storage, model: 'm', file: labels, nowMs: start + 60 * DAY_MS });
    const addS = (performance.now() - t) / 1000;
    t = performance.now();
    await profilePerformance(storage, 'm');
    const joinS = (performance.now() - t) / 1000;
    t = performance.now();
    await withConnection((c) => c.run(`SELECT count(*), sum(l.label) FROM read_parquet(${sqlString(labels)}) l JOIN read_parquet(${sqlString(preds)}) p USING (id)`));
    const duckdbS = (performance.now() - t) / 1000;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      await performanceSeries({ storage, model: 'm', fromMs: start, toMs: start + 30 * DAY_MS, stepMs: DAY_MS, reference: 'test', threshold: 0.5, minCoverage: 0.5 });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {
      predictions: n,
      labels: n,
      add_s: addS,
      join_s: joinS,
      labels_per_s: n / (addS + joinS),
      duckdb_join_s: duckdbS,
      query_30d_ms: { median: times[10], p95: times[Math.floor(0.95 * times.length) - 1] ?? times[times.length - 1] },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

