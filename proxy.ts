import { NextResponse, type NextRequest } from 'next/server';
import { ApiError, featureParam, modelParam, pathSegments, resolveWindow, viewQuery } from '@/lib/dashboard/params';
import { performancePageProblem } from '@/lib/dashboard/performance-params';
import { HOUR_MS, parseTimestamp } from '@/lib/format';

/**
 * Pages answer a bad parameter with 400, as the API does: a page cannot set its own status, so
 * the page URLs are validated here with the API's own (pure) validators before the page renders.
 * Valid requests pass on with `x-driftwatch-url`, which app/not-found.tsx reads to name what was
 * not found (a 404 comes from the page's notFound()).
 */
const URL_HEADER = 'x-driftwatch-url';

const CHOICES: Record<string, readonly string[]> = { tz: ['utc', 'local'], dir: ['asc', 'desc'], logx: ['0', '1'], refresh: ['0', '1'] };

/** The problem with a page URL's path or parameters (the API's message), or undefined. */
export function pageProblem(pathname: string, search: URLSearchParams): string | undefined {
  try {
    const segments = pathSegments(pathname);
    if (segments[0] === 'models') {
      if (segments[1] !== undefined) modelParam(segments[1]);
      if (segments[2] === 'features' && segments[3] !== undefined) featureParam(segments[3]);
    }
    // The performance page plots performance metrics (roc_auc, f1, …) and has a step: its own check.
    if (segments[0] === 'models' && segments[2] === 'performance' && segments.length === 3) {
      const problem = performancePageProblem(search);
      if (problem !== undefined) return problem;
      for (const [name, allowed] of Object.entries(CHOICES)) {
        const v = search.get(name);
        if (v !== null && !allowed.includes(v)) return `${name}: must be ${allowed.join(' or ')}; got "${v}"`;
      }
      return undefined;
    }
    const get = (name: string) => search.get(name);
    // The default reference and window only matter when none is given: any valid name will do here.
    viewQuery(get, 'reference');
    // The anchor (the model's latest data) is not known here: `from` alone is checked against an
    // anchor just after it, so only the view, which knows the data, can call it empty.
    const from = get('from') === null ? undefined : parseTimestamp(get('from'));
    const anchor = from !== undefined && get('to') === null ? Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS : Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    resolveWindow({ from: get('from'), to: get('to'), window: get('window') }, anchor, '12h');
    for (const [name, allowed] of Object.entries(CHOICES)) {
      const v = get(name);
      if (v !== null && !allowed.includes(v)) return `${name}: must be ${allowed.join(' or ')}; got "${v}"`;
    }
    const state = get('state');
    if (segments[0] === 'alerts' && state !== null && state !== 'firing' && state !== 'resolved') return `state: must be firing or resolved; got "${state}"`;
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    if (error instanceof URIError) return 'path: not a valid URL encoding';
    throw error;
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * API paths: only the path's encoding is checked here (the routes check the rest); a 400 in the
 * API's JSON. Needed here: Next answers 500 for a malformed encoding before the route runs.
 */
function apiProblem(pathname: string): NextResponse | undefined {
  try {
    pathSegments(pathname);
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return NextResponse.json({ error: error.message, code: 'bad_request' }, { status: 400, headers: { 'cache-control': 'no-store' } });
  }
}

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search, searchParams } = request.nextUrl;
  if (pathname.startsWith('/api/')) return apiProblem(pathname) ?? NextResponse.next();
  const problem = pageProblem(pathname, searchParams);
  if (problem !== undefined) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>400: ${escape(problem)} · driftwatch</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem;color:#1b1f24}.error{border:1px solid #cf222e;color:#cf222e;padding:.75rem;border-radius:4px;overflow-wrap:anywhere}a{color:#0550ae}</style></head>
<body><h1>Bad request</h1><p class="error" role="alert" data-testid="error">${escape(problem)}</p><p><a href="${escape(pathname)}">Open this page with its defaults</a> · <a href="/">Models</a></p></body></html>`;
    return new NextResponse(html, { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  }
  const headers = new Headers(request.headers);
  headers.set(URL_HEADER, `${pathname}${search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/', '/alerts', '/models/:path*', '/api/models/:path*'],
};
