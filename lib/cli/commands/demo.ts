import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS } from '../../format';
import { FAULT_PLAN, formatDailyPerformance, generateScenario, labelsArrivedBy, periodVerdict, UNLABELLED_SHARE, writeScenarioFiles, type Scenario } from '../../demo';
import { performanceSeries } from '../../labels';
import type { CommandContext } from '../command-context';
import type { StoreContext } from '../store-context';
import { runLabelsAdd } from './performance';

/** The config the demo store gets: the template's defaults plus a log alert rule. */
export const DEMO_CONFIG = `# driftwatch demo store.
evaluation:
  # 24 h, not the default 12 h: the shop's traffic has a daily rhythm (mobile and small baskets
  # in the evening), and a half-day window compared with a month-long test set fires on it.
  window: 24h
  every: 1h
  references: [test, train]
models:
  checkout-fraud:
    features:
      # Calendar features: their mix is set by the window, not by the data.
      hour_of_day: { drift: false }
      is_weekend: { drift: false }
      # Weekend coupon campaigns lift usage by ~4 points (13% → 17%), which the default floor for
      # categories (0.03, sized to catch a 4-point shift) would page on: the business expects it.
      coupon_used: { floor: 0.05 }
ingest:
  # The scenario has fixed dates (from 2026-11-01): \`--days 60\` reaches past today, which
  # would otherwise be quarantined as "in the future".
  max_future_skew: 400d
alerts:
  rules:
    # Page on the test set, the data the model was evaluated on; the training set is for context.
    - name: drift-or-failing
      reference: test
      verdicts: [drift, failing]
      fire_after: 1
      resolve_after: 3
      channels: [log]
  channels:
    - { name: log, type: log }
`;

/** Write the scenario's files (predictions, labels, test and train sets, faults) for the pipeline. */
export async function writeDemoData(dir: string, days: number, ctx: CommandContext): Promise<ReturnType<typeof generateScenario>> {
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  const scenario = generateScenario({ days });
  await writeScenarioFiles(scenario, dir);
  ctx.log(`demo: generated ${days} days of ${scenario.model} traffic in ${((Date.now() - started) / 1000).toFixed(1)} s → ${join(dir, 'predictions.ndjson')}`);
  return scenario;
}

/** "detected 2 h after its start" for each injected fault, from the alert events. */
export function detectionReport(
  faults: ReadonlyArray<{ feature: string; start: string; description: string }>,
  firing: ReadonlyArray<{ feature: string; at: string; reference: string; message: string }>,
): string[] {
  return faults.map((fault) => {
    const start = Date.parse(fault.start);
    const hit = firing.filter((e) => e.feature === fault.feature && Date.parse(e.at) > start).sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
    if (!hit) return `  ✗ ${fault.description} (${fault.feature}, from ${fault.start}): not detected`;
    const evaluations = Math.round((Date.parse(hit.at) - start) / HOUR_MS);
    return `  ✓ ${fault.description} (${fault.feature}, from ${fault.start}): alert at ${hit.at}, ${evaluations} evaluation${evaluations === 1 ? '' : 's'} after the start — ${hit.message}`;
  });
}

/**
 * 30 days: labels arrive 7–21 days late, so only the first half has realised figures by the
 * demo's end; the faults of the first 14 days are where they always were.
 */
export const DEMO_DAYS = 30;

/**
 * The delayed-labels part of the demo, as of the scenario's end (the demo's now): add the labels
 * that have arrived by then (the later ones are not known yet), then print realised vs estimated
 * ROC AUC per day for the last 30 days and, per fault period, whether the estimate saw it.
 */
