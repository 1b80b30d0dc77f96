import 'server-only';
import { availableProfiles, futureSkewMs, resolveWindow, windowAnchor, WindowError } from '../compare';
import { createShare, MAX_SHARE_MS, parseExpiry } from './auth/share';
import { requireRole } from './auth-role';
import { dashboardContext } from './context';
import { errorResponse } from './http';
import { ApiError, featureParam, modelParam, referenceParam } from './params';

/** Body fields of POST /api/share; anything else is refused by name. */
const FIELDS = ['model', 'feature', 'from', 'to', 'window', 'reference', 'expires'];
const MAX_BODY_BYTES = 4096;

/**
 * POST /api/share {model, feature?, window | from&to, reference?, expires? (default 7d, at most 30d)}
 * → 201 {id, url, expires}: a signed link to that view (docs/security.md), for editors. A relative
 * window is fixed to its current from/to, so the link shows the same data whenever it is opened.
 */
export async function postShare(request: Request): Promise<Response> {
  try {
    await requireRole(request, 'editor');
    const text = await request.text();
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) throw new ApiError(413, `body: at most ${MAX_BODY_BYTES} bytes`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ApiError(400, 'body: not JSON; send e.g. {"model": "checkout-fraud", "window": "24h"}');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'body: must be a JSON object');
    for (const key of Object.keys(body)) if (!FIELDS.includes(key)) throw new ApiError(400, `${key}: unknown field; a share takes ${FIELDS.join(', ')}`);
    const str = (name: string): string | undefined => {
      const v = body[name];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw new ApiError(400, `${name}: must be a string`);
      return v;
    };
    const ctx = await dashboardContext();
    const model = modelParam(str('model') ?? '');
    const feature = str('feature');
    const { anchorMs } = windowAnchor(await availableProfiles(ctx.storage, model), Date.now(), futureSkewMs(ctx.config));
    let window;
    try {
      window = resolveWindow({ from: str('from'), to: str('to'), window: str('window') }, anchorMs, ctx.config.evaluation.window);
    } catch (error) {
      if (error instanceof WindowError) throw new ApiError(400, error.message);
      throw error;
    }
    let ttl: number;
    try {
      ttl = parseExpiry(str('expires') ?? '7d');
    } catch (error) {
      throw new ApiError(400, `expires: ${(error as Error).message.replace(/^--expires /, '')}`);
    }
    if (ttl > MAX_SHARE_MS) throw new ApiError(400, 'expires: a share link lasts at most 30 days');
    const reference = str('reference');
    const view = { model, ...(feature ? { feature: featureParam(feature) } : {}), from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString(), ...(reference ? { reference: referenceParam(reference, reference) } : {}) };
    const share = await createShare(ctx.storage, view, ttl, new URL(request.url).origin);
    return Response.json({ id: share.id, url: share.url, expires: share.expires }, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}
