import { queryOptions } from '@tanstack/react-query';
import { fetchApi, viewQueryString, type ViewArgs } from './view-args';
import type { OverviewModel } from './view-types';

/** The overview: /api/models, every model's status as of the window's end. */
export function modelsOptions(args: ViewArgs) {
  const window: ViewArgs = { window: args.window, from: args.from, to: args.to };
  const key = Object.fromEntries(Object.entries(window).filter(([, v]) => v)) as ViewArgs;
  return queryOptions({
    queryKey: ['models', key] as const,
    queryFn: async () => (await fetchApi<{ models: OverviewModel[] }>(`/api/models?${viewQueryString(key, ['window', 'from', 'to'])}`)).models,
  });
}
