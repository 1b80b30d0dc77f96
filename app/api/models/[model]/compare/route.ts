import { pathSegments, computedRoute, dashboardContext, modelParam, modelView, onlyParams, queryParam, viewQuery } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/compare?from&to | window, reference, metric — every feature over any window. */
export function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return computedRoute(request, async () => {
    const url = new URL(request.url);
    // A malformed encoding in the path is named (400), not a URIError (500); proxy.ts checks it first.
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, ['from', 'to', 'window', 'reference', 'metric']);
    const model = modelParam((await params).model);
    const ctx = await dashboardContext();
    return modelView(ctx, model, viewQuery((name) => queryParam(q, name), ctx.config.evaluation.references[0]));
  });
}
