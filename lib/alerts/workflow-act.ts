import { ModelName } from '../format';
import { listModels } from '../profile/model-store';
import type { Storage } from '../storage/storage';
import { parseAlertId, silenceUntil, WorkflowAction, WorkflowInputError } from './workflow';
import { recordAlertAction } from './workflow-store';

/** One request to act on an alert, as the CLI and the API take it. */
export type ActRequest =
  | { type: 'ack'; id: string; by: string; note?: string }
  | { type: 'silence'; id?: string; rule?: string; model?: string; until?: string; for?: string; by: string }
  | { type: 'assign'; id: string; owner: string; by: string }
  | { type: 'note'; id: string; text: string; by: string };

/** Check an ALERT_ID and that its model exists; returns the model. */
async function modelOfAlert(storage: Storage, id: string): Promise<string> {
  const parsed = parseAlertId(id);
  if (!parsed) throw new WorkflowInputError(`"${id.slice(0, 200)}" is not an alert id (rule|model|feature|reference, as \`driftwatch alerts list\` prints)`);
  if (!ModelName.safeParse(parsed.model).success || !(await listModels(storage)).includes(parsed.model)) throw new WorkflowInputError(`no model "${parsed.model.slice(0, 200)}" in the store`);
  return parsed.model;
}

/**
 * Record one action with who and when. A silence of a rule (no id) is recorded for `model`, or
 * for every model of the store. Returns the models written and the action.
 */
export async function actOnAlert(storage: Storage, request: ActRequest, nowMs: number): Promise<{ models: string[]; action: WorkflowAction }> {
  const base = { by: request.by, at: new Date(nowMs).toISOString() };
  let action: WorkflowAction;
  let models: string[];
  if (request.type === 'silence' && request.id === undefined) {
    if (!request.rule) throw new WorkflowInputError('silence: name an alert id or a rule');
    const all = await listModels(storage);
    if (request.model !== undefined && !all.includes(request.model)) throw new WorkflowInputError(`no model "${request.model.slice(0, 200)}" in the store`);
    models = request.model !== undefined ? [request.model] : all;
    action = { type: 'silence', target: { rule: request.rule }, ...base, until: silenceUntil(request, nowMs) };
  } else {
    const id = request.id as string;
    models = [await modelOfAlert(storage, id)];
    const target = { alert: id };
    if (request.type === 'ack') action = { type: 'ack', target, ...base, ...(request.note ? { note: request.note } : {}) };
    else if (request.type === 'silence') action = { type: 'silence', target, ...base, until: silenceUntil(request, nowMs) };
    else if (request.type === 'assign') action = { type: 'assign', target, ...base, owner: request.owner };
    else action = { type: 'note', target, ...base, text: request.text };
  }
  const checked = WorkflowAction.safeParse(action);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new WorkflowInputError(`${issue.path.filter((p) => p !== 'target').join('.') || 'action'}: ${issue.message}`);
  }
  for (const model of models) await recordAlertAction(storage, model, checked.data);
  return { models, action: checked.data };
}
