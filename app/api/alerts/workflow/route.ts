import { alertWorkflowList } from '@/lib/dashboard/alert-workflow-routes';

export const dynamic = 'force-dynamic';

/** GET /api/alerts/workflow?model&state&owner — alerts with state (firing, acknowledged, silenced, resolved), owner and notes. */
export const GET = alertWorkflowList;
