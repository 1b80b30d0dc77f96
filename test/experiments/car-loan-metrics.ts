/**
 * Measures the candidate verdict metrics on the car-loan data (docs/metrics.md, "Choosing the
 * default metric"): reference period = the `test` reference, monitoring period in monthly windows.
 * Run: npx tsx test/experiments/car-loan-metrics.ts [chunkRows]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { compareFeature } from '@/lib/compare/compare-feature';
import { DEFAULT_CONFIG } from '@/lib/compare/config';
import { referenceThreshold } from '@/lib/compare/thresholds';
import type { MetricName } from '@/lib/compare/feature-metrics';
import type { SummaryRow } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { sharedData } from '@/test/helpers/shared-data';

const DATA = sharedData('car-loan');
const NUMERIC = ['car_value', 'debt_to_income_ratio', 'loan_length', 'driver_tenure', 'y_pred_proba'];
const CATEGORICAL = ['salary_range', 'repaid_loan_on_prev_car', 'size_of_downpayment'];
const MUST_FLAG = ['car_value', 'loan_length', 'salary_range', 'repaid_loan_on_prev_car', 'y_pred_proba'];
const MUST_STAY_QUIET = ['driver_tenure', 'size_of_downpayment'];

type Row = Record<string, unknown>;

async function load(file: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const r = await c.runAndReadAll(`select *, epoch_ms(timestamp::timestamp) as ts_ms from read_parquet('${file}') order by timestamp`);
  return r.getRowObjectsJS() as Row[];
}

function summarize(rows: Row[], feature: string, start: number, end: number, chunk = -1): SummaryRow {
  const key = { model: 'car-loan', feature, period_start: start, period_end: end, chunk };
  if (NUMERIC.includes(feature)) {
    const values = rows.map((r) => r[feature]).filter((v): v is number => typeof v === 'number');
    return numericSummary(key, values, rows.length - values.length, 0);
  }
  const counts = new Map<string, number>();
  let nulls = 0;
  for (const r of rows) {
    const v = r[feature];
    if (v === null || v === undefined) nulls++;
    else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  }
  return categoricalSummary(key, counts, nulls, 0);
}

async function main(): Promise<void> {
  const chunkRows = Number(process.argv[2] ?? 4500);
  const reference = await load(`${DATA}/reference_synthetic_car_loan.parquet`);
  const monitoring = await load(`${DATA}/monitoring_synthetic_car_loan.parquet`);
  const months = new Map<string, Row[]>();
  for (const r of monitoring) {
    const m = new Date(Number(r.ts_ms)).toISOString().slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), r]);
  }
  const chunks: Row[][] = [];
  for (let i = 0; i < reference.length; i += chunkRows) chunks.push(reference.slice(i, i + chunkRows));
  const candidates: Record<string, MetricName[]> = { numeric: ['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger'], categorical: ['js', 'psi', 'linf'] };
  const report: Record<string, unknown> = {};
  for (const feature of [...NUMERIC, ...CATEGORICAL]) {
    const kind = NUMERIC.includes(feature) ? 'numeric' : 'categorical';
    const ref = summarize(reference, feature, 0, 0);
    const refChunks = chunks.map((rows, i) => summarize(rows, feature, 0, 0, i));
    for (const metric of candidates[kind]) {
      const threshold = referenceThreshold(refChunks, metric, DEFAULT_CONFIG.defaults);
      const flags: string[] = [];
      for (const [month, rows] of months) {
        if (rows.length < 1000) continue;
        const c = compareFeature(ref, summarize(rows, feature, 0, 0), metric, threshold, DEFAULT_CONFIG.defaults);
        flags.push(`${month}:${c.verdict === 'drift' ? 'D' : '.'}${(c.value ?? NaN).toFixed(3)}`);
      }
      report[`${feature}/${metric}`] = { threshold: `${threshold.value.toFixed(4)} (${threshold.source}, chunks mean ${threshold.chunk_mean?.toFixed(4)} sd ${threshold.chunk_sd?.toFixed(4)})`, flags };
    }
  }
  for (const [k, v] of Object.entries(report)) {
    const { threshold, flags } = v as { threshold: string; flags: string[] };
    console.log(k.padEnd(34), threshold);
    console.log('   ', flags.join(' '));
  }
  console.log('must flag from 2019-04:', MUST_FLAG.join(', '), '| must stay quiet:', MUST_STAY_QUIET.join(', '));
}

void main();
