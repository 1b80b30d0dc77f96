import 'server-only';
import { dashboardContext, errorResponse, modelParam, onlyParams, pathSegments, queryParam, viewQuery, type DashboardContext } from '../dashboard';
import { reportData } from './report-data';
import { renderReport } from './render-report';

/** The view parameters a report or a snapshot takes (those of the model page). */
export const REPORT_PARAMS = ['window', 'from', 'to', 'reference', 'metric'] as const;

/** A file name that says what the report is about and is safe in a header. */
export function reportFileName(model: string, toIso: string): string {
  return `driftwatch-${model.replace(/[^A-Za-z0-9._-]/g, '_')}-${toIso.slice(0, 16).replace(/[:]/g, '').replace('T', '-')}.html`;
}

/** An HTML report for the model view of `url`'s query: ctx is given by tests, else the dashboard's. */
export async function reportResponse(request: Request, rawModel: string, ctx?: DashboardContext): Promise<Response> {
  try {
    const url = new URL(request.url);
    pathSegments(url.pathname);
    const q = url.searchParams;
    onlyParams(q, [...REPORT_PARAMS]);
    const model = modelParam(rawModel);
    const context = ctx ?? (await dashboardContext());
    const data = await reportData(context, model, viewQuery((name) => queryParam(q, name), context.config.evaluation.references[0]));
    return new Response(renderReport(data), {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-disposition': `attachment; filename="${reportFileName(model, data.view.window.to)}"`,
        'cache-control': 'no-store',
        // The report runs nothing and loads nothing, even when opened from the dashboard's origin.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
