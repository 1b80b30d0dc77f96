import { ConfigError, NotFoundError } from '../compare';
import { EvaluationFileError, SummaryFileError } from '../duckdb';
import { FormatVersionError } from '../format';
import { isDamagedFileError } from '../storage/damaged-file';
import { ApiError } from './params';
import { BusyError } from './worker-pool';

/** The error vocabulary of the API: one code per HTTP status. */
export const ERROR_CODES = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 410: 'expired', 413: 'too_large', 500: 'internal', 503: 'unavailable' } as const;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: string;
  code: (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
}

const body = (status: keyof typeof ERROR_CODES, message: string) => Response.json({ error: message, code: ERROR_CODES[status] } satisfies ErrorBody, { status, headers: { 'cache-control': 'no-store' } });

/** Map an error to a status and a message a person can act on; unexpected errors are logged, not leaked. */
export function errorResponse(error: unknown): Response {
  // The heavy-work queue is full (lib/dashboard/worker-pool.ts): come back after Retry-After seconds.
  if (error instanceof BusyError) {
    const response = body(503, error.message);
    response.headers.set('retry-after', String(error.retryAfterS));
    return response;
  }
  if (error instanceof ApiError) return body(error.status, error.message);
  if (error instanceof NotFoundError) return body(404, error.message);
  if (error instanceof ConfigError || error instanceof FormatVersionError) return body(503, error.message);
  // A damaged store file fails the views that read it, naming its key (never a temporary copy).
  if (isDamagedFileError(error)) return body(503, error.message);
  if (error instanceof SummaryFileError || error instanceof EvaluationFileError) return body(503, `a store file is damaged (${error.reason}): run \`driftwatch doctor\` to find and repair it`);
  console.error('driftwatch dashboard:', error);
  return body(500, 'internal error: see the server log');
}

/** Run a route's work and answer with its JSON, or with the mapped error. */
export async function jsonRoute<T>(work: () => Promise<T>): Promise<Response> {
  try {
    return Response.json(await work(), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** A query parameter, refusing repeats (`?from=a&from=b`) rather than picking one silently. */
export function queryParam(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  if (all.length > 1) throw new ApiError(400, `${name}: given ${all.length} times, expected once`);
  return all[0] ?? null;
}

/** Refuse parameters a route does not know: a typo ("form=") would otherwise be ignored silently. */
export function onlyParams(params: URLSearchParams, known: readonly string[]): void {
  for (const name of params.keys()) {
    if (!known.includes(name)) throw new ApiError(400, `${name}: unknown parameter; this route takes ${known.join(', ')}`);
  }
}
