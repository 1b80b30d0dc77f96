import { reportResponse } from '@/lib/report/report-route';

export const dynamic = 'force-dynamic';

/** GET /api/models/{model}/report?window | from&to, reference, metric — the model view as one self-contained HTML file (an attachment). */
export async function GET(request: Request, { params }: { params: Promise<{ model: string }> }): Promise<Response> {
  return reportResponse(request, (await params).model);
}
