import 'server-only';
import { withOutcome } from './heavy-work';
import { jsonRoute } from './http';

/** The header that says how a route got its answer: computed, shared or cached (lib/dashboard/heavy-work.ts). */
export const COMPUTED_HEADER = 'x-driftwatch-computed';

/**
 * jsonRoute for the routes that may compute (compare, feature, trend), with COMPUTED_HEADER
 * saying how this request got its answer. Identical requests in flight never get here twice:
 * the answer front (lib/dashboard/front/answer-front.ts) gives them the first one's bytes; below
 * it, identical heavy computations of different requests are shared by HeavyWork.
 */
export async function computedRoute<T>(_request: Request, work: () => Promise<T>): Promise<Response> {
  const { value: response, outcome } = await withOutcome(() => jsonRoute(work));
  response.headers.set(COMPUTED_HEADER, outcome);
  return response;
}
