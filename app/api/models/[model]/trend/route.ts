import { pathSegments, ApiError, computedRoute, dashboardContext, durationParam, featureParam, metricParam, modelParam, onlyParams, queryParam, referenceParam, trendView } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/trend?feature&metric&window&step&from&to|range&reference — one feature's distance over time. */
export function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return computedRoute(request, async () => {
    const url = new URL(request.url);
    // A malformed encoding in the path is named (400), not a URIError (500); proxy.ts checks it first.
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, ['feature', 'metric', 'window', 'step', 'from', 'to', 'range', 'reference']);
    const model = modelParam((await params).model);
    const featureText = queryParam(q, 'feature');
    if (!featureText) throw new ApiError(400, 'feature: required, e.g. ?feature=time_to_order');
    const ctx = await dashboardContext();
    const window = queryParam(q, 'window') || ctx.config.evaluation.window;
    const step = queryParam(q, 'step') || '1h';
    return trendView(ctx, model, featureParam(featureText), {
      reference: referenceParam(queryParam(q, 'reference'), ctx.config.evaluation.references[0]),
      metric: metricParam(queryParam(q, 'metric')),
      windowMs: durationParam(window, 'window', window),
      stepMs: durationParam(step, 'step', step),
      window,
      step,
      from: queryParam(q, 'from'),
      to: queryParam(q, 'to'),
      range: queryParam(q, 'range'),
    });
  });
}
