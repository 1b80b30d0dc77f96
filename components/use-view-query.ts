'use client';
import { keepPreviousData, useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { refreshesItself, REFRESH_MS, viewArgsOf, type ViewArgs } from './queries/view-args';
import type { RefreshState } from './ViewControls';

/** The view arguments of the browser's URL (same reading as the server page's). */
export function useViewArgs(): ViewArgs {
  const params = useSearchParams();
  return viewArgsOf((name) => params.get(name));
}

/**
 * A page's query: hydrated from the server's prefetch, refetched every minute while the window is
 * relative and auto-refresh is not paused (`refresh=0`); the previous data stays while a new
 * window loads.
 */
export function useViewQuery<T, K extends QueryKey>(options: UseQueryOptions<T, Error, T, K>, args: ViewArgs) {
  const auto = refreshesItself(args, useSearchParams().get('refresh'));
  const query = useQuery({ ...options, refetchInterval: auto ? REFRESH_MS : false, placeholderData: keepPreviousData });
  const refresh: RefreshState = { updatedAt: query.dataUpdatedAt, fetching: query.isFetching, auto };
  return { ...query, refresh };
}

/** The query string other pages' links keep: the view and the time zone. */
export function useLinkSearch(): string {
  const params = useSearchParams();
  const kept = ['window', 'from', 'to', 'reference', 'metric', 'tz', 'refresh'];
  return new URLSearchParams(kept.flatMap((k) => (params.get(k) ? [[k, params.get(k) as string]] : []))).toString();
}
