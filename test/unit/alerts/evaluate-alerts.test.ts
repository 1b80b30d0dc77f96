import { describe, expect, it } from 'vitest';
import { alertKey, AlertStates, evaluateAlerts, type AlertEvent, type AlertRule, type VerdictPoint } from '@/lib/alerts';
import { hourIso, point, rule, sequence } from './points';

const KEY = alertKey('drift', 'checkout-fraud', 'time_to_order', 'test');

/** Feed points one evaluation at a time, as the hourly job does, collecting every event. */
function runHourly(rules: AlertRule[], points: VerdictPoint[]) {
  let states: AlertStates = {};
  const events: AlertEvent[] = [];
  const statuses: string[] = [];
  for (const p of points) {
    const result = evaluateAlerts(rules, states, [p]);
    states = result.states;
    events.push(...result.events);
    statuses.push(states[KEY]?.status ?? '-');
  }
  return { states, events, statuses };
}

describe('evaluateAlerts: hysteresis', () => {
  it('fires exactly on the fire_after-th consecutive breach, pending before', () => {
    const { events, statuses } = runHourly([rule({ fire_after: 3 })], sequence('oddddo'));
    expect(statuses).toEqual(['ok', 'pending', 'pending', 'firing', 'firing', 'firing']);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['firing', hourIso(3)]]);
    expect(events[0].since).toBe(hourIso(1));
  });

  it('fires on the first breach when fire_after is 1', () => {
    const { events, statuses } = runHourly([rule({ fire_after: 1 })], sequence('od'));
    expect(statuses).toEqual(['ok', 'firing']);
    expect(events.map((e) => e.kind)).toEqual(['firing']);
  });

  it('does not flap on alternating verdicts, neither before firing nor while firing', () => {
    const before = runHourly([rule({ fire_after: 2 })], sequence('dododododo'));
    expect(before.events).toEqual([]);
    expect(before.statuses).toEqual(['pending', 'ok', 'pending', 'ok', 'pending', 'ok', 'pending', 'ok', 'pending', 'ok']);

    const during = runHourly([rule({ fire_after: 2, resolve_after: 3 })], sequence('dd' + 'oodood'.repeat(3)));
    expect(during.events.map((e) => e.kind)).toEqual(['firing']);
    expect(during.statuses.slice(1).every((s) => s === 'firing')).toBe(true);
  });

  it('resolves after resolve_after consecutive clear points, then can fire again', () => {
    const { events, statuses, states } = runHourly([rule({ fire_after: 2, resolve_after: 3 })], sequence('ddooodd'));
    expect(statuses).toEqual(['pending', 'firing', 'firing', 'firing', 'ok', 'pending', 'firing']);
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['firing', hourIso(1)],
      ['resolved', hourIso(4)],
      ['firing', hourIso(6)],
    ]);
    const resolved = events[1];
    expect(resolved.verdict).toBe('ok');
    expect(resolved.since).toBe(hourIso(2));
    expect(resolved.fired_at).toBe(hourIso(1));
    expect(states[KEY]).toEqual({
      rule: 'drift', model: 'checkout-fraud', feature: 'time_to_order', reference: 'test',
      status: 'firing', breaching_streak: 2, clear_streak: 0, since: hourIso(5), fired_at: hourIso(6), last_at: hourIso(6),
    });
  });

  it('gives the same result in one batch as hour by hour', () => {
    const points = sequence('oddooodddodoooo');
    const rules = [rule({ fire_after: 2, resolve_after: 3 })];
    const hourly = runHourly(rules, points);
    const batch = evaluateAlerts(rules, {}, points);
    expect(batch.events).toEqual(hourly.events);
    expect(batch.states).toEqual(hourly.states);
  });

  it('keeps separate keys independent (feature, model, reference, rule)', () => {
    const rules = [rule({ name: 'fast', fire_after: 1 }), rule({ name: 'slow', fire_after: 3 })];
    const points = [
      ...sequence('ddd'),
      ...sequence('dod', { feature: 'amount' }),
      ...sequence('ooo', { model: 'car-loan' }),
      ...sequence('dd', { reference: 'train' }),
    ];
    const { states, events } = evaluateAlerts(rules, {}, points);
    const status = (r: string, model: string, feature: string, reference: string) => states[alertKey(r, model, feature, reference)].status;
    expect(status('fast', 'checkout-fraud', 'time_to_order', 'test')).toBe('firing');
    expect(status('slow', 'checkout-fraud', 'time_to_order', 'test')).toBe('firing');
    expect(status('fast', 'checkout-fraud', 'amount', 'test')).toBe('firing');
    expect(status('slow', 'checkout-fraud', 'amount', 'test')).toBe('pending');
    expect(status('fast', 'car-loan', 'time_to_order', 'test')).toBe('ok');
    expect(status('slow', 'checkout-fraud', 'time_to_order', 'train')).toBe('pending');
    expect(Object.keys(states)).toHaveLength(8);
    expect(events.map((e) => e.id)).toEqual([
      `fast|checkout-fraud|amount|test|firing|${hourIso(0)}`,
      `fast|checkout-fraud|time_to_order|test|firing|${hourIso(0)}`,
      `fast|checkout-fraud|time_to_order|train|firing|${hourIso(0)}`,
      `slow|checkout-fraud|time_to_order|test|firing|${hourIso(2)}`,
    ]);
  });

  it('is idempotent: re-running with its own output states changes nothing', () => {
    const rules = [rule()];
    const points = sequence('oddoooddd');
    const first = evaluateAlerts(rules, {}, points);
    const again = evaluateAlerts(rules, first.states, points);
    expect(again.events).toEqual([]);
    expect(again.states).toEqual(first.states);
    // Overlapping batches: only the new hour counts.
    const next = evaluateAlerts(rules, first.states, [...points, point(9, 'ok')]);
    expect(next.events).toEqual([]);
    expect(next.states[KEY].clear_streak).toBe(1);
    expect(next.states[KEY].last_at).toBe(hourIso(9));
  });

  it('sorts out-of-order input and ignores points older than the state', () => {
    const rules = [rule({ fire_after: 2, resolve_after: 2 })];
    const points = sequence('ddoo');
    const shuffled = [points[2], points[0], points[3], points[1]];
    expect(evaluateAlerts(rules, {}, shuffled)).toEqual(evaluateAlerts(rules, {}, points));

    const { states } = evaluateAlerts(rules, {}, points);
    const late = evaluateAlerts(rules, states, [point(1, 'drift'), point(2, 'drift')]);
    expect(late.states).toEqual(states);
  });

  it('applies the worst of two points for the same hour, whatever their order', () => {
    const rules = [rule({ fire_after: 1 })];
    const a = evaluateAlerts(rules, {}, [point(0, 'ok'), point(0, 'drift')]);
    const b = evaluateAlerts(rules, {}, [point(0, 'drift'), point(0, 'ok')]);
    expect(a).toEqual(b);
    expect(a.events.map((e) => e.verdict)).toEqual(['drift']);
  });

  it('is pure: inputs are not mutated and output is a fresh object', () => {
    const rules = [rule()];
    const points = sequence('ddd');
    const previous = evaluateAlerts(rules, {}, sequence('d')).states;
    const frozen = JSON.stringify({ rules, points, previous });
    evaluateAlerts(rules, previous, points.slice(1));
    expect(JSON.stringify({ rules, points, previous })).toBe(frozen);
  });

  it('output states round-trip through the AlertStates schema', () => {
    const { states } = evaluateAlerts([rule()], {}, sequence('ddoooddd'));
    expect(AlertStates.parse(JSON.parse(JSON.stringify(states)))).toEqual(states);
  });

  it('compares times as instants, not as strings', () => {
    const rules = [rule({ fire_after: 2 })];
    const { states } = evaluateAlerts(rules, {}, [point(0, 'drift', { at: '2026-11-29T00:00:00.000Z' })]);
    // The same instant, written differently, is a re-run, not a new point.
    const again = evaluateAlerts(rules, states, [point(0, 'drift', { at: '2026-11-29T01:00:00+01:00' })]);
    expect(again.events).toEqual([]);
    expect(again.states[KEY].breaching_streak).toBe(1);
  });

  it('rejects duplicate rule names, whose states would mix', () => {
    expect(() => evaluateAlerts([rule(), rule()], {}, [])).toThrow(/"drift" is used more than once/);
  });
});

