import { dashboardContext, jsonRoute, onlyParams, overview } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models — every model and its status at its latest evaluation. */
export function GET(request: Request): Promise<Response> {
  return jsonRoute(async () => {
    onlyParams(new URL(request.url).searchParams, []);
    return { models: await overview(await dashboardContext()) };
  });
}
