import { alertMessage } from './alert-message';
import type { AlertEvent, AlertEventKind, AlertRule, AlertState, AlertStates, VerdictPoint } from './schemas';

export interface AlertEvaluation {
  /** Every previous state (also of keys without new points) plus the updated ones, keys sorted. */
  states: AlertStates;
  /** Transitions in time order: at most one per point and rule. */
  events: AlertEvent[];
}

/** The identity of one alert: a rule applied to one model × feature × reference. */
export function alertKey(rule: string, model: string, feature: string, reference: string): string {
  return [rule, model, feature, reference].join('|');
}

export function eventId(key: string, kind: AlertEventKind, at: string): string {
  return `${key}|${kind}|${at}`;
}

export function ruleMatches(rule: AlertRule, point: VerdictPoint): boolean {
  return (
    (rule.model === undefined || rule.model === point.model) &&
    (rule.feature === undefined || rule.feature === point.feature) &&
    (rule.reference === undefined || rule.reference === point.reference)
  );
}

/**
 * 'ok' clears, and so does 'not_monitored' (not failing, drift not judged). A breach verdict the rule does not watch (a 'failing' point for a drift-only rule)
 * is neutral: it says nothing about whether the drift went away, so it neither resolves the
 * alert nor extends a streak.
 */
function classify(rule: AlertRule, point: VerdictPoint): 'breach' | 'clear' | 'neutral' {
  if (point.verdict === 'ok' || point.verdict === 'not_monitored') return 'clear';
  return rule.verdicts.includes(point.verdict) ? 'breach' : 'neutral';
}

const SEVERITY = { failing: 3, drift: 2, ok: 1, not_monitored: 0 } as const;

/**
 * Time order; for two points of the same instant the more severe first, so exactly one of them
 * (the worst) is applied whatever order the input had.
 */
function comparePoints(a: VerdictPoint, b: VerdictPoint): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    SEVERITY[b.verdict] - SEVERITY[a.verdict] ||
    compareText(a.metric, b.metric) ||
    (a.value ?? -Infinity) - (b.value ?? -Infinity)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Step {
  state: AlertState;
  event?: AlertEvent;
}

function withoutFiredAt(state: AlertState): AlertState {
  const { fired_at: _firedAt, ...rest } = state;
  return rest;
}

function makeEvent(key: string, rule: AlertRule, point: VerdictPoint, kind: AlertEventKind, since: string, firedAt?: string): AlertEvent {
  return {
    id: eventId(key, kind, point.at),
    rule: rule.name,
    model: point.model,
    feature: point.feature,
    reference: point.reference,
    kind,
    at: point.at,
    window_from: point.window_from,
    window_to: point.window_to,
    verdict: point.verdict,
    metric: point.metric,
    value: point.value,
    threshold: point.threshold,
    ...(point.hint !== undefined ? { hint: point.hint } : {}),
    since,
    ...(firedAt !== undefined ? { fired_at: firedAt } : {}),
    message: alertMessage(kind, point, since, firedAt),
  };
}

function step(key: string, rule: AlertRule, previous: AlertState, point: VerdictPoint): Step {
  const kind = classify(rule, point);
  if (kind === 'neutral') return { state: { ...previous, last_at: point.at } };

  if (kind === 'breach') {
    const breaching_streak = previous.breaching_streak + 1;
    const since = previous.breaching_streak === 0 ? point.at : (previous.since ?? point.at);
    const next: AlertState = { ...previous, breaching_streak, clear_streak: 0, since, last_at: point.at };
    if (previous.status === 'firing') return { state: next };
    if (breaching_streak < rule.fire_after) return { state: { ...next, status: 'pending' } };
    return {
      state: { ...next, status: 'firing', fired_at: point.at },
      event: makeEvent(key, rule, point, 'firing', since),
    };
  }

  const clear_streak = previous.clear_streak + 1;
  const since = previous.clear_streak === 0 ? point.at : (previous.since ?? point.at);
  const next: AlertState = { ...previous, breaching_streak: 0, clear_streak, since, last_at: point.at };
  if (previous.status !== 'firing') return { state: withoutFiredAt({ ...next, status: 'ok' }) };
  if (clear_streak < rule.resolve_after) return { state: next };
  return {
    state: withoutFiredAt({ ...next, status: 'ok' }),
    event: makeEvent(key, rule, point, 'resolved', since, previous.fired_at),
  };
}

/**
 * Apply new verdict points to the alert states of every matching rule, with hysteresis: fire
 * after `fire_after` consecutive breaching points, resolve after `resolve_after` clear ones.
 * Pure and deterministic; points at or before a state's `last_at` were applied before and are
 * skipped, so re-running an evaluation (or feeding overlapping batches) changes nothing.
 * Rules must be parsed (`AlertRule.parse`) so their defaults are filled in.
 */
export function evaluateAlerts(rules: readonly AlertRule[], previousStates: AlertStates, points: readonly VerdictPoint[]): AlertEvaluation {
  const names = new Set<string>();
  for (const rule of rules) {
    if (names.has(rule.name)) throw new Error(`alert rule name "${rule.name}" is used more than once`);
    names.add(rule.name);
  }

  const states = new Map<string, AlertState>(Object.entries(previousStates));
  const events: AlertEvent[] = [];
  for (const point of [...points].sort(comparePoints)) {
    const at = Date.parse(point.at);
    for (const rule of rules) {
      if (!ruleMatches(rule, point)) continue;
      const key = alertKey(rule.name, point.model, point.feature, point.reference);
      const previous = states.get(key);
      if (previous && at <= Date.parse(previous.last_at)) continue;
      const initial: AlertState = {
        rule: rule.name,
        model: point.model,
        feature: point.feature,
        reference: point.reference,
        status: 'ok',
        breaching_streak: 0,
        clear_streak: 0,
        last_at: point.at,
      };
      const { state, event } = step(key, rule, previous ?? initial, point);
      states.set(key, state);
      if (event) events.push(event);
    }
  }

  const sortedStates = Object.fromEntries([...states.entries()].sort(([a], [b]) => compareText(a, b)));
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareText(a.id, b.id));
  return { states: sortedStates, events };
}
