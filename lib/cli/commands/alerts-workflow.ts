import { actOnAlert, type ActRequest } from '../../alerts/workflow-act';
import { listWorkflowAlerts } from '../../alerts/workflow-list';
import { WORKFLOW_STATES, WorkflowInputError, type WorkflowState } from '../../alerts/workflow';
import { alertWorkflowKey } from '../../alerts/workflow-store';
import { listModels } from '../../profile/model-store';
import { CliError } from '../cli-error';
import { openStore, storeLocation } from '../store-context';
import type { CommandSpec } from './index';

type Values = Parameters<CommandSpec['run']>[0];
const str = (values: Values, name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
const store = { store: { type: 'string' } } as const;
const ID_HELP = 'ALERT_ID is rule|model|feature|reference, as `driftwatch alerts list` prints it (quote it: it holds "|")';

function need(values: Values, name: string, what: string): string {
  const v = str(values, name);
  if (v === undefined || v.trim() === '') throw new CliError(`--${name} is required (${what})`);
  return v;
}

/** Who acts: --by, else the login name. */
const who = (values: Values) => str(values, 'by') ?? process.env.USER ?? process.env.USERNAME ?? 'cli';

async function act(values: Values, request: ActRequest, log: (line: string) => void): Promise<number> {
  const s = await openStore(storeLocation(str(values, 'store')));
  try {
    const { models, action } = await actOnAlert(s.storage, request, Date.now());
    const what = 'alert' in action.target ? action.target.alert : `rule ${action.target.rule}`;
    const detail = action.type === 'silence' ? ` until ${action.until}` : action.type === 'assign' ? ` to ${action.owner}` : '';
    log(`${action.type} ${what}${detail} by ${action.by} at ${action.at}; stored in ${models.map(alertWorkflowKey).join(', ') || '(no models in the store)'}`);
    return 0;
  } catch (error) {
    if (error instanceof WorkflowInputError) throw new CliError(error.message);
    throw error;
  }
}

/** `driftwatch alerts ack|silence|assign|note|list` (lib/alerts/workflow.ts). */
export const ALERTS_WORKFLOW_COMMANDS: Record<string, CommandSpec> = {
  'alerts ack': {
    summary: `acknowledge a firing alert (who and when are stored); ${ID_HELP}`,
    usage: '--id ALERT_ID [--by NAME] [--note TEXT]',
    options: { ...store, id: { type: 'string' }, by: { type: 'string' }, note: { type: 'string' } },
    run: (values, ctx) => act(values, { type: 'ack', id: need(values, 'id', ID_HELP), by: who(values), note: str(values, 'note') }, ctx.log),
  },
  'alerts silence': {
    summary: 'silence an alert, or every alert of a rule, until a time: no notifications meanwhile',
    usage: '--id ALERT_ID|RULE | --rule RULE [--model M] (--until 2026-12-10T00:00Z | --for 12h) [--by NAME]',
    options: { ...store, id: { type: 'string' }, rule: { type: 'string' }, model: { type: 'string' }, until: { type: 'string' }, for: { type: 'string' }, by: { type: 'string' } },
    run: (values, ctx) => {
      // `--id NAME` without a '|' names a rule, so `alerts silence ALERT_ID|RULE` reads one argument either way.
      const given = str(values, 'id');
      const id = given?.includes('|') ? given : undefined;
      const rule = str(values, 'rule') ?? (given !== undefined && id === undefined ? given : undefined);
      if (given !== undefined && str(values, 'rule') !== undefined) throw new CliError(`give --id ALERT_ID or --rule RULE (one of them); ${ID_HELP}`);
      if ((id === undefined) === (rule === undefined)) throw new CliError(`give --id ALERT_ID or --rule RULE (one of them); ${ID_HELP}`);
      return act(values, { type: 'silence', id, rule, model: str(values, 'model'), until: str(values, 'until'), for: str(values, 'for'), by: who(values) }, ctx.log);
    },
  },
  'alerts assign': {
    summary: 'give an alert an owner',
    usage: '--id ALERT_ID --owner NAME [--by NAME]',
    options: { ...store, id: { type: 'string' }, owner: { type: 'string' }, by: { type: 'string' } },
    run: (values, ctx) => act(values, { type: 'assign', id: need(values, 'id', ID_HELP), owner: need(values, 'owner', 'who owns the alert'), by: who(values) }, ctx.log),
  },
  'alerts note': {
    summary: 'add a note to an alert',
    usage: '--id ALERT_ID --text TEXT [--by NAME]',
    options: { ...store, id: { type: 'string' }, text: { type: 'string' }, by: { type: 'string' } },
    run: (values, ctx) => act(values, { type: 'note', id: need(values, 'id', ID_HELP), text: need(values, 'text', 'the note'), by: who(values) }, ctx.log),
  },
  'alerts list': {
    summary: 'alerts with their state (firing, acknowledged, silenced, resolved), owner and notes',
    usage: '[--model M] [--state firing|acknowledged|silenced|resolved] [--owner NAME] [--json]',
    options: { ...store, model: { type: 'string' }, state: { type: 'string' }, owner: { type: 'string' }, json: { type: 'boolean' } },
    run: async (values, ctx) => {
      const s = await openStore(storeLocation(str(values, 'store')));
      const state = str(values, 'state');
      if (state !== undefined && !(WORKFLOW_STATES as readonly string[]).includes(state)) throw new CliError(`--state must be one of ${WORKFLOW_STATES.join(', ')}; got "${state}"`);
      const all = await listModels(s.storage);
      const model = str(values, 'model');
      if (model !== undefined && !all.includes(model)) throw new CliError(`no model "${model}" in ${s.storage.url}`);
      const alerts = await listWorkflowAlerts(s.storage, model ? [model] : all, { state: state as WorkflowState | undefined, owner: str(values, 'owner'), nowMs: Date.now() });
      if (values.json) {
        ctx.log(JSON.stringify({ alerts }, null, 2));
        return 0;
      }
      if (alerts.length === 0) ctx.log('no alerts match');
      for (const a of alerts) {
        const w = a.workflow;
        const extra = [
          w.acknowledged && `acked by ${w.acknowledged.by} ${w.acknowledged.at}`,
          w.silenced && `silenced${w.silenced.rule ? ' (rule)' : ''} until ${w.silenced.until} by ${w.silenced.by}`,
          w.owner && `owner ${w.owner.name}`,
          w.notes.length > 0 && `${w.notes.length} note${w.notes.length === 1 ? '' : 's'}`,
        ].filter(Boolean);
        ctx.log(`${a.state.padEnd(12)} ${a.id}  (${a.last_event.kind} ${a.last_event.at})${extra.length ? `  ${extra.join('; ')}` : ''}`);
      }
      return 0;
    },
  },
};
