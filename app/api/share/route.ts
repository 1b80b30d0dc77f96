import { postShare } from '@/lib/dashboard/share-route';

export const dynamic = 'force-dynamic';

/** POST /api/share {model, feature?, window | from&to, reference?, expires?} — a signed link to that view, for editors (201). */
export function POST(request: Request): Promise<Response> {
  return postShare(request);
}
