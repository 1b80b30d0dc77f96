import 'server-only';
import { actOnAlert, type ActRequest } from '../alerts/workflow-act';
import { listWorkflowAlerts } from '../alerts/workflow-list';
import { WORKFLOW_STATES, WorkflowInputError, type WorkflowState } from '../alerts/workflow';
import { requireRole } from './auth-role';
import { dashboardContext } from './context';
import { jsonRoute, onlyParams, queryParam } from './http';
import { ApiError, modelParam } from './params';
import { listModelNames } from './store-reads';

/** Request bodies are a few short fields; anything larger is refused before parsing. */
const MAX_BODY_BYTES = 16_384;

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) throw new ApiError(413, `body: at most ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'body: not JSON; send e.g. {"id": "rule|model|feature|reference"}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'body: must be a JSON object');
  return body as Record<string, unknown>;
}

function field(body: Record<string, unknown>, name: string, required: true): string;
function field(body: Record<string, unknown>, name: string, required?: false): string | undefined;
function field(body: Record<string, unknown>, name: string, required = false): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) throw new ApiError(400, `${name}: required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError(400, `${name}: must be a string`);
  return v;
}

const FIELDS: Record<ActRequest['type'], string[]> = {
  ack: ['id', 'by', 'note'],
  silence: ['id', 'rule', 'model', 'until', 'for', 'by'],
  assign: ['id', 'owner', 'by'],
  note: ['id', 'text', 'by'],
};

/** POST /api/alerts/{ack|silence|assign|note}: an editor's action, stored with who and when. */
export function alertActionRoute(type: ActRequest['type']): (request: Request) => Promise<Response> {
  return (request) =>
    jsonRoute(async () => {
      await requireRole(request, 'editor');
      const body = await readBody(request);
      for (const key of Object.keys(body)) if (!FIELDS[type].includes(key)) throw new ApiError(400, `${key}: unknown field; ${type} takes ${FIELDS[type].join(', ')}`);
      const by = field(body, 'by') ?? 'dashboard';
      let act: ActRequest;
      if (type === 'ack') act = { type, id: field(body, 'id', true), by, note: field(body, 'note') };
      else if (type === 'silence') act = { type, id: field(body, 'id'), rule: field(body, 'rule'), model: field(body, 'model'), until: field(body, 'until'), for: field(body, 'for'), by };
      else if (type === 'assign') act = { type, id: field(body, 'id', true), owner: field(body, 'owner', true), by };
      else act = { type, id: field(body, 'id', true), text: field(body, 'text', true), by };
      if (act.type === 'silence' && (act.id === undefined) === (act.rule === undefined)) throw new ApiError(400, 'id or rule: give one of them');
      const ctx = await dashboardContext();
      try {
        return await actOnAlert(ctx.storage, act, Date.now());
      } catch (error) {
        if (error instanceof WorkflowInputError) throw new ApiError(400, error.message);
        throw error;
      }
    });
}

/** GET /api/alerts/workflow?model&state&owner: one row per alert with its workflow state, owner and notes. */
export function alertWorkflowList(request: Request): Promise<Response> {
  return jsonRoute(async () => {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['model', 'state', 'owner']);
    const state = queryParam(q, 'state');
    if (state !== null && !(WORKFLOW_STATES as readonly string[]).includes(state)) throw new ApiError(400, `state: must be one of ${WORKFLOW_STATES.join(', ')}; got "${state.slice(0, 100)}"`);
    const model = queryParam(q, 'model');
    const owner = queryParam(q, 'owner');
    const ctx = await dashboardContext();
    const all = await listModelNames(ctx.storage);
    const name = model ? modelParam(model) : undefined;
    if (name !== undefined && !all.includes(name)) throw new ApiError(404, `no model "${name}"`);
    const alerts = await listWorkflowAlerts(ctx.storage, name ? [name] : all, { state: (state ?? undefined) as WorkflowState | undefined, owner: owner || undefined, nowMs: Date.now() });
    return { alerts };
  });
}
