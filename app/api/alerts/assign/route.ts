import { alertActionRoute } from '@/lib/dashboard/alert-workflow-routes';

export const dynamic = 'force-dynamic';

/** POST /api/alerts/assign — see docs/api.md, "Alert workflow"; editors only (lib/dashboard/auth-role.ts). */
export const POST = alertActionRoute('assign');
