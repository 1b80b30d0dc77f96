import { OPENAPI } from '@/lib/dashboard/openapi';

export const dynamic = 'force-static';

/** GET /api/openapi.json — the API's OpenAPI 3.1 description. */
export function GET(): Response {
  return Response.json(OPENAPI);
}