export async function demoPerformance(s: StoreContext, scenario: Scenario, dataDir: string, ctx: CommandContext): Promise<void> {
  const nowMs = Date.parse(scenario.end);
  const all = [...scenario.labels()];
  const arrived = labelsArrivedBy(all, nowMs);
  const file = join(dataDir, 'labels-arrived.ndjson');
  await writeFile(file, arrived.map((l) => JSON.stringify(l) + '\n').join(''));
  if (arrived.length === 0) {
    // The performance profile (and so the estimate) is written once a model has labels (lib/labels/performance-profile.ts).
    ctx.log(`demo: no label has arrived by ${scenario.end} (they come 7–21 days after the order): run the demo with --days 30 for realised vs estimated performance`);
    return;
  }
  const { matched } = (await runLabelsAdd(s, scenario.model, file, {})).joined;
  ctx.log(
    `demo: labels (paid or fraud) come for ${(100 * (1 - UNLABELLED_SHARE)).toFixed(0)}% of orders, 7–21 days after the order; by ${scenario.end} (the demo's now) ${arrived.length} had arrived and were joined (${matched} matched), ${all.length - arrived.length} are still on their way`,
  );
  const { threshold, min_coverage } = s.config.performance;
  const query = { storage: s.storage, model: scenario.model, reference: 'test', threshold, minCoverage: min_coverage };
  const fromMs = Math.max(Date.parse(scenario.start), nowMs - 30 * DAY_MS);
  const daily = await performanceSeries({ ...query, fromMs, toMs: nowMs, stepMs: DAY_MS });
  ctx.log(`${scenario.model}: realised vs estimated ROC AUC per day, ${new Date(fromMs).toISOString().slice(0, 10)} – ${scenario.end.slice(0, 10)} (reference "test": ROC AUC ${daily.reference_roc_auc?.toFixed(3) ?? '—'})`);
  for (const line of formatDailyPerformance(daily, scenario.faults)) ctx.log(line);
  const periods = await faultPeriods(scenario, (from, to) => performanceSeries({ ...query, fromMs: from, toMs: to }).then((r) => r.windows[0]));
  if (periods) for (const line of periods) ctx.log(line);
}

/** Realised and estimated ROC AUC before the first fault that moves the score, and in each period after it. */
async function faultPeriods(scenario: Scenario, windowOf: (fromMs: number, toMs: number) => Promise<import('../../labels').PerformanceWindow>): Promise<string[] | undefined> {
  const startMs = Date.parse(scenario.start);
  const endMs = Date.parse(scenario.end);
  const fallback = scenario.faults.find((f) => f.kind === 'fallback_score');
  if (!fallback) return undefined;
  const fallbackMs = Date.parse(fallback.start);
  const unit = scenario.faults.find((f) => f.kind === 'unit_change');
  const unitMs = unit ? Date.parse(unit.start) : endMs;
  const quiet = await windowOf(startMs, fallbackMs);
  const lines = ['performance by period (realised from the labels that have arrived; change vs before the fallback):'];
  lines.push(`  before the fallback (${quiet.from.slice(0, 16)}Z – ${quiet.to.slice(0, 16)}Z): realised ${quiet.realised?.roc_auc.toFixed(3) ?? '—'}, estimated ${quiet.estimated?.roc_auc.toFixed(3) ?? '—'}`);
  lines.push(periodVerdict(quiet, { name: `fallback scores for ${FAULT_PLAN.fallbackScores.share * 100}% of orders`, window: await windowOf(fallbackMs, Math.min(unitMs, endMs)) }));
  if (unitMs < endMs) {
    // Realised needs the labels: up to the last day they cover; the estimate alone after it.
    const labelledTo = Math.max(unitMs + DAY_MS, endMs - 16 * DAY_MS);
    lines.push(periodVerdict(quiet, { name: 'and time_to_order in ms', window: await windowOf(unitMs, Math.min(labelledTo, endMs)) }));
    if (labelledTo < endMs) lines.push(periodVerdict(quiet, { name: 'labels still coming', window: await windowOf(labelledTo, endMs) }));
  }
  lines.push(
    '  why: the fallback answers with true fraud rates, so P(fraud | score) holds and the estimate from the score alone follows the loss;',
    '  a score computed from milliseconds says the wrong thing (P(fraud | score) changed), which nothing but labels can show.',
  );
  return lines;
}