describe('evaluateAlerts: rule filters and verdicts', () => {
  it('only applies a rule to its model and feature', () => {
    const rules = [rule({ model: 'checkout-fraud', feature: 'amount', fire_after: 1 })];
    const { states, events } = evaluateAlerts(rules, {}, [
      point(0, 'drift'),
      point(0, 'drift', { feature: 'amount' }),
      point(0, 'drift', { model: 'car-loan', feature: 'amount' }),
    ]);
    expect(Object.keys(states)).toEqual([alertKey('drift', 'checkout-fraud', 'amount', 'test')]);
    expect(events.map((e) => e.feature)).toEqual(['amount']);
  });

  it('filters on reference when the rule names one', () => {
    const rules = [rule({ reference: 'train', fire_after: 1 })];
    const { events } = evaluateAlerts(rules, {}, [point(0, 'drift'), point(0, 'drift', { reference: 'train' })]);
    expect(events.map((e) => e.reference)).toEqual(['train']);
  });

  it('counts failing as breaching for a rule that includes it, mixed with drift', () => {
    const { events } = evaluateAlerts([rule({ fire_after: 3 })], {}, sequence('dfd'));
    expect(events.map((e) => [e.kind, e.verdict, e.since])).toEqual([['firing', 'drift', hourIso(0)]]);
  });

  it('treats a verdict the rule does not watch as neutral: no streak, no resolve', () => {
    const driftOnly = [rule({ verdicts: ['drift'], fire_after: 2, resolve_after: 2 })];
    expect(evaluateAlerts(driftOnly, {}, sequence('ffff')).events).toEqual([]);
    // d f d: the failing point neither breaks nor extends the drift streak.
    expect(evaluateAlerts(driftOnly, {}, sequence('dfd')).events.map((e) => e.at)).toEqual([hourIso(2)]);
    // A feature that goes from drift to failing is not "resolved".
    const { events, states } = evaluateAlerts(driftOnly, {}, sequence('ddffffo'));
    expect(events.map((e) => e.kind)).toEqual(['firing']);
    expect(states[KEY].status).toBe('firing');
    expect(states[KEY].last_at).toBe(hourIso(6));

    const failingOnly = [rule({ verdicts: ['failing'], fire_after: 1 })];
    expect(evaluateAlerts(failingOnly, {}, sequence('ddf')).events.map((e) => [e.verdict, e.at])).toEqual([['failing', hourIso(2)]]);
  });

  it('carries states of keys without new points unchanged', () => {
    const rules = [rule({ fire_after: 1 })];
    const { states } = evaluateAlerts(rules, {}, sequence('d', { feature: 'amount' }));
    const next = evaluateAlerts(rules, states, [point(1, 'ok')]);
    const amountKey = alertKey('drift', 'checkout-fraud', 'amount', 'test');
    expect(next.states[amountKey]).toEqual(states[amountKey]);
    expect(Object.keys(next.states)).toEqual([amountKey, KEY]);
  });
});

describe('alert events', () => {
  it('carry the point that caused them, with a deterministic id', () => {
    const p = point(1, 'drift', { hint: 'values look ×1000 larger: seconds sent as milliseconds?' });
    const { events } = evaluateAlerts([rule()], {}, [point(0, 'drift'), p]);
    expect(events).toEqual([
      {
        id: `drift|checkout-fraud|time_to_order|test|firing|${hourIso(1)}`,
        rule: 'drift',
        model: 'checkout-fraud',
        feature: 'time_to_order',
        reference: 'test',
        kind: 'firing',
        at: p.at,
        window_from: p.window_from,
        window_to: p.window_to,
        verdict: 'drift',
        metric: 'area',
        value: 0.97,
        threshold: 0.12,
        hint: 'values look ×1000 larger: seconds sent as milliseconds?',
        since: hourIso(0),
        message: 'checkout-fraud · time_to_order: drift (area 0.97 ≥ 0.12) since 2026-11-29 00:00 UTC — values look ×1000 larger: seconds sent as milliseconds?',
      },
    ]);
  });
});
