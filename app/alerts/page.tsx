import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { AlertsView } from '@/components/AlertsView';
import { ErrorBox } from '@/components/ErrorBox';
import { alertsOptions, alertStateOf } from '@/components/queries/alerts';
import { serverQueryClient } from '@/components/queries/server-client';
import { alertDelivery, alertList, dashboardContext, firstParam, type PageSearch } from '@/lib/dashboard';
import { loadOrExplain } from '../_server/page-data';

export const dynamic = 'force-dynamic';

/** The alerts page: events newest first (as of the URL's `to`), prefetched into the page's query. */
export default async function AlertsPage({ searchParams }: { searchParams: Promise<PageSearch> }) {
  const search = await searchParams;
  const state = alertStateOf(firstParam(search, 'state'));
  const to = firstParam(search, 'to') || undefined;
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const query = { state, to };
    await client.fetchQuery({ ...alertsOptions(query), queryFn: () => alertList(ctx, query) });
    return { rules: ctx.config.alerts.rules.length, delivery: await alertDelivery(ctx) };
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <AlertsView rules={result.data.rules} delivery={result.data.delivery} />
    </HydrationBoundary>
  );
}
