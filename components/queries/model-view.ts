import { queryOptions } from '@tanstack/react-query';
import { fetchApi, viewQueryString, type ViewArgs } from './view-args';
import type { ModelPageData } from './view-types';

/** The model page's data: /api/models/{model}/compare for the view of the URL. */
export function modelViewOptions(model: string, args: ViewArgs) {
  return queryOptions({
    queryKey: ['model-view', model, args] as const,
    queryFn: () => fetchApi<ModelPageData>(`/api/models/${encodeURIComponent(model)}/compare?${viewQueryString(args)}`),
  });
}
