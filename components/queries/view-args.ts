/**
 * The view state a page's data depends on, read the same way from a server page's `searchParams`
 * and from the browser's URL, so the server prefetch and the client query share one query key.
 * Only non-empty values are kept: `?window=` and no window are the same view.
 */
export const VIEW_PARAMS = ['window', 'from', 'to', 'reference', 'metric'] as const;
export type ViewParam = (typeof VIEW_PARAMS)[number];
export type ViewArgs = Partial<Record<ViewParam, string>>;

export function viewArgsOf(get: (name: string) => string | null | undefined): ViewArgs {
  const args: ViewArgs = {};
  for (const name of VIEW_PARAMS) {
    const value = get(name);
    if (value) args[name] = value;
  }
  return args;
}

/** The query string of an API route for these view arguments (in a fixed order). */
export function viewQueryString(args: ViewArgs, only: readonly ViewParam[] = VIEW_PARAMS): string {
  return new URLSearchParams(only.flatMap((k) => (args[k] ? [[k, args[k] as string]] : []))).toString();
}

/** A window without a fixed end (relative, the default, or `from` alone) moves with new data: such views refresh themselves unless paused (`refresh=0`). */
export function refreshesItself(args: ViewArgs, refresh: string | null | undefined): boolean {
  return !args.to && refresh !== '0';
}

export const REFRESH_MS = 60_000;

/** GET a dashboard API route; a non-2xx answer becomes an Error carrying the API's message and status. */
export async function fetchApi<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new ApiResponseError(response.status, body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

export class ApiResponseError extends Error {
  override readonly name = 'ApiResponseError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
