import { z } from 'zod';
import type { AlertEvent } from './schemas';

/**
 * What people did about alerts (acknowledge, silence, assign, note), stored per model beside the
 * alert state as an append-only list of actions, each with who and when. Pure: lib/alerts/workflow-store.ts
 * reads and writes it. An alert is named by its alertKey: `rule|model|feature|reference`.
 */
const IsoTime = z.iso.datetime({ offset: true });
const Who = z.string().trim().min(1).max(100);
const RuleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a rule name: letters, digits, ".", "_" or "-"');

/** An alert (its alertKey) or every alert of a rule. */
export const WorkflowTarget = z.union([z.object({ alert: z.string().min(3).max(1000) }), z.object({ rule: RuleName })]);
export type WorkflowTarget = z.infer<typeof WorkflowTarget>;

const common = { by: Who, at: IsoTime };
export const WorkflowAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), target: WorkflowTarget, ...common, note: z.string().max(2000).optional() }),
  z.object({ type: z.literal('silence'), target: WorkflowTarget, ...common, until: IsoTime }),
  z.object({ type: z.literal('assign'), target: WorkflowTarget, ...common, owner: Who }),
  z.object({ type: z.literal('note'), target: WorkflowTarget, ...common, text: z.string().trim().min(1).max(2000) }),
]);
export type WorkflowAction = z.infer<typeof WorkflowAction>;

export const AlertWorkflow = z.object({ version: z.literal(1), actions: z.array(WorkflowAction) });
export type AlertWorkflow = z.infer<typeof AlertWorkflow>;

/** Oldest actions beyond this are dropped, so a file edited for years stays small. */
export const MAX_WORKFLOW_ACTIONS = 5000;

export function emptyWorkflow(): AlertWorkflow {
  return { version: 1, actions: [] };
}

export function addAction(workflow: AlertWorkflow, action: WorkflowAction): AlertWorkflow {
  const actions = [...workflow.actions, WorkflowAction.parse(action)];
  return { version: 1, actions: actions.slice(Math.max(0, actions.length - MAX_WORKFLOW_ACTIONS)) };
}

export interface AlertId {
  rule: string;
  model: string;
  feature: string;
  reference: string;
}

/** Parse an ALERT_ID (`rule|model|feature|reference`; a feature name may itself hold a '|'). */
export function parseAlertId(id: string): AlertId | undefined {
  const parts = id.split('|');
  if (parts.length < 4) return undefined;
  const rule = parts[0];
  const model = parts[1];
  const reference = parts[parts.length - 1];
  const feature = parts.slice(2, -1).join('|');
  if (!rule || !model || !feature || !reference) return undefined;
  return { rule, model, feature, reference };
}

/** The workflow part of one alert as of `nowMs`: the latest of each kind of action, and every note. */
export interface AlertWorkflowView {
  acknowledged: { by: string; at: string; note?: string } | null;
  /** The silence in force (of the alert or of its rule) that ends last, if any. */
  silenced: { by: string; at: string; until: string; rule: boolean } | null;
  owner: { name: string; by: string; at: string } | null;
  notes: { by: string; at: string; text: string }[];
}

function targets(target: WorkflowTarget, alertId: string): boolean {
  if ('alert' in target) return target.alert === alertId;
  return parseAlertId(alertId)?.rule === target.rule;
}

export function workflowView(workflow: AlertWorkflow, alertId: string, nowMs: number): AlertWorkflowView {
  const view: AlertWorkflowView = { acknowledged: null, silenced: null, owner: null, notes: [] };
  // The latest silence of the alert and of its rule each replace the earlier (so an `until` in the past lifts one).
  const silences: { alert?: AlertWorkflowView['silenced']; rule?: AlertWorkflowView['silenced'] } = {};
  for (const a of workflow.actions) {
    if (!targets(a.target, alertId)) continue;
    if (a.type === 'ack') view.acknowledged = { by: a.by, at: a.at, ...(a.note ? { note: a.note } : {}) };
    else if (a.type === 'assign') view.owner = { name: a.owner, by: a.by, at: a.at };
    else if (a.type === 'note') view.notes.push({ by: a.by, at: a.at, text: a.text });
    else silences['rule' in a.target ? 'rule' : 'alert'] = { by: a.by, at: a.at, until: a.until, rule: 'rule' in a.target };
  }
  for (const s of [silences.alert, silences.rule]) {
    if (s && Date.parse(s.until) > nowMs && (view.silenced === null || Date.parse(s.until) > Date.parse(view.silenced.until))) view.silenced = s;
  }
  return view;
}

export type WorkflowState = 'firing' | 'acknowledged' | 'silenced' | 'resolved';
export const WORKFLOW_STATES: readonly WorkflowState[] = ['firing', 'acknowledged', 'silenced', 'resolved'];

/** An open alert is silenced over acknowledged over firing; a closed one is resolved. */
export function workflowState(open: boolean, view: AlertWorkflowView): WorkflowState {
  if (!open) return 'resolved';
  if (view.silenced) return 'silenced';
  if (view.acknowledged) return 'acknowledged';
  return 'firing';
}

/** For the outbox: the silence in force over an event's alert, or undefined when it may notify. */
export function silenceOf(workflow: AlertWorkflow, nowMs: number): (event: AlertEvent) => { until: string } | undefined {
  return (event) => workflowView(workflow, alertIdOf(event), nowMs).silenced ?? undefined;
}

export function alertIdOf(event: Pick<AlertEvent, 'rule' | 'model' | 'feature' | 'reference'>): string {
  return [event.rule, event.model, event.feature, event.reference].join('|');
}

/** `--for 12h` / `until` → the instant a silence ends; durations in m, h, d or w. */
export function silenceUntil(input: { until?: string; for?: string }, nowMs: number): string {
  if (input.until !== undefined && input.for !== undefined) throw new WorkflowInputError('give until or for, not both');
  if (input.until !== undefined) {
    const normalized = /T\d{2}:\d{2}Z$/.test(input.until) ? input.until.replace(/Z$/, ':00Z') : input.until;
    const t = IsoTime.safeParse(normalized).success ? Date.parse(normalized) : NaN;
    if (!Number.isFinite(t)) throw new WorkflowInputError(`until: "${input.until}" is not an ISO time like 2026-12-10T00:00Z`);
    return new Date(t).toISOString();
  }
  if (input.for !== undefined) {
    const m = /^(\d{1,6})(m|h|d|w)$/.exec(input.for);
    if (!m) throw new WorkflowInputError(`for: "${input.for}" is not a duration like 30m, 12h, 7d or 2w`);
    const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
    const ms = Number(m[1]) * unitMs;
    if (ms > 366 * 86_400_000) throw new WorkflowInputError('for: at most a year');
    return new Date(nowMs + ms).toISOString();
  }
  throw new WorkflowInputError('say how long: until (e.g. 2026-12-10T00:00Z) or for (e.g. 12h)');
}

/** Bad input to a workflow action: the CLI prints it, the API answers 400. */
export class WorkflowInputError extends Error {
  override name = 'WorkflowInputError';
}
