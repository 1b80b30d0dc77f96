import { alertMessage } from './alert-message';
import { judgePerformance, performanceFeature, type PerformanceJudgement } from './performance-rule';
import { isPerformancePoint, isPerformanceRule, type AlertEvent, type AlertEventKind, type AlertPoint, type AlertRule, type AlertState, type AlertStates, type VerdictPoint } from './schemas';

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

/** Drift rules see verdict points, performance rules performance points; then model, feature and reference narrow. */
export function ruleMatches(rule: AlertRule, point: AlertPoint): boolean {
  if (isPerformanceRule(rule) !== isPerformancePoint(point)) return false;
  return (
    (rule.model === undefined || rule.model === point.model) &&
    (rule.feature === undefined || isPerformancePoint(point) || rule.feature === point.feature) &&
    (rule.reference === undefined || rule.reference === point.reference)
  );
}

/** The feature part of the alert's identity: the feature, or for a performance rule its source and metric. */
function featureOf(rule: AlertRule, point: AlertPoint): string {
  return isPerformanceRule(rule) ? performanceFeature(rule) : (point as VerdictPoint).feature;
}

/**
 * 'ok' clears, and so does 'not_monitored' (not failing, drift not judged). A breach verdict the rule does not watch (a 'failing' point for a drift-only rule)
 * is neutral: it says nothing about whether the drift went away, so it neither resolves the
 * alert nor extends a streak.
 */
function classify(rule: AlertRule, point: VerdictPoint): 'breach' | 'clear' | 'neutral' {
  if (point.verdict === 'ok' || point.verdict === 'not_monitored') return 'clear';
  return rule.verdicts?.includes(point.verdict) ? 'breach' : 'neutral';
}

const SEVERITY = { failing: 3, drift: 2, ok: 1, not_monitored: 0 } as const;

/**
 * Time order; for two points of the same instant the more severe first, so exactly one of them
 * (the worst) is applied whatever order the input had.
 */
function comparePoints(a: AlertPoint, b: AlertPoint): number {
  const byTime = Date.parse(a.at) - Date.parse(b.at);
  if (byTime !== 0 || isPerformancePoint(a) || isPerformancePoint(b)) {
    return byTime || Number(isPerformancePoint(a)) - Number(isPerformancePoint(b)) || compareText(a.reference, b.reference);
  }
  return SEVERITY[b.verdict] - SEVERITY[a.verdict] || compareText(a.metric, b.metric) || (a.value ?? -Infinity) - (b.value ?? -Infinity);
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

/** What one point means for one rule: the drift point as it is, or a performance rule's judgement of its metric. */
type Judged = { kind: 'breach' | 'clear' | 'neutral'; point: AlertPoint; performance?: PerformanceJudgement };

function judge(rule: AlertRule, point: AlertPoint): Judged {
  if (isPerformanceRule(rule) && isPerformancePoint(point)) {
    const performance = judgePerformance(rule, point);
    return { kind: performance.kind, point, performance };
  }
  return { kind: classify(rule, point as VerdictPoint), point };
}

function makeEvent(key: string, rule: AlertRule, judged: Judged, kind: AlertEventKind, state: AlertState, firedAt?: string): AlertEvent {
  const { point, performance } = judged;
  const since = state.since ?? point.at;
  const common = { id: eventId(key, kind, point.at), rule: rule.name, model: point.model, feature: state.feature, reference: point.reference, kind, at: point.at, window_from: point.window_from, window_to: point.window_to };
  const fired = firedAt !== undefined ? { fired_at: firedAt } : {};
  if (performance) {
    const streak = kind === 'firing' ? state.breaching_streak : state.clear_streak;
    return {
      ...common,
      verdict: kind === 'firing' ? 'degraded' : 'ok',
      metric: performance.metric,
      value: performance.value,
      threshold: performance.threshold,
      on: 'performance',
      source: performance.source,
      ...(performance.band ? { band: performance.band } : {}),
      coverage: performance.coverage,
      since,
      ...fired,
      message: performance.message(kind, streak, since, firedAt),
    };
  }
  const p = point as VerdictPoint;
  return {
    ...common,
    verdict: p.verdict,
    metric: p.metric,
    value: p.value,
    threshold: p.threshold,
    ...(p.hint !== undefined ? { hint: p.hint } : {}),
    since,
    ...fired,
    message: alertMessage(kind, p, since, firedAt),
  };
}

function step(key: string, rule: AlertRule, previous: AlertState, judged: Judged): Step {
  const { kind, point } = judged;
  if (kind === 'neutral') return { state: { ...previous, last_at: point.at } };

  if (kind === 'breach') {
    const breaching_streak = previous.breaching_streak + 1;
    const since = previous.breaching_streak === 0 ? point.at : (previous.since ?? point.at);
    const next: AlertState = { ...previous, breaching_streak, clear_streak: 0, since, last_at: point.at };
    if (previous.status === 'firing') return { state: next };
    if (breaching_streak < rule.fire_after) return { state: { ...next, status: 'pending' } };
    const firing: AlertState = { ...next, status: 'firing', fired_at: point.at };
    return { state: firing, event: makeEvent(key, rule, judged, 'firing', firing) };
  }

  const clear_streak = previous.clear_streak + 1;
  const since = previous.clear_streak === 0 ? point.at : (previous.since ?? point.at);
  const next: AlertState = { ...previous, breaching_streak: 0, clear_streak, since, last_at: point.at };
  if (previous.status !== 'firing') return { state: withoutFiredAt({ ...next, status: 'ok' }) };
  if (clear_streak < rule.resolve_after) return { state: next };
  return {
    state: withoutFiredAt({ ...next, status: 'ok' }),
    event: makeEvent(key, rule, judged, 'resolved', next, previous.fired_at),
  };
}

/**
 * Apply new points (verdicts of features, performance of models) to the alert states of every
 * matching rule, with hysteresis: fire after `fire_after` consecutive breaching points, resolve
 * after `resolve_after` clear ones; a neutral point (a verdict the rule does not watch, a
 * performance figure that is missing or under the coverage gate) neither extends nor breaks a streak.
 * Pure and deterministic; points at or before a state's `last_at` were applied before and are
 * skipped, so re-running an evaluation (or feeding overlapping batches) changes nothing.
 * Rules must be parsed (`AlertRule.parse`) so their defaults are filled in.
 */
export function evaluateAlerts(rules: readonly AlertRule[], previousStates: AlertStates, points: readonly AlertPoint[]): AlertEvaluation {
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
      const feature = featureOf(rule, point);
      const key = alertKey(rule.name, point.model, feature, point.reference);
      const previous = states.get(key);
      if (previous && at <= Date.parse(previous.last_at)) continue;
      const initial: AlertState = {
        rule: rule.name,
        model: point.model,
        feature,
        reference: point.reference,
        ...(isPerformanceRule(rule) ? { on: 'performance' as const } : {}),
        status: 'ok',
        breaching_streak: 0,
        clear_streak: 0,
        last_at: point.at,
      };
      const { state, event } = step(key, rule, previous ?? initial, judge(rule, point));
      states.set(key, state);
      if (event) events.push(event);
    }
  }

  const sortedStates = Object.fromEntries([...states.entries()].sort(([a], [b]) => compareText(a, b)));
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareText(a.id, b.id));
  return { states: sortedStates, events };
}
