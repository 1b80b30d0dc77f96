import { queryOptions } from '@tanstack/react-query';
import type { ModelSummary } from '@/lib/dashboard/summary';
import { fetchApi, viewQueryString, type ViewArgs } from './view-args';

export type { ModelSummary };

/** One model's health in plain language: /api/models/{model}/summary for the overview's window. */
export function summaryOptions(model: string, args: ViewArgs) {
  const window: ViewArgs = { window: args.window, from: args.from, to: args.to };
  const key = Object.fromEntries(Object.entries(window).filter(([, v]) => v)) as ViewArgs;
  return queryOptions({
    queryKey: ['summary', model, key] as const,
    queryFn: () => fetchApi<ModelSummary>(`/api/models/${encodeURIComponent(model)}/summary?${viewQueryString(key, ['window', 'from', 'to'])}`),
  });
}
