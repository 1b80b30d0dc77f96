import { pathSegments, computedRoute, dashboardContext, featureParam, featureView, modelParam, onlyParams, queryParam, viewQuery } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/features/{feature}?from&to | window, reference, metric — distributions of live and every reference. */
export function GET(request: Request, { params }: { params: Promise<{ model: string; feature: string }> }): Promise<Response> {
  return computedRoute(request, async () => {
    const url = new URL(request.url);
    // A malformed encoding in the path is named (400), not a URIError (500); proxy.ts checks it first.
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, ['from', 'to', 'window', 'reference', 'metric']);
    const p = await params;
    const model = modelParam(p.model);
    const feature = featureParam(p.feature);
    const ctx = await dashboardContext();
    return featureView(ctx, model, feature, viewQuery((name) => queryParam(q, name), ctx.config.evaluation.references[0]));
  });
}
