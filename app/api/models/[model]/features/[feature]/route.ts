import { dashboardContext, featureParam, featureView, jsonRoute, modelParam, onlyParams, queryParam, viewQuery } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/features/{feature}?from&to | window, reference, metric — distributions of live and every reference. */
export function GET(request: Request, { params }: { params: Promise<{ model: string; feature: string }> }): Promise<Response> {
  return jsonRoute(async () => {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['from', 'to', 'window', 'reference', 'metric']);
    const p = await params;
    const model = modelParam(p.model);
    const feature = featureParam(p.feature);
    const ctx = await dashboardContext();
    return featureView(ctx, model, feature, viewQuery((name) => queryParam(q, name), ctx.config.evaluation.references[0]));
  });
}
