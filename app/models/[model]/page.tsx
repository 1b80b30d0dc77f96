import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { ErrorBox } from '@/components/ErrorBox';
import { ModelPageView } from '@/components/ModelPageView';
import { modelViewOptions } from '@/components/queries/model-view';
import { serverQueryClient } from '@/components/queries/server-client';
import { viewArgsOf } from '@/components/queries/view-args';
import { dashboardContext, firstParam, modelParam, modelView, viewQuery, type PageSearch } from '@/lib/dashboard';
import { loadOrExplain } from '../../_server/page-data';

export const dynamic = 'force-dynamic';

/** The model page: prefetches the compare view into the page's query (same key as the client's), then hydrates. */
export default async function ModelPage({ params, searchParams }: { params: Promise<{ model: string }>; searchParams: Promise<PageSearch> }) {
  const [{ model: rawModel }, search] = await Promise.all([params, searchParams]);
  const args = viewArgsOf((name) => firstParam(search, name));
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const model = modelParam(rawModel);
    return client.fetchQuery({ ...modelViewOptions(model, args), queryFn: () => modelView(ctx, model, viewQuery((name) => args[name as keyof typeof args], ctx.config.evaluation.references[0])) });
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <ModelPageView model={result.data.model} />
    </HydrationBoundary>
  );
}
