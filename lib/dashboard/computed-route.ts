import 'server-only';
import { withOutcome } from './heavy-work';
import { jsonRoute } from './http';

/** The header that says how a route got its heavy result: computed, shared or cached (lib/dashboard/heavy-work.ts). */
export const COMPUTED_HEADER = 'x-driftwatch-computed';

/** jsonRoute for routes that may compute (compare, feature, trend), with COMPUTED_HEADER on the answer. */
export async function computedRoute<T>(work: () => Promise<T>): Promise<Response> {
  const { value: response, outcome } = await withOutcome(() => jsonRoute(work));
  response.headers.set(COMPUTED_HEADER, outcome);
  return response;
}
