import { queryOptions } from '@tanstack/react-query';
import type { PerformanceSeries } from '@/lib/labels';
import { fetchApi } from './view-args';

/** What the performance page's data depends on (the chart's metric does not: the answer holds every metric). */
export interface PerformanceArgs {
  window?: string;
  from?: string;
  to?: string;
  step?: string;
  reference?: string;
}

/** The page's defaults: the last 30 days of data, one point a day. */
export const PAGE_WINDOW = '30d';
export const PAGE_STEP = '1d';

/** The performance page's arguments from its URL (page `searchParams` or the browser's), with the page's defaults. */
export function performanceArgsOf(get: (name: string) => string | null | undefined): PerformanceArgs {
  const args: PerformanceArgs = {};
  for (const name of ['window', 'from', 'to', 'step', 'reference'] as const) {
    const value = get(name);
    if (value) args[name] = value;
  }
  if (!args.window && !args.from && !args.to) args.window = PAGE_WINDOW;
  args.step ??= PAGE_STEP;
  return args;
}

export function performanceQueryString(args: PerformanceArgs): string {
  return new URLSearchParams((['window', 'from', 'to', 'step', 'reference'] as const).flatMap((k) => (args[k] ? [[k, args[k] as string]] : []))).toString();
}

/** GET /api/models/{model}/performance: shared by the page's server prefetch and its useQuery. */
export function performanceOptions(model: string, args: PerformanceArgs) {
  return queryOptions({
    queryKey: ['performance', model, args] as const,
    queryFn: () => fetchApi<PerformanceSeries>(`/api/models/${encodeURIComponent(model)}/performance?${performanceQueryString(args)}`),
  });
}
