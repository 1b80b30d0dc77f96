import { queryOptions } from '@tanstack/react-query';

/** The trend route's answer (lib/dashboard/views.ts TrendView, as JSON). */
export interface TrendData {
  metric: string;
  window: string;
  step: string;
  from: string;
  to: string;
  source: string;
  points: { at: string; value: number | null; threshold: number | null; verdict: string | null; failed_rate: number | null; reference_failed_rate: number | null; count?: number }[];
  alerts: { id: string; kind: string; at: string }[];
}

export interface TrendParams {
  feature: string;
  reference: string;
  /** The verdict metric override, if any. */
  metric?: string;
  /** The plotted range (ISO instants). */
  from: string;
  to: string;
  /** Length of each trend window and the step between them ("24h", "1h"); the route's defaults when absent. */
  window?: string;
  step?: string;
}

/** GET /api/models/{model}/trend for one feature: shared by a server prefetch and the trend charts' useQuery. */
export function trendOptions(model: string, params: TrendParams) {
  // Absent and empty options are the same request, so they make the same key.
  const key: TrendParams = { feature: params.feature, reference: params.reference, from: params.from, to: params.to };
  for (const k of ['metric', 'window', 'step'] as const) if (params[k]) key[k] = params[k];
  return queryOptions({
    queryKey: ['trend', model, key] as const,
    queryFn: async ({ signal }): Promise<TrendData> => {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(key)) if (typeof v === 'string') query.set(k, v);
      const response = await fetch(`/api/models/${encodeURIComponent(model)}/trend?${query.toString()}`, { signal, headers: { accept: 'application/json' } });
      const body = (await response.json().catch(() => ({}))) as TrendData & { error?: string };
      if (!response.ok) throw new Error(body.error ?? `trend: HTTP ${response.status}`);
      return body;
    },
  });
}
