import { queryOptions } from '@tanstack/react-query';
import { fetchApi } from './view-args';
import type { AlertItem } from './view-types';

export type AlertState = 'firing' | 'resolved';

export function alertStateOf(value: string | null | undefined): AlertState | undefined {
  return value === 'firing' || value === 'resolved' ? value : undefined;
}

/** Alert events newest first (/api/alerts); with `to`, as of that time (the window end of the URL). */
export function alertsOptions(args: { state?: AlertState; to?: string }) {
  const key = { ...(args.state ? { state: args.state } : {}), ...(args.to ? { to: args.to } : {}) };
  return queryOptions({
    queryKey: ['alerts', key] as const,
    queryFn: async () => (await fetchApi<{ alerts: AlertItem[] }>(`/api/alerts?${new URLSearchParams(key).toString()}`)).alerts,
  });
}
