import { availableProfiles, futureSkewMs, resolveWindow, windowAnchor, WindowError } from '../../compare';
import { HOUR_MS, parseDuration, parseTimestamp } from '../../format';
import { addLabels, performanceSeries, profilePerformance, type AddLabelsResult, type PerformanceProfileResult, type PerformanceSeries } from '../../labels';
import { listModels } from '../../profile/model-store';
import { CliError } from '../cli-error';
import type { StoreContext } from '../store-context';

export interface PerformanceFlags {
  model: string;
  from?: string;
  to?: string;
  window?: string;
  step?: string;
  reference: string;
}

/** Windows of `driftwatch performance` default to the last 30 days of data, one window. */
export const DEFAULT_PERFORMANCE_WINDOW = '30d';

/**
 * `driftwatch performance`: realised performance where labels cover a window, and the estimate
 * from the score alone (docs/performance-estimation.md), per window of `--step` over the range.
 */
export async function runPerformance(ctx: StoreContext, flags: PerformanceFlags, now = Date.now()): Promise<PerformanceSeries> {
  const stepMs = flags.step === undefined ? undefined : parseDuration(flags.step);
  if (flags.step !== undefined && (stepMs === undefined || stepMs % HOUR_MS !== 0)) throw new CliError(`--step must be a whole number of hours, days or weeks, e.g. 1d; got "${flags.step}"`);
  const known = await listModels(ctx.storage);
  if (!known.includes(flags.model)) throw new CliError(`no model "${flags.model}" in ${ctx.storage.url}${known.length ? ` (models: ${known.join(', ')})` : ''}`);
  const { anchorMs } = windowAnchor(await availableProfiles(ctx.storage, flags.model), now, futureSkewMs(ctx.config));
  let window;
  try {
    window = resolveWindow({ from: flags.from, to: flags.to, window: flags.window }, anchorMs, DEFAULT_PERFORMANCE_WINDOW);
  } catch (e) {
    if (e instanceof WindowError) throw new CliError(`--${e.message}`);
    throw e;
  }
  if (flags.from !== undefined && parseTimestamp(flags.from) === undefined) throw new CliError(`--from is not a timestamp: "${flags.from}"`);
  return performanceSeries({ storage: ctx.storage, model: flags.model, fromMs: window.fromMs, toMs: window.toMs, stepMs, reference: flags.reference, threshold: ctx.config.performance.threshold, minCoverage: ctx.config.performance.min_coverage });
}

const hours = (h: number) => (h >= 48 ? `${(h / 24).toFixed(1)} days` : `${h.toFixed(1)} h`);
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

/** One row per window: coverage, realised ROC AUC (or why not), the estimate with its band. */
export function formatPerformance(s: PerformanceSeries): string {
  const lines = [`${s.model}: performance vs reference "${s.reference}" (threshold ${s.threshold}, realised where ≥ ${pct(s.min_coverage)} labelled${s.reference_roc_auc === null ? '' : `; reference ROC AUC ${num(s.reference_roc_auc)}`})`];
  lines.push(`  ${'window'.padEnd(41)} ${'predictions'.padStart(11)} ${'labelled'.padStart(9)} ${'coverage'.padStart(8)}  realised ROC AUC   estimated ROC AUC [band]`);
  for (const w of s.windows) {
    const realised = w.realised ? `${num(w.realised.roc_auc)} (acc ${num(w.realised.accuracy)})` : '—';
    const estimated = w.estimated ? `${num(w.estimated.roc_auc)} [${num(w.estimated.roc_auc_lower)}, ${num(w.estimated.roc_auc_upper)}]` : '—';
    lines.push(`  ${`${w.from.slice(0, 16)} → ${w.to.slice(0, 16)}`.padEnd(41)} ${String(w.predictions).padStart(11)} ${String(w.labelled).padStart(9)} ${pct(w.coverage).padStart(8)}  ${realised.padEnd(17)}  ${estimated}`);
  }
  const delayed = s.windows.findLast((w) => w.label_delay_hours !== null);
  if (delayed?.label_delay_hours) lines.push(`  labels arrive ${hours(delayed.label_delay_hours.p50)} after the prediction (median), ${hours(delayed.label_delay_hours.p90)} for 90% (window from ${delayed.from.slice(0, 16)})`);
  const notes = new Set(s.windows.flatMap((w) => [w.estimate_note].filter((n): n is string => n !== undefined)));
  for (const n of notes) lines.push(`  no estimate: ${n}`);
  return lines.join('\n');
}

/** The documented --json shape: NaN and ±Infinity become null. */
export function performanceJson(s: PerformanceSeries): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** `driftwatch labels add`: store the labels, then join them (and anything else new) to the predictions. */
export async function runLabelsAdd(ctx: StoreContext, model: string, file: string, cols: { idCol?: string; labelCol?: string; timestampCol?: string }): Promise<{ added: AddLabelsResult; joined: PerformanceProfileResult }> {
  const known = await listModels(ctx.storage);
  if (!known.includes(model)) throw new CliError(`no model "${model}" in ${ctx.storage.url}${known.length ? ` (models: ${known.join(', ')})` : ': ingest its predictions or add a reference first'}`);
  const added = await addLabels({ storage: ctx.storage, model, file, ...cols });
  const joined = await profilePerformance(ctx.storage, model, ctx.config.performance.threshold);
  return { added, joined };
}

export function labelsReport(model: string, file: string, r: { added: AddLabelsResult; joined: PerformanceProfileResult }): string[] {
  const a = r.added;
  const lines = [
    `${model}: ${file}: ${a.linesRead} labels read = ${a.accepted} accepted + ${a.quarantined} quarantined${a.repeatedInFile ? ` (${a.repeatedInFile} ids repeated in the file: the latest kept)` : ''}; ${a.batches ? 'stored' : a.duplicateBatches ? 'already added before: nothing new' : 'nothing to store'}`,
    `${model}: ${r.joined.labels} labelled ids, ${r.joined.matched} matched to predictions, ${r.joined.labels - r.joined.matched} not matched yet (kept: they join when their predictions arrive)${r.joined.corrected ? `, ${r.joined.corrected} corrected (the latest label counts)` : ''}; ${r.joined.days} prediction day${r.joined.days === 1 ? '' : 's'} joined again`,
  ];
  if (a.quarantineKeys.length > 0) lines.push(`${model}: rejected rows in ${a.quarantineKeys.join(', ')}; see \`driftwatch quarantine show --model ${model}\``);
  return lines;
}
