import { pathSegments, computedRoute, dashboardContext, modelParam, modelSummary, onlyParams, queryParam, referenceParam } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/**
 * GET /api/models/{model}/summary?window|from&to&reference — the model's health in plain language
 * as of the window's end: status, headline, incidents, performance, what changed in 7 days, links.
 */
export function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return computedRoute(request, async () => {
    const url = new URL(request.url);
    // A malformed encoding in the path is named (400), not a URIError (500); proxy.ts checks it first.
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, ['from', 'to', 'window', 'reference']);
    const model = modelParam((await params).model);
    const ctx = await dashboardContext();
    return modelSummary(ctx, model, {
      from: queryParam(q, 'from'),
      to: queryParam(q, 'to'),
      window: queryParam(q, 'window'),
      reference: referenceParam(queryParam(q, 'reference'), ctx.config.evaluation.references[0]),
    });
  });
}
