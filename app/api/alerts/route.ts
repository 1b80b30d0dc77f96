import { alertDelivery, alertList, ApiError, dashboardContext, jsonRoute, modelParam, onlyParams, queryParam } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/alerts?model&state&to — alert events, newest first, as of `to` (default: now), and the delivery status per channel. */
export function GET(request: Request): Promise<Response> {
  return jsonRoute(async () => {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['model', 'state', 'to']);
    const model = queryParam(q, 'model');
    const state = queryParam(q, 'state');
    if (state !== null && state !== 'firing' && state !== 'resolved') throw new ApiError(400, `state: must be firing or resolved; got "${state}"`);
    const ctx = await dashboardContext();
    const name = model ? modelParam(model) : undefined;
    const alerts = await alertList(ctx, { model: name, state: state ?? undefined, to: queryParam(q, 'to') });
    return { alerts, delivery: await alertDelivery(ctx, { model: name }) };
  });
}
