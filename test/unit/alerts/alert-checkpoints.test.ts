import { describe, expect, it } from 'vitest';
import { AlertCheckpoints, checkpointBefore, evaluateAlerts, evaluateAlertsByDay, updateCheckpoints } from '@/lib/alerts';
import { hourIso, point, rule, sequence } from './points';

const MIDNIGHT = (day: number) => Date.parse(hourIso(24 * day));
const rules = [rule({ name: 'drift', verdicts: ['drift'], fire_after: 2, resolve_after: 3 }), rule({ name: 'failing', verdicts: ['failing'], fire_after: 1, resolve_after: 2 })];

describe('evaluateAlertsByDay', () => {
  // 3 days of hourly points (hours 1 … 72), starting mid-streak across midnights.
  const points = sequence('ooooooooooooooooooooodddddddoooooffffooooddoddddddddddddddddddddddddooooo', {}, 1).slice(0, 72);

  it('gives the states and events of evaluateAlerts, in the same order', () => {
    const whole = evaluateAlerts(rules, {}, points);
    const byDay = evaluateAlertsByDay(rules, {}, [...points].reverse());
    expect(byDay.states).toEqual(whole.states);
    expect(byDay.events).toEqual(whole.events);
    expect(whole.events.length).toBeGreaterThan(3);
  });

  it('checkpoints each midnight the points reach, with the state after every point up to it', () => {
    const { checkpoints } = evaluateAlertsByDay(rules, {}, points);
    // Points run from 01:00 on day 0 to 00:00 on day 3: midnights 1, 2 and 3 are complete.
    expect([...checkpoints.keys()]).toEqual([MIDNIGHT(1), MIDNIGHT(2), MIDNIGHT(3)]);
    for (const [at, states] of checkpoints) expect(states).toEqual(evaluateAlerts(rules, {}, points.filter((p) => Date.parse(p.at) <= at)).states);
    // A midnight the points have not reached yet is no checkpoint: later points may still land before it.
    expect([...evaluateAlertsByDay(rules, {}, points.slice(0, 30)).checkpoints.keys()]).toEqual([MIDNIGHT(1)]);
  });

  it('replays from a checkpoint to the same result as from the start', () => {
    const { checkpoints } = evaluateAlertsByDay(rules, {}, points);
    const base = checkpointBefore(updateCheckpoints({ version: 1, checkpoints: {} }, checkpoints, Infinity, 0), MIDNIGHT(2) + 5 * 3_600_000)!;
    expect(base.at).toBe(MIDNIGHT(2));
    const replay = evaluateAlertsByDay(rules, base.states, points.filter((p) => Date.parse(p.at) > base.at));
    const whole = evaluateAlerts(rules, {}, points);
    expect(replay.states).toEqual(whole.states);
    expect(replay.events).toEqual(whole.events.filter((e) => Date.parse(e.at) > base.at));
  });
});

describe('checkpointBefore and updateCheckpoints', () => {
  const states = (n: number) => evaluateAlerts(rules, {}, [point(n, 'drift')]).states;
  const stored = updateCheckpoints({ version: 1, checkpoints: {} }, new Map([[MIDNIGHT(1), states(1)], [MIDNIGHT(2), states(2)], [MIDNIGHT(3), states(3)]]), Infinity, 0);

  it('stores ISO midnights that parse back', () => {
    expect(Object.keys(AlertCheckpoints.parse(JSON.parse(JSON.stringify(stored))).checkpoints)).toEqual([hourIso(24), hourIso(48), hourIso(72)]);
  });

  it('picks the latest checkpoint strictly before the instant: its states saw no point at that instant', () => {
    expect(checkpointBefore(stored, MIDNIGHT(2))?.at).toBe(MIDNIGHT(1));
    expect(checkpointBefore(stored, MIDNIGHT(2) + 1)?.at).toBe(MIDNIGHT(2));
    expect(checkpointBefore(stored, MIDNIGHT(1))).toBeUndefined();
  });

  it('replaces checkpoints after a replay start, keeps those before, and drops the old ones', () => {
    const next = updateCheckpoints(stored, new Map([[MIDNIGHT(3), states(30)]]), MIDNIGHT(1), MIDNIGHT(1));
    expect(next.checkpoints).toEqual({ [hourIso(24)]: states(1), [hourIso(72)]: states(30) });
    expect(Object.keys(updateCheckpoints(stored, new Map(), Infinity, MIDNIGHT(2)).checkpoints)).toEqual([hourIso(48), hourIso(72)]);
  });
});
