/**
 * Misses vs false flags at candidate materiality floors (docs/metrics.md, "Materiality floors"):
 * the car-loan data (reference period = reference; monitoring months = windows; drift from
 * 2019-04 on the documented features) and synthetic data with small real shifts (a 4-point shift
 * of a proportion, a 3-point move in a 5-category mix, a 0.15-sd mean shift) next to stable
 * features whose population wobbles immaterially from window to window (±1 point, ±0.03 sd).
 * Run: npx tsx test/experiments/floors.ts
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { compareFeature } from '@/lib/compare/compare-feature';
import { DEFAULT_CONFIG, type Defaults } from '@/lib/compare/config';
import type { MetricName } from '@/lib/compare/feature-metrics';
import { chunkStatistics, thresholdFromStatistics } from '@/lib/compare/thresholds';
import type { SummaryRow } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { sharedData } from '@/test/helpers/shared-data';

const CANDIDATES: Record<'numeric area' | 'categorical js' | 'categorical linf', number[]> = {
  'numeric area': [0.04, 0.06, 0.08, 0.1],
  'categorical js': [0.02, 0.025, 0.03, 0.04, 0.05],
  'categorical linf': [0.02, 0.03, 0.04, 0.05],
};

interface Case {
  dataset: string;
  feature: string;
  kind: 'numeric' | 'categorical';
  reference: SummaryRow;
  chunks: SummaryRow[];
  windows: { summary: SummaryRow; drifted: boolean; wobble?: boolean }[];
}

type Row = Record<string, unknown>;
const key = (feature: string, chunk = -1) => ({ model: 'x', feature, period_start: 0, period_end: 0, chunk });

function summarize(rows: readonly Row[], feature: string, kind: 'numeric' | 'categorical', chunk = -1): SummaryRow {
  if (kind === 'numeric') {
    const values = rows.map((r) => r[feature]).filter((v): v is number => typeof v === 'number');
    return { ...numericSummary(key(feature), values, rows.length - values.length, 0), chunk };
  }
  const counts = new Map<string, number>();
  for (const r of rows) if (r[feature] !== null && r[feature] !== undefined) counts.set(String(r[feature]), (counts.get(String(r[feature])) ?? 0) + 1);
  return { ...categoricalSummary(key(feature), counts, 0, 0), chunk };
}

async function carLoan(): Promise<Case[]> {
  const data = sharedData('car-loan');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const load = async (file: string) => (await c.runAndReadAll(`select *, epoch_ms(timestamp::timestamp) as ts_ms from read_parquet('${data}/${file}') order by timestamp`)).getRowObjectsJS() as Row[];
  const reference = await load('reference_synthetic_car_loan.parquet');
  const monitoring = await load('monitoring_synthetic_car_loan.parquet');
  const months = new Map<string, Row[]>();
  for (const r of monitoring) {
    const m = new Date(Number(r.ts_ms)).toISOString().slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), r]);
  }
  const numeric = ['car_value', 'debt_to_income_ratio', 'loan_length', 'driver_tenure', 'y_pred_proba'];
  const categorical = ['salary_range', 'repaid_loan_on_prev_car', 'size_of_downpayment'];
  const drifting = new Set(['car_value', 'loan_length', 'salary_range', 'repaid_loan_on_prev_car', 'y_pred_proba']);
  const chunkRows = 2500;
  const out: Case[] = [];
  for (const feature of [...numeric, ...categorical]) {
    const kind = numeric.includes(feature) ? 'numeric' : 'categorical';
    const chunks: SummaryRow[] = [];
    for (let i = 0; i < reference.length; i += chunkRows) chunks.push(summarize(reference.slice(i, i + chunkRows), feature, kind, i / chunkRows));
    const windows = [...months]
      .filter(([, rows]) => rows.length >= 1000)
      .flatMap(([month, rows]) => {
        // 2019-03 is the month drift starts in (documented 2019-03-31): neither drifted nor quiet.
        if (month === '2019-03') return [];
        return [{ summary: summarize(rows, feature, kind), drifted: drifting.has(feature) && month >= '2019-04' }];
      });
    out.push({ dataset: 'car-loan', feature, kind, reference: summarize(reference, feature, kind), chunks, windows });
  }
  return out;
}

/** Categorical: counts of `n` draws from proportions `p`. */
function draw(p: readonly number[], n: number, rng: () => number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let u = rng();
    let k = 0;
    while (k < p.length - 1 && u >= p[k]) u -= p[k++];
    counts.set(`c${k}`, (counts.get(`c${k}`) ?? 0) + 1);
  }
  return counts;
}

