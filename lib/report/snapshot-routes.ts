import 'server-only';
import { z } from 'zod';
import { ApiError, dashboardContext, errorResponse, jsonRoute, modelParam, onlyParams, viewQuery, type DashboardContext } from '../dashboard';
import { createSnapshot, deleteSnapshot, listSnapshots, readSnapshot, readSnapshotReport, snapshotIdParam, type SnapshotQuery } from './snapshots';
import { requireRole } from '../dashboard/auth-role';

/** The body of POST /api/snapshots: the view to freeze, as the model page's URL carries it. */
export const SnapshotRequest = z.strictObject({
  model: z.string().max(200),
  window: z.string().max(40).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  reference: z.string().max(200).optional(),
  metric: z.string().max(40).optional(),
});

const MAX_BODY_BYTES = 4096;

async function parseBody(request: Request): Promise<z.infer<typeof SnapshotRequest>> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError(413, `body: at most ${MAX_BODY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'body: not JSON; send {"model": "…", "window": "12h"} or {"model": "…", "from": "…", "to": "…"}');
  }
  const parsed = SnapshotRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** POST /api/snapshots: 201 with the snapshot's id, creation time and link. */
export async function postSnapshot(request: Request, ctx?: DashboardContext): Promise<Response> {
  try {
    // Snapshots write to the store: editors only (viewers and share links get 403).
    await requireRole(request, 'editor');
    onlyParams(new URL(request.url).searchParams, []);
    const body = await parseBody(request);
    const model = modelParam(body.model);
    const context = ctx ?? (await dashboardContext());
    const asked: SnapshotQuery = Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== 'model' && v !== undefined && v !== ''));
    const query = viewQuery((name) => asked[name as keyof SnapshotQuery] ?? null, context.config.evaluation.references[0]);
    const s = await createSnapshot(context, model, query, asked);
    return Response.json({ id: s.id, created_at: s.created_at, model: s.model, query: s.query, url: `/snapshots/${s.id}`, report: `/api/snapshots/${s.id}?format=html` }, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET /api/snapshots: every snapshot, newest first. */
export function getSnapshots(request: Request, ctx?: DashboardContext): Promise<Response> {
  return jsonRoute(async () => {
    onlyParams(new URL(request.url).searchParams, []);
    return { snapshots: await listSnapshots(ctx ?? (await dashboardContext())) };
  });
}

/** GET /api/snapshots/{id}[?format=html]: the frozen snapshot (JSON), or its report as made then. */
export async function getSnapshot(request: Request, rawId: string, ctx?: DashboardContext): Promise<Response> {
  try {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['format']);
    const format = q.getAll('format');
    if (format.length > 1 || (format[0] !== undefined && format[0] !== 'json' && format[0] !== 'html')) throw new ApiError(400, 'format: json or html, once');
    const id = snapshotIdParam(rawId);
    const context = ctx ?? (await dashboardContext());
    if (format[0] === 'html') {
      return new Response(await readSnapshotReport(context, id), {
        headers: { 'content-type': 'text/html; charset=utf-8', 'content-disposition': `attachment; filename="driftwatch-snapshot-${id}.html"`, 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" },
      });
    }
    return Response.json(await readSnapshot(context, id), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** DELETE /api/snapshots/{id}: 204, or 404 when there is no such snapshot. */
export async function deleteSnapshotRoute(request: Request, rawId: string, ctx?: DashboardContext): Promise<Response> {
  try {
    await requireRole(request, 'editor');
    onlyParams(new URL(request.url).searchParams, []);
    await deleteSnapshot(ctx ?? (await dashboardContext()), snapshotIdParam(rawId));
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}
