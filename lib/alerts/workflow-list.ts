import { layout } from '../format';
import type { Storage } from '../storage/storage';
import { AlertEvent } from './schemas';
import { alertIdOf, workflowState, workflowView, type AlertWorkflowView, type WorkflowState } from './workflow';
import { readAlertWorkflow } from './workflow-store';

/** One alert (rule × model × feature × reference) with its latest event and what people did about it. */
export interface WorkflowAlert {
  id: string;
  rule: string;
  model: string;
  feature: string;
  reference: string;
  state: WorkflowState;
  /** The latest event of the alert (firing or resolved). */
  last_event: { kind: AlertEvent['kind']; at: string; message: string };
  workflow: AlertWorkflowView;
}

async function modelEvents(storage: Storage, model: string): Promise<AlertEvent[]> {
  const out: AlertEvent[] = [];
  for (const key of await storage.list(layout.alertsPrefix(model))) {
    if (!/day=\d{4}-\d{2}-\d{2}\.json$/.test(key)) continue;
    const bytes = await storage.read(key);
    if (bytes === undefined) continue;
    const parsed = AlertEvent.array().safeParse((JSON.parse(new TextDecoder().decode(bytes)) as { events?: unknown }).events ?? []);
    if (parsed.success) out.push(...parsed.data);
  }
  return out;
}

/** Alerts of the models, newest event first, filtered by workflow state and owner. */
export async function listWorkflowAlerts(storage: Storage, models: readonly string[], query: { state?: WorkflowState; owner?: string; nowMs: number }): Promise<WorkflowAlert[]> {
  const out: WorkflowAlert[] = [];
  for (const model of models) {
    const workflow = await readAlertWorkflow(storage, model);
    const latest = new Map<string, AlertEvent>();
    for (const e of await modelEvents(storage, model)) {
      const id = alertIdOf(e);
      const seen = latest.get(id);
      if (!seen || Date.parse(e.at) > Date.parse(seen.at) || (e.at === seen.at && e.kind === 'resolved')) latest.set(id, e);
    }
    for (const [id, e] of latest) {
      const view = workflowView(workflow, id, query.nowMs);
      const state = workflowState(e.kind === 'firing', view);
      if (query.state && state !== query.state) continue;
      if (query.owner !== undefined && view.owner?.name !== query.owner) continue;
      out.push({ id, rule: e.rule, model: e.model, feature: e.feature, reference: e.reference, state, last_event: { kind: e.kind, at: e.at, message: e.message }, workflow: view });
    }
  }
  return out.sort((a, b) => (a.last_event.at < b.last_event.at ? 1 : a.last_event.at > b.last_event.at ? -1 : a.id.localeCompare(b.id)));
}