function synthetic(windowRows: number): Case[] {
  const rng = mulberry32(20261202 + windowRows);
  const z = standardNormal(rng);
  const refRows = 50_000;
  const chunkRows = 2500;
  const out: Case[] = [];
  const windowsPerSide = 30;
  const wobble = (p: readonly number[], sd: number): number[] => {
    const q = p.map((x) => Math.max(0.001, x + sd * z()));
    const s = q.reduce((a, b) => a + b, 0);
    return q.map((x) => x / s);
  };
  const categorical: { feature: string; p: number[]; shifted: number[] }[] = [
    { feature: 'binary 30% → 34%', p: [0.3, 0.7], shifted: [0.34, 0.66] },
    { feature: '5 categories, 3 points moved', p: [0.3, 0.25, 0.2, 0.15, 0.1], shifted: [0.27, 0.25, 0.23, 0.15, 0.1] },
  ];
  for (const { feature, p, shifted } of categorical) {
    const chunks = Array.from({ length: refRows / chunkRows }, (_, c) => ({ ...categoricalSummary(key(feature), draw(p, chunkRows, rng), 0, 0), chunk: c }));
    const whole = new Map<string, number>();
    for (const ch of chunks) ch.categories!.forEach((cat, i) => whole.set(cat, (whole.get(cat) ?? 0) + Number(ch.category_counts![i])));
    const windows = [
      ...Array.from({ length: windowsPerSide }, () => ({ summary: categoricalSummary(key(feature), draw(p, windowRows, rng), 0, 0), drifted: false })),
      ...Array.from({ length: windowsPerSide }, () => ({ summary: categoricalSummary(key(feature), draw(wobble(p, 0.01), windowRows, rng), 0, 0), drifted: false, wobble: true })),
      ...Array.from({ length: windowsPerSide }, () => ({ summary: categoricalSummary(key(feature), draw(wobble(shifted, 0.01), windowRows, rng), 0, 0), drifted: true })),
    ];
    out.push({ dataset: `synthetic ${windowRows}`, feature, kind: 'categorical', reference: categoricalSummary(key(feature), whole, 0, 0), chunks, windows });
  }
  const values = (n: number, mean: number) => Array.from({ length: n }, () => mean + z());
  const refValues = values(refRows, 0);
  const chunks = Array.from({ length: refRows / chunkRows }, (_, c) => ({ ...numericSummary(key('normal'), refValues.slice(c * chunkRows, (c + 1) * chunkRows), 0, 0), chunk: c }));
  const windows = [
    ...Array.from({ length: windowsPerSide }, () => ({ summary: numericSummary(key('normal'), values(windowRows, 0), 0, 0), drifted: false })),
    ...Array.from({ length: windowsPerSide }, () => ({ summary: numericSummary(key('normal'), values(windowRows, 0.03 * z()), 0, 0), drifted: false, wobble: true })),
    ...Array.from({ length: windowsPerSide }, () => ({ summary: numericSummary(key('normal'), values(windowRows, 0.15 + 0.03 * z()), 0, 0), drifted: true })),
  ];
  out.push({ dataset: `synthetic ${windowRows}`, feature: 'normal, mean +0.15 sd', kind: 'numeric', reference: numericSummary(key('normal'), refValues, 0, 0), chunks, windows });
  return out;
}

async function main(): Promise<void> {
  const cases = [...(await carLoan()), ...synthetic(5000), ...synthetic(1000)];
  console.log('| metric | floor | dataset | drifted windows missed | quiet windows flagged (same population) | quiet windows flagged (immaterial wobble) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [label, floors] of Object.entries(CANDIDATES)) {
    const [kind, metric] = label.split(' ') as ['numeric' | 'categorical', MetricName];
    for (const floor of floors) {
      const defaults: Defaults = { ...DEFAULT_CONFIG.defaults, materiality: { ...DEFAULT_CONFIG.defaults.materiality, [metric]: floor, ...(metric === 'js' ? { js_categorical: floor } : {}) } };
      const byDataset = new Map<string, { missed: number; drifted: number; flagged: number; quiet: number; wobbleFlagged: number; wobbles: number; which: string[] }>();
      for (const c of cases.filter((x) => x.kind === kind)) {
        const threshold = thresholdFromStatistics(chunkStatistics(c.chunks, [metric]).get(metric) ?? null, metric, defaults, c.kind);
        const t = byDataset.get(c.dataset) ?? { missed: 0, drifted: 0, flagged: 0, quiet: 0, wobbleFlagged: 0, wobbles: 0, which: [] };
        for (const w of c.windows) {
          const flagged = compareFeature(c.reference, w.summary, metric, threshold, defaults).verdict === 'drift';
          if (w.drifted) {
            t.drifted++;
            if (!flagged) t.missed++;
            if (!flagged && !t.which.includes(`missed ${c.feature}`)) t.which.push(`missed ${c.feature}`);
          } else if (w.wobble) {
            t.wobbles++;
            if (flagged) t.wobbleFlagged++;
          } else {
            t.quiet++;
            if (flagged) t.flagged++;
            if (flagged && !t.which.includes(`flagged ${c.feature}`)) t.which.push(`flagged ${c.feature}`);
          }
        }
        byDataset.set(c.dataset, t);
      }
      for (const [dataset, t] of byDataset) console.log(`| ${label} | ${floor} | ${dataset} | ${t.missed}/${t.drifted} | ${t.flagged}/${t.quiet} | ${t.wobbles ? `${t.wobbleFlagged}/${t.wobbles}` : '–'} |${process.argv.includes('--which') ? ` ${t.which.join('; ')}` : ''}`);
    }
  }
}

void main();
