import { z } from 'zod';
import { evaluateAlerts, type AlertEvaluation } from './evaluate-alerts';
import { AlertStates, type AlertEvent, type AlertPoint, type AlertRule } from './schemas';

const DAY_MS = 86_400_000;

/**
 * Alert states as they were at UTC midnights (the state after every point at or before that
 * instant): a replay after re-evaluated windows starts from the last midnight before them
 * instead of from the first evaluation ever.
 */
export const AlertCheckpoints = z.object({
  version: z.literal(1),
  /** ISO instant of a UTC midnight → the states then. */
  checkpoints: z.record(z.iso.datetime(), AlertStates),
});
export type AlertCheckpoints = z.infer<typeof AlertCheckpoints>;

export interface CheckpointedEvaluation extends AlertEvaluation {
  /** Midnight (epoch ms) → states after every point up to it, for each midnight the points reached. */
  checkpoints: Map<number, AlertStates>;
}

/**
 * evaluateAlerts, a day at a time: the same states and events, plus the states at each UTC
 * midnight up to the last point (a midnight after it may still get points, so it is not one yet).
 */
export function evaluateAlertsByDay(rules: readonly AlertRule[], previousStates: AlertStates, points: readonly AlertPoint[]): CheckpointedEvaluation {
  const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const lastAt = sorted.length > 0 ? Date.parse(sorted[sorted.length - 1].at) : -Infinity;
  const checkpoints = new Map<number, AlertStates>();
  let evaluation = evaluateAlerts(rules, previousStates, []);
  const events: AlertEvent[] = [];
  let i = 0;
  while (i < sorted.length) {
    const midnight = Math.ceil(Date.parse(sorted[i].at) / DAY_MS) * DAY_MS;
    let j = i;
    while (j < sorted.length && Date.parse(sorted[j].at) <= midnight) j++;
    evaluation = evaluateAlerts(rules, evaluation.states, sorted.slice(i, j));
    events.push(...evaluation.events);
    if (midnight <= lastAt) checkpoints.set(midnight, evaluation.states);
    i = j;
  }
  return { states: evaluation.states, events, checkpoints };
}

/** The latest checkpoint strictly before `ms` (its states saw no point at or after `ms`), if any. */
export function checkpointBefore(checkpoints: AlertCheckpoints, ms: number): { at: number; states: AlertStates } | undefined {
  let best: { at: number; states: AlertStates } | undefined;
  for (const [iso, states] of Object.entries(checkpoints.checkpoints)) {
    const at = Date.parse(iso);
    if (at < ms && (best === undefined || at > best.at)) best = { at, states };
  }
  return best;
}

/** Checkpoints after `after` replaced by `fresh`; those older than `keepFrom` dropped. */
export function updateCheckpoints(previous: AlertCheckpoints, fresh: ReadonlyMap<number, AlertStates>, after: number, keepFrom: number): AlertCheckpoints {
  const out = new Map<number, AlertStates>();
  for (const [iso, states] of Object.entries(previous.checkpoints)) {
    const at = Date.parse(iso);
    if (at <= after) out.set(at, states);
  }
  for (const [at, states] of fresh) out.set(at, states);
  const kept = [...out.entries()].filter(([at]) => at >= keepFrom).sort(([a], [b]) => a - b);
  return { version: 1, checkpoints: Object.fromEntries(kept.map(([at, states]) => [new Date(at).toISOString(), states])) };
}
