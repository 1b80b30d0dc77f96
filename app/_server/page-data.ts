import 'server-only';
import { notFound } from 'next/navigation';
import { ConfigError, NotFoundError } from '@/lib/compare';
import { ApiError } from '@/lib/dashboard/params';

/**
 * Page-level handling of lib/dashboard errors. 404 → notFound(): the page answers 404 and
 * app/not-found.tsx shows the API's message. A 400 is answered by proxy.ts before the page runs;
 * what still reaches here (and a 503: no store) becomes a message that says what to do.
 */
export async function loadOrExplain<T>(work: () => Promise<T>): Promise<{ data: T } | { error: string }> {
  try {
    return { data: await work() };
  } catch (error) {
    if ((error instanceof ApiError && error.status === 404) || error instanceof NotFoundError) notFound();
    if (error instanceof ApiError || error instanceof ConfigError) return { error: error.message };
    throw error;
  }
}
