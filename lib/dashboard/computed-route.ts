import 'server-only';
import { dashboardStoreLocation } from './context';
import { withOutcome, type Outcome } from './heavy-work';
import { jsonRoute } from './http';

/** The header that says how a route got its answer: computed, shared or cached (lib/dashboard/heavy-work.ts). */
export const COMPUTED_HEADER = 'x-driftwatch-computed';

/**
 * How long a finished answer is reused for the same URL: DRIFTWATCH_ANSWER_TTL_MS, default 0
 * (only requests in flight share, so a replaced store file shows at once). With 1000, a hundred
 * people on one view cost one answer a second instead of a hundred sets of version checks, at
 * the price of answers up to a second old.
 */
export function answerTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DRIFTWATCH_ANSWER_TTL_MS ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

interface Answer {
  status: number;
  body: string;
  headers: [string, string][];
  outcome: Outcome;
}

const MAX_ANSWERS = 1000;
const answers = new Map<string, { at: number; done: boolean; answer: Promise<Answer> }>();

async function answer<T>(work: () => Promise<T>): Promise<Answer> {
  const { value: response, outcome } = await withOutcome(() => jsonRoute(work));
  return { status: response.status, body: await response.text(), headers: [...response.headers], outcome };
}

/**
 * jsonRoute for the routes that may compute (compare, feature, trend): identical requests (same
 * URL, same store) in flight share one answer, a finished 200 is reused for answerTtlMs (if set), and
 * COMPUTED_HEADER says which it was for this request.
 */
export async function computedRoute<T>(request: Request, work: () => Promise<T>): Promise<Response> {
  const url = new URL(request.url);
  const key = `${dashboardStoreLocation()}|${url.pathname}${url.search}`;
  const now = Date.now();
  const known = answers.get(key);
  let outcome: Outcome;
  let pending: Promise<Answer>;
  if (known && (!known.done || now - known.at < answerTtlMs())) {
    pending = known.answer;
    outcome = known.done ? 'cached' : 'shared';
  } else {
    const entry = { at: now, done: false, answer: answer(work) };
    answers.set(key, entry);
    pending = entry.answer;
    entry.answer.then(
      (a) => {
        entry.done = true;
        entry.at = Date.now();
        if (a.status !== 200 || answerTtlMs() === 0) answers.delete(key);
      },
      () => answers.delete(key),
    );
    while (answers.size > MAX_ANSWERS) answers.delete(answers.keys().next().value as string);
    outcome = 'computed';
  }
  const a = await pending;
  const response = new Response(a.body, { status: a.status, headers: a.headers });
  // The request that ran the work reports what it took (computed, or cached lower down).
  response.headers.set(COMPUTED_HEADER, outcome === 'computed' ? a.outcome : outcome);
  return response;
}
