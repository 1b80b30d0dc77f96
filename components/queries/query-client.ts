import { defaultShouldDehydrateQuery, environmentManager, QueryClient } from '@tanstack/react-query';

/**
 * TanStack's Next.js app-router setup: the server makes a new client per request (pages call
 * this once per render through React's `cache`, see server-client.ts), the browser keeps one.
 * Data is fresh for 30 s so a hydrated page does not refetch at once; no refetch on focus.
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: 1 },
      dehydrate: { shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === 'pending' },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (environmentManager.isServer()) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
