import {
  AlertConfig,
  AlertEvent,
  AlertStates,
  createNotifier,
  emptyOutbox,
  evaluateAlerts,
  mergeIntoOutbox,
  Outbox,
  sendOutbox,
  type VerdictPoint,
} from '../alerts';
import { DAY_MS, layout } from '../format';
import type { Storage } from '../storage/storage';
import type { Config } from './config';
import type { EvaluationRow } from './evaluate';

export interface AlertStepResult {
  events: AlertEvent[];
  delivered: number;
  undelivered: number;
}

/** The alert configuration of config.yaml, validated (rule channels must exist). */
export function alertConfig(config: Config): AlertConfig {
  const parsed = AlertConfig.safeParse(config.alerts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`config.yaml: alerts.${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}

function pointOf(row: EvaluationRow): VerdictPoint {
  return {
    model: row.model,
    feature: row.name,
    reference: row.reference,
    at: row.window_to,
    window_from: row.window_from,
    window_to: row.window_to,
    verdict: row.verdict,
    metric: row.metric,
    value: row.value,
    threshold: row.threshold,
    failed_rate: row.failed_rate,
    ...(row.hint ? { hint: row.hint } : {}),
  };
}

async function readJson<T>(storage: Storage, key: string, parse: (raw: unknown) => T, fallback: T): Promise<T> {
  const bytes = await storage.read(key);
  return bytes === undefined ? fallback : parse(JSON.parse(new TextDecoder().decode(bytes)));
}

/**
 * After an evaluation: run the rules with hysteresis over the new rows, store the events per day,
 * and deliver them (plus anything still pending from earlier runs). Delivery failures stay in the
 * outbox for the next run and never stop the evaluation.
 */
export async function runAlertStep(storage: Storage, model: string, config: Config, rows: readonly EvaluationRow[], log: (line: string) => void): Promise<AlertStepResult> {
  const alerts = alertConfig(config);
  const states = await readJson(storage, layout.alertState(model), (raw) => AlertStates.parse(raw), {});
  const evaluation = evaluateAlerts(alerts.rules, states, rows.map(pointOf));
  const byDay = new Map<number, AlertEvent[]>();
  for (const event of evaluation.events) {
    const t = Date.parse(event.at) - 1;
    const day = t - (t % DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), event]);
  }
  for (const [day, events] of byDay) {
    const existing = await readAlertEvents(storage, model, day);
    const ids = new Set(events.map((e) => e.id));
    await storage.write(layout.alertEvents(model, day), JSON.stringify({ events: [...existing.filter((e) => !ids.has(e.id)), ...events] }));
  }
  await storage.write(layout.alertState(model), JSON.stringify(evaluation.states));

  const outbox = await readJson(storage, layout.alertOutbox(model), (raw) => Outbox.parse(raw), emptyOutbox());
  const merged = mergeIntoOutbox(outbox, evaluation.events, alerts.rules);
  for (const dropped of merged.dropped) log(`alert not delivered and dropped (outbox full): ${dropped.event.message}`);
  const notifiers = alerts.channels.map((channel) => createNotifier(channel, { log }));
  const sent = await sendOutbox(merged.outbox, notifiers);
  await storage.write(layout.alertOutbox(model), JSON.stringify(sent.outbox));
  return { events: evaluation.events, delivered: sent.report.delivered.length, undelivered: sent.outbox.entries.length };
}

export async function readAlertEvents(storage: Storage, model: string, dayMs: number): Promise<AlertEvent[]> {
  return readJson(storage, layout.alertEvents(model, dayMs), (raw) => AlertEvent.array().parse((raw as { events?: unknown }).events ?? []), []);
}
