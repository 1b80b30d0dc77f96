import { deleteSnapshotRoute, getSnapshot } from '@/lib/report/snapshot-routes';

export const dynamic = 'force-dynamic';

/** GET /api/snapshots/{id}[?format=html] — the frozen view (JSON) or its report. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return getSnapshot(request, (await params).id);
}

/** DELETE /api/snapshots/{id} — 204. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return deleteSnapshotRoute(request, (await params).id);
}
