import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { ErrorBox } from '@/components/ErrorBox';
import { PerformancePageView } from '@/components/PerformancePageView';
import { performanceArgsOf, performanceOptions } from '@/components/queries/performance';
import { serverQueryClient } from '@/components/queries/server-client';
import { dashboardContext, firstParam, listReferences, modelParam, performanceStepParam, performanceView, referenceParam, type PageSearch } from '@/lib/dashboard';
import { layout } from '@/lib/format';
import { loadOrExplain } from '../../../_server/page-data';

export const dynamic = 'force-dynamic';

/** The performance page: prefetches the performance series (same key as the client's), then hydrates. */
export default async function PerformancePage({ params, searchParams }: { params: Promise<{ model: string }>; searchParams: Promise<PageSearch> }) {
  const [{ model: rawModel }, search] = await Promise.all([params, searchParams]);
  const args = performanceArgsOf((name) => firstParam(search, name));
  const client = serverQueryClient();
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const model = modelParam(rawModel);
    const series = await client.fetchQuery({
      ...performanceOptions(model, args),
      queryFn: () => performanceView(ctx, model, { from: args.from, to: args.to, window: args.window, reference: referenceParam(args.reference, ctx.config.evaluation.references[0]), stepMs: performanceStepParam(args.step) }),
    });
    const [references, profiles] = await Promise.all([listReferences(ctx.storage, model), ctx.storage.list(layout.performanceProfilesPrefix(model))]);
    // Figures exist once labels were joined, or — estimates need no label — once the reference is labelled.
    return { model: series.model, references, labelsAdded: profiles.length > 0 || series.windows.some((w) => w.estimated !== null) };
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <PerformancePageView model={result.data.model} references={result.data.references} labelsAdded={result.data.labelsAdded} />
    </HydrationBoundary>
  );
}
