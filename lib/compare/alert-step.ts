import {
  AlertCheckpoints,
  AlertConfig,
  AlertEvent,
  AlertStates,
  checkpointBefore,
  createNotifier,
  DeliveryStatus,
  emptyDeliveryStatus,
  emptyOutbox,
  evaluateAlertsByDay,
  mergeIntoOutbox,
  Outbox,
  resolvePerformanceRules,
  sendOutbox,
  updateCheckpoints,
  updateDeliveryStatus,
  type NotifierDeps,
  type VerdictPoint,
} from '../alerts';
import { readAlertWorkflow } from '../alerts/workflow-store';
import { silenceOf } from '../alerts/workflow';
import { DAY_MS, layout } from '../format';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import { StorageError } from '../storage/errors';
import type { Storage } from '../storage/storage';
import type { Config } from './config';
import { readEvaluations, type EvaluationCodec } from './evaluate';
import type { EvaluationRow } from '../format';
import { LATE_DATA_LOOKBACK_MS } from './late-data';
import { performancePoints } from './performance-points';

export interface AlertStepResult {
  /** Events not stored before this run (the ones delivered). */
  events: AlertEvent[];
  delivered: number;
  undelivered: number;
  /** Notifications this round failed to deliver, per channel (empty when all went out). */
  failures: ChannelFailures[];
  /** Set when the step replayed stored rows after re-evaluated windows. */
  replay?: AlertReplay;
}

export interface ChannelFailures {
  channel: string;
  /** Notifications that failed (tried, or held back behind a failed one) this round. */
  count: number;
  /** The error of the first one tried. */
  error: string;
  /** False when every failure was a rejection (4xx, unknown channel) that retrying will not fix. */
  retryable: boolean;
  /** Still pending for this channel after the round. */
  pending: number;
}

export interface AlertReplay {
  /** The replay started after this instant (a checkpoint), or at the first stored row (null). */
  after: string | null;
  /** Stored events after `after` that the replay no longer produces (not retracted where already delivered). */
  withdrawn: AlertEvent[];
}

export interface AlertStepOptions {
  /**
   * The earliest re-evaluated window end (EvaluateResult.alertsReplayFrom): rebuild the alert
   * states from the last checkpoint before it over the stored rows, and replace the events after it.
   */
  replayFrom?: number | null;
  /** Reads the stored rows for a replay. */
  evaluations?: EvaluationCodec;
  /** Replaces the network and the clock of the notifiers (tests). */
  notifierDeps?: NotifierDeps;
}

/** Checkpoints reach back over the late-data look-back, plus a day for the window and a day of slack. */
const CHECKPOINT_SPAN_MS = LATE_DATA_LOOKBACK_MS + 2 * DAY_MS;

/** Beside alert-state.json (whose format the dashboard reads), so that file stays as it was. */
export function alertCheckpointsKey(model: string): string {
  return layout.alertState(model).replace(/alert-state\.json$/, 'alert-checkpoints.json');
}

/** Per channel: last attempt, last success, last error, pending (docs/format.md, "Alert delivery status"). */
export function alertDeliveryKey(model: string): string {
  return layout.alertState(model).replace(/alert-state\.json$/, 'alert-delivery.json');
}

/** The delivery status of a model's channels, or an empty one when nothing was ever delivered. */
export async function readDeliveryStatus(storage: Storage, model: string): Promise<DeliveryStatus> {
  const key = alertDeliveryKey(model);
  try {
    return await readJson(storage, key, (raw) => DeliveryStatus.parse(raw), emptyDeliveryStatus());
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new DamagedFileError(key, damageReason(error), storage.url);
  }
}

/**
 * The alert configuration of config.yaml, validated (rule channels must exist). The error names
 * the rule by its position and name, then the setting: `config.yaml: alerts.rules.0 (auc-low).metric: …`.
 */
