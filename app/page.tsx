import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { ErrorBox } from '@/components/ErrorBox';
import { OverviewView } from '@/components/OverviewView';
import { modelsOptions } from '@/components/queries/models';
import { serverQueryClient } from '@/components/queries/server-client';
import { viewArgsOf } from '@/components/queries/view-args';
import { dashboardContext, firstParam, overview, type PageSearch } from '@/lib/dashboard';
import { loadOrExplain } from './_server/page-data';

export const dynamic = 'force-dynamic';

/** The overview: every model's status as of the window's end, prefetched into the page's query. */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<PageSearch> }) {
  const search = await searchParams;
  const args = viewArgsOf((name) => firstParam(search, name));
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    return client.fetchQuery({ ...modelsOptions(args), queryFn: () => overview(ctx, { window: args.window, from: args.from, to: args.to }) });
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <OverviewView />
    </HydrationBoundary>
  );
}
