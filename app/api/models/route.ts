import { dashboardContext, jsonRoute, onlyParams, overview, queryParam } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models?window | from&to — every model and its status as of the window's end (default: its latest data). */
export function GET(request: Request): Promise<Response> {
  return jsonRoute(async () => {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['window', 'from', 'to']);
    return { models: await overview(await dashboardContext(), { window: queryParam(q, 'window'), from: queryParam(q, 'from'), to: queryParam(q, 'to') }) };
  });
}
