import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { ErrorBox } from '@/components/ErrorBox';
import { FeaturePageView } from '@/components/FeaturePageView';
import { featureViewOptions } from '@/components/queries/feature-view';
import { serverQueryClient } from '@/components/queries/server-client';
import { viewArgsOf } from '@/components/queries/view-args';
import { dashboardContext, featureParam, featureView, firstParam, modelParam, viewQuery, type PageSearch } from '@/lib/dashboard';
import { loadOrExplain } from '../../../../_server/page-data';

export const dynamic = 'force-dynamic';

/** The feature page: prefetches the feature view into the page's query (same key as the client's), then hydrates. */
export default async function FeaturePage({ params, searchParams }: { params: Promise<{ model: string; feature: string }>; searchParams: Promise<PageSearch> }) {
  const [p, search] = await Promise.all([params, searchParams]);
  const args = viewArgsOf((name) => firstParam(search, name));
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const model = modelParam(p.model);
    const feature = featureParam(p.feature);
    return client.fetchQuery({ ...featureViewOptions(model, feature, args), queryFn: () => featureView(ctx, model, feature, viewQuery((name) => args[name as keyof typeof args], ctx.config.evaluation.references[0])) });
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <FeaturePageView model={result.data.model} feature={result.data.feature} />
    </HydrationBoundary>
  );
}
