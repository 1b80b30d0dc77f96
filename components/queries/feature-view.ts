import { queryOptions } from '@tanstack/react-query';
import { fetchApi, viewQueryString, type ViewArgs } from './view-args';
import type { FeaturePageData } from './view-types';

/** The feature page's data: /api/models/{model}/features/{feature} for the view of the URL. */
export function featureViewOptions(model: string, feature: string, args: ViewArgs) {
  return queryOptions({
    queryKey: ['feature-view', model, feature, args] as const,
    queryFn: () => fetchApi<FeaturePageData>(`/api/models/${encodeURIComponent(model)}/features/${encodeURIComponent(feature)}?${viewQueryString(args)}`),
  });
}
