import { layout } from '../format';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
import { addAction, AlertWorkflow, emptyWorkflow, type WorkflowAction } from './workflow';

/** `models/<model>/state/alert-workflow.json`, beside alert-state.json (docs/format.md, "Alert workflow"). */
export function alertWorkflowKey(model: string): string {
  return layout.alertState(model).replace(/alert-state\.json$/, 'alert-workflow.json');
}

/** The model's workflow actions, or none when nobody acted yet; a damaged file names its key. */
export async function readAlertWorkflow(storage: Storage, model: string): Promise<AlertWorkflow> {
  const key = alertWorkflowKey(model);
  const bytes = await storage.read(key);
  if (bytes === undefined) return emptyWorkflow();
  try {
    return AlertWorkflow.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new DamagedFileError(key, damageReason(error), storage.url);
  }
}

/**
 * Append one action (read, add, write whole). Two people acting in the same instant on the same
 * model may lose one action: editors act by hand, seconds apart, so no lock is taken.
 */
export async function recordAlertAction(storage: Storage, model: string, action: WorkflowAction): Promise<AlertWorkflow> {
  const next = addAction(await readAlertWorkflow(storage, model), action);
  await storage.write(alertWorkflowKey(model), JSON.stringify(next));
  return next;
}