export function alertConfig(config: Config): AlertConfig {
  const parsed = AlertConfig.safeParse(config.alerts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [section, index, ...rest] = issue.path.map(String);
    const name = section === 'rules' && index !== undefined ? config.alerts.rules[Number(index)]?.name : undefined;
    const where = [section, index].filter((p) => p !== undefined).join('.') + (typeof name === 'string' ? ` (${name})` : '');
    const setting = rest.length > 0 ? `.${rest.join('.')}:` : '';
    throw new Error(`config.yaml: alerts.${where}${setting} ${issue.message}`);
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
 * and deliver them (plus anything still pending from earlier runs). With `replayFrom`, the states
 * are rebuilt from the last midnight checkpoint before it over the stored rows instead, and the
 * events after that checkpoint replaced (docs/format.md, "Late data"). Delivery failures stay in
 * the outbox for the next run and never stop the evaluation.
 */
export async function runAlertStep(
  storage: Storage,
  model: string,
  config: Config,
  rows: readonly EvaluationRow[],
  log: (line: string) => void,
  options: AlertStepOptions = {},
): Promise<AlertStepResult> {
  const alerts = alertConfig(config);
  const rules = resolvePerformanceRules(alerts.rules, { reference: config.evaluation.references[0], minCoverage: config.performance.min_coverage });
  const pointsOf = async (evaluated: readonly EvaluationRow[]) => [...evaluated.map(pointOf), ...(await performancePoints(storage, model, config, rules, evaluated))];
  const checkpoints = await readJson(storage, alertCheckpointsKey(model), (raw) => AlertCheckpoints.parse(raw), { version: 1 as const, checkpoints: {} });
  const replayFrom = options.replayFrom ?? null;
  let step: { states: AlertStates; fresh: AlertEvent[]; withdrawn: AlertEvent[]; checkpoints: Map<number, AlertStates>; after: number };
  if (replayFrom === null) {
    const states = await readJson(storage, layout.alertState(model), (raw) => AlertStates.parse(raw), {});
    const evaluation = evaluateAlertsByDay(rules, states, await pointsOf(rows));
    await storeEvents(storage, model, evaluation.events, () => false);
    step = { states: evaluation.states, fresh: evaluation.events, withdrawn: [], checkpoints: evaluation.checkpoints, after: Infinity };
  } else {
    if (options.evaluations === undefined) throw new Error('runAlertStep: a replay reads the stored rows, pass `evaluations`');
    const base = checkpointBefore(checkpoints, replayFrom);
    const after = base?.at ?? -Infinity;
    const stored = await storedRowsAfter(storage, model, after, options.evaluations);
    for (const row of rows) if (Date.parse(row.window_to) > after) stored.set(rowKey(row), row);
    const evaluation = evaluateAlertsByDay(rules, base?.states ?? {}, await pointsOf([...stored.values()]));
    const ruleNames = new Set(alerts.rules.map((r) => r.name));
    // Only events from the first replayed window on change: earlier ones came from unchanged rows.
    // (Without a checkpoint the replay starts at the first stored row; a rule edited since then
    // must not re-send or withdraw months-old alerts.)
    const changed = (e: AlertEvent) => Date.parse(e.at) >= replayFrom && Date.parse(e.at) > after;
    const replaced = (e: AlertEvent) => changed(e) && ruleNames.has(e.rule);
    const events = evaluation.events.filter(changed);
    const before = await storeEvents(storage, model, events, replaced, after);
    const ids = new Set(events.map((e) => e.id));
    const had = new Set(before.map((e) => e.id));
    step = { states: evaluation.states, fresh: events.filter((e) => !had.has(e.id)), withdrawn: before.filter((e) => !ids.has(e.id)), checkpoints: evaluation.checkpoints, after };
  }
  await storage.write(layout.alertState(model), JSON.stringify(step.states));
  const newest = Math.max(...step.checkpoints.keys(), ...Object.keys(checkpoints.checkpoints).map((iso) => Date.parse(iso)));
  await storage.write(alertCheckpointsKey(model), JSON.stringify(updateCheckpoints(checkpoints, step.checkpoints, step.after, newest - CHECKPOINT_SPAN_MS)));

  const outbox = await readJson(storage, layout.alertOutbox(model), (raw) => Outbox.parse(raw), emptyOutbox());
  const withdrawn = new Set(step.withdrawn.map((e) => e.id));
  const silence = silenceOf(await readAlertWorkflow(storage, model), Date.now());
  const merged = mergeIntoOutbox({ entries: outbox.entries.filter((entry) => !withdrawn.has(entry.event.id)) }, step.fresh, alerts.rules, undefined, silence);
  for (const dropped of merged.dropped) log(`alert not delivered and dropped (outbox full): ${dropped.event.message}`);
  for (const held of merged.silenced) log(`alert silenced until ${held.until}, not sent to ${held.channel}: ${held.event.message}`);
  const notifiers = alerts.channels.map((channel) => createNotifier(channel, { log, ...options.notifierDeps }));
  const sent = await sendOutbox(merged.outbox, notifiers);
  await storage.write(layout.alertOutbox(model), JSON.stringify(sent.outbox));
  // The status only describes the rounds: a damaged one is started afresh (and so repaired).
  const previous = await readDeliveryStatus(storage, model).catch((error: unknown) => {
    if (error instanceof DamagedFileError) return emptyDeliveryStatus();
    throw error;
  });
  const status = updateDeliveryStatus(previous, sent.report, sent.outbox, sent.at, alerts.channels.map((c) => c.name));
  if (JSON.stringify(status) !== JSON.stringify(previous)) await storage.write(alertDeliveryKey(model), JSON.stringify(status));
  const failures: ChannelFailures[] = [];
  for (const channel of new Set(sent.report.undelivered.map((f) => f.delivery.channel))) {
    const failed = sent.report.undelivered.filter((f) => f.delivery.channel === channel);
    const first = failed.find((f) => f.attempts > 0) ?? failed[0];
    failures.push({ channel, count: failed.length, error: first.error, retryable: failed.some((f) => f.retryable), pending: sent.outbox.entries.filter((e) => e.channel === channel).length });
  }
  return {
    events: step.fresh,
    delivered: sent.report.delivered.length,
    undelivered: sent.outbox.entries.length,
    failures,
    ...(replayFrom === null ? {} : { replay: { after: Number.isFinite(step.after) ? new Date(step.after).toISOString() : null, withdrawn: step.withdrawn } }),
  };
}

const rowKey = (r: EvaluationRow) => `${r.reference}|${r.name}|${r.window_to}|${r.window_hours}`;

/** Stored evaluation rows whose window ends after `after`, by row key. */
async function storedRowsAfter(storage: Storage, model: string, after: number, codec: EvaluationCodec): Promise<Map<string, EvaluationRow>> {
  const out = new Map<string, EvaluationRow>();
  for (const day of await storedDays(storage, layout.evaluationsPrefix(model), after)) {
    for (const row of await readEvaluations(storage, model, day, codec)) if (Date.parse(row.window_to) > after) out.set(rowKey(row), row);
  }
  return out;
}

/** Days (epoch ms) of `day=YYYY-MM-DD.*` files under a prefix whose span (day, day + 1 d] ends after `after`. */
async function storedDays(storage: Storage, prefix: string, after: number): Promise<number[]> {
  const days = new Set<number>();
  for (const key of await storage.list(prefix)) {
    const m = /day=(\d{4}-\d{2}-\d{2})\.(?:json|parquet)$/.exec(key);
    const day = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
    if (Number.isFinite(day) && day + DAY_MS > after) days.add(day);
  }
  return [...days].sort((a, b) => a - b);
}

/**
 * Store events by the day of their `at`: each day file keeps its events except those `replaced`
 * (and any of the same id), plus the new ones. Returns the stored events that were replaced.
 * `after` (a replay) also rewrites day files after it that get no new event.
 */
async function storeEvents(storage: Storage, model: string, events: readonly AlertEvent[], replaced: (e: AlertEvent) => boolean, after?: number): Promise<AlertEvent[]> {
  const byDay = new Map<number, AlertEvent[]>();
  if (after !== undefined) for (const day of await storedDays(storage, layout.alertsPrefix(model), after)) byDay.set(day, []);
  for (const event of events) {
    const t = Date.parse(event.at) - 1;
    const day = t - (t % DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), event]);
  }
  const removed: AlertEvent[] = [];
  for (const [day, dayEvents] of [...byDay].sort(([a], [b]) => a - b)) {
    const existing = await readAlertEvents(storage, model, day);
    const ids = new Set(dayEvents.map((e) => e.id));
    const kept = existing.filter((e) => !replaced(e) && !ids.has(e.id));
    removed.push(...existing.filter((e) => replaced(e) || ids.has(e.id)));
    if (dayEvents.length === 0 && kept.length === existing.length) continue;
    const all = [...kept, ...dayEvents].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await storage.write(layout.alertEvents(model, day), JSON.stringify({ events: all }));
  }
  return removed;
}

export async function readAlertEvents(storage: Storage, model: string, dayMs: number): Promise<AlertEvent[]> {
  return readJson(storage, layout.alertEvents(model, dayMs), (raw) => AlertEvent.array().parse((raw as { events?: unknown }).events ?? []), []);
}
