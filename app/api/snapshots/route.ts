import { getSnapshots, postSnapshot } from '@/lib/report/snapshot-routes';

export const dynamic = 'force-dynamic';

/** GET /api/snapshots — every frozen view, newest first. */
export function GET(request: Request): Promise<Response> {
  return getSnapshots(request);
}

/** POST /api/snapshots {model, window | from&to, reference, metric} — freeze that view's numbers (201). */
export function POST(request: Request): Promise<Response> {
  return postSnapshot(request);
}
