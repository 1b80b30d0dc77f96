import type { PerformanceSeries, PerformanceWindow } from '../labels/performance-window';
import type { Fault } from './faults';
import type { LabelEvent } from './generate-scenario';

/** The labels known at `nowMs`: those whose arrival time is not in the future. */
export function labelsArrivedBy(labels: Iterable<LabelEvent>, nowMs: number): LabelEvent[] {
  const out: LabelEvent[] = [];
  for (const label of labels) if (Date.parse(label.ts) <= nowMs) out.push(label);
  return out;
}

const fixed = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)}%`);

/** One line per day: predictions, coverage, realised and estimated ROC AUC, and the faults that start that day. */
export function formatDailyPerformance(series: PerformanceSeries, faults: readonly Fault[]): string[] {
  const lines = [
    `  ${'day'.padEnd(10)} ${'predictions'.padStart(11)} ${'labelled'.padStart(8)}  ${'realised'.padStart(8)}  estimated [band]         ROC AUC; realised where ≥ ${pct(series.min_coverage)} labelled`,
  ];
  for (const w of series.windows) {
    const starts = faults.filter((f) => f.start >= w.from.slice(0, 19) && f.start < w.to.slice(0, 19)).map((f) => `← ${f.feature} fault`);
    const estimated = w.estimated ? `${fixed(w.estimated.roc_auc)} [${fixed(w.estimated.roc_auc_lower)}, ${fixed(w.estimated.roc_auc_upper)}]` : '—';
    lines.push(`  ${w.from.slice(0, 10)} ${String(w.predictions).padStart(11)} ${pct(w.coverage).padStart(8)}  ${fixed(w.realised?.roc_auc).padStart(8)}  ${estimated.padEnd(23)}  ${starts.join(' ')}`.trimEnd());
  }
  return lines;
}

export interface PeriodPerformance {
  name: string;
  window: PerformanceWindow;
}

/**
 * Realised vs estimated ROC AUC of a period against the quiet period before the faults, and
 * whether the estimate saw the change: it moved by at least half of what the labels show.
 */
export function periodVerdict(quiet: PerformanceWindow, period: PeriodPerformance): string {
  const r0 = quiet.realised?.roc_auc;
  const e0 = quiet.estimated?.roc_auc;
  const r = period.window.realised?.roc_auc;
  const e = period.window.estimated?.roc_auc;
  const span = `${period.window.from.slice(0, 16)}Z – ${period.window.to.slice(0, 16)}Z`;
  const est = e === undefined ? 'no estimate' : `estimated ${fixed(e)}${e0 === undefined ? '' : ` (${signed(e - e0)})`}`;
  if (r === undefined || r0 === undefined) return `  ${period.name} (${span}): realised — (${pct(period.window.coverage)} labelled so far), ${est}`;
  const head = `  ${period.name} (${span}): realised ${fixed(r)} (${signed(r - r0)}), ${est}`;
  if (e === undefined || e0 === undefined) return head;
  const realisedDrop = r0 - r;
  const estimatedDrop = e0 - e;
  if (Math.abs(realisedDrop) < 0.02) return `${head} — no real change${Math.abs(estimatedDrop) >= 0.02 ? ': the estimate moves without cause' : ''}`;
  const sameWay = Math.sign(estimatedDrop) === Math.sign(realisedDrop);
  const gap = e - r;
  if (sameWay && Math.abs(gap) <= 0.03) return `${head} — the estimate sees it`;
  if (sameWay && Math.abs(estimatedDrop) >= Math.abs(realisedDrop) / 2) return `${head} — the estimate sees part of it (${Math.abs(gap).toFixed(3)} too ${gap > 0 ? 'high' : 'low'})`;
  return `${head} — the estimate does not see it`;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
