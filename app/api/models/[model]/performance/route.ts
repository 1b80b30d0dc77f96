import { pathSegments, computedRoute, dashboardContext, modelParam, onlyParams, PERFORMANCE_PARAMS, performanceMetricParam, performanceStepParam, performanceView, queryParam, referenceParam } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/**
 * GET /api/models/{model}/performance?window|from&to&step&reference&metric — realised and
 * estimated performance per window, as `driftwatch performance --json`. `metric` (default roc_auc)
 * is checked here and names what the dashboard plots; the answer holds every metric.
 */
export function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return computedRoute(request, async () => {
    const url = new URL(request.url);
    // A malformed encoding in the path is named (400), not a URIError (500); proxy.ts checks it first.
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, PERFORMANCE_PARAMS);
    const model = modelParam((await params).model);
    performanceMetricParam(queryParam(q, 'metric'));
    const stepMs = performanceStepParam(queryParam(q, 'step'));
    const ctx = await dashboardContext();
    return performanceView(ctx, model, {
      from: queryParam(q, 'from'),
      to: queryParam(q, 'to'),
      window: queryParam(q, 'window'),
      reference: referenceParam(queryParam(q, 'reference'), ctx.config.evaluation.references[0]),
      stepMs,
    });
  });
}
