import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { AlertsView } from '@/components/AlertsView';
import { AlertWorkflowPanel } from '@/components/AlertWorkflowPanel';
import { ErrorBox } from '@/components/ErrorBox';
import { alertsOptions, alertStateOf } from '@/components/queries/alerts';
import { serverQueryClient } from '@/components/queries/server-client';
import { WORKFLOW_STATES, type WorkflowState } from '@/lib/alerts/workflow';
import { listWorkflowAlerts } from '@/lib/alerts/workflow-list';
import { alertDelivery, alertList, dashboardContext, firstParam, listModelNames, type PageSearch } from '@/lib/dashboard';
import { loadOrExplain } from '../_server/page-data';

export const dynamic = 'force-dynamic';

/** The alerts page: the alert workflow (state, owner, notes; `status` and `owner` filter it), then events newest first (as of the URL's `to`). */
export default async function AlertsPage({ searchParams }: { searchParams: Promise<PageSearch> }) {
  const search = await searchParams;
  const state = alertStateOf(firstParam(search, 'state'));
  const to = firstParam(search, 'to') || undefined;
  const status = firstParam(search, 'status');
  const owner = firstParam(search, 'owner') || undefined;
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const query = { state, to };
    await client.fetchQuery({ ...alertsOptions(query), queryFn: () => alertList(ctx, query) });
    const workflowState = (WORKFLOW_STATES as readonly string[]).includes(status ?? '') ? (status as WorkflowState) : undefined;
    const workflow = await listWorkflowAlerts(ctx.storage, await listModelNames(ctx.storage), { state: workflowState, owner, nowMs: Date.now() });
    return { rules: ctx.config.alerts.rules.length, delivery: await alertDelivery(ctx), workflow };
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <AlertsView rules={result.data.rules} delivery={result.data.delivery} workflow={<AlertWorkflowPanel alerts={result.data.workflow} />} />
    </HydrationBoundary>
  );
}
