import { dashboardContext, jsonRoute, metricParam, modelParam, modelView, onlyParams, queryParam, referenceParam } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/compare?from&to | window, reference, metric — every feature over any window. */
export function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return jsonRoute(async () => {
    const q = new URL(request.url).searchParams;
    onlyParams(q, ['from', 'to', 'window', 'reference', 'metric']);
    const model = modelParam((await params).model);
    const ctx = await dashboardContext();
    return modelView(ctx, model, {
      from: queryParam(q, 'from'),
      to: queryParam(q, 'to'),
      window: queryParam(q, 'window'),
      reference: referenceParam(queryParam(q, 'reference'), ctx.config.evaluation.references[0]),
      metric: metricParam(queryParam(q, 'metric')),
    });
  });
}
