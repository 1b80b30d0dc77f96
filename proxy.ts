import { NextResponse, type NextRequest } from 'next/server';
import { ApiError, featureParam, modelParam, pathSegments, resolveWindow, viewQuery } from '@/lib/dashboard/params';
import { performancePageProblem } from '@/lib/dashboard/performance-params';
import { HOUR_MS, parseTimestamp } from '@/lib/format';
import { AuthFailure, authorize, verifiedUrl, INTERNAL_HEADERS, PEER_HEADER, SHARE_HEADER, URL_MAC_HEADER, urlMac, URL_HEADER as AUTH_URL_HEADER } from '@/lib/dashboard/auth/check';
import { SHARE_PARAMS } from '@/lib/dashboard/auth/share';
import { openStorage, type Storage } from '@/lib/storage';

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
    // A snapshot's page: its id is 16 hexadecimal digits (anything else never names a snapshot).
    if (segments[0] === 'snapshots') return segments.length === 2 && /^[0-9a-f]{16}$/.test(segments[1]) ? undefined : 'snapshot: the id is 16 hexadecimal digits, e.g. /snapshots/0123456789abcdef';
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

/** Paths anyone may fetch: the API's description (no data) and the icon. */
const PUBLIC = new Set(['/api/openapi.json', '/icon.svg', '/favicon.ico', '/robots.txt']);

let storage: { location: string; storage: Storage } | undefined;
function authStorage(): Storage {
  const location = process.env.DRIFTWATCH_STORE ?? './driftwatch-store';
  if (storage?.location !== location) storage = { location, storage: openStorage(location) };
  return storage.storage;
}

/** Security headers of every response made here (next.config.ts adds the static ones to all). */
export function contentSecurityPolicy(nonce: string | undefined): string {
  if (nonce === undefined) return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  const dev = process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev}`,
    // React's style={{…}} attributes (charts, bars) are inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function secure<T extends Response>(response: T, csp: string): T {
  response.headers.set('content-security-policy', csp);
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'no-referrer');
  response.headers.set('x-frame-options', 'DENY');
  return response;
}

function refusal(failure: AuthFailure, api: boolean, csp: string): NextResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (failure.status === 401) headers['www-authenticate'] = 'Bearer realm="driftwatch"';
  if (api) return secure(NextResponse.json({ error: failure.message, code: { 401: 'unauthorized', 403: 'forbidden', 410: 'expired' }[failure.status] }, { status: failure.status, headers }), csp);
  const title = { 401: 'Sign-in required', 403: 'Forbidden', 410: 'Link expired' }[failure.status];
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${failure.status}: ${title} · driftwatch</title></head>
<body style="font:14px system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem"><h1>${title}</h1><p role="alert" data-testid="error">${escape(failure.message)}</p></body></html>`;
  return secure(new NextResponse(html, { status: failure.status, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } }), csp);
}

/**
 * Every request but Next's static files passes here: identity (lib/dashboard/auth/check.ts; the
 * data layer checks it again, so skipping this proxy gains nothing), a share link's parameters
 * moved into a header (the routes refuse unknown parameters), the URL MAC'd for the data layer,
 * the CSP with a fresh nonce, then the 400 checks of page parameters.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, searchParams } = request.nextUrl;
  const api = pathname.startsWith('/api/');
  const nonce = api ? undefined : Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  // A share link's rewrite (below) passes here a second time, with the headers set the first
  // time: kept when their MAC'd URL is this very URL; otherwise only the server sets these (the
  // peer comes from lib/dashboard/auth/peer.ts, in front of everything).
  const ours = verifiedUrl(headers);
  const rewritten = ours !== undefined && `${ours.pathname}${ours.search}` === `${pathname}${request.nextUrl.search}` && headers.has(SHARE_HEADER);
  if (!rewritten) for (const h of INTERNAL_HEADERS) if (h !== PEER_HEADER) headers.delete(h);
  headers.delete(URL_HEADER);
  const clean = request.nextUrl.clone();
  const shared = !rewritten && (searchParams.has('sig') || searchParams.has('share'));
  if (shared) {
    headers.set(SHARE_HEADER, ['share', 'kid', 'exp', 'sig'].map((p) => searchParams.get(p) ?? '').join('.'));
    for (const p of SHARE_PARAMS) clean.searchParams.delete(p);
  }
  const url = `${clean.pathname}${clean.search}`;
  headers.set(AUTH_URL_HEADER, url);
  headers.set(URL_MAC_HEADER, urlMac(url));
  if (!PUBLIC.has(pathname)) {
    try {
      await authorize(authStorage(), headers);
    } catch (error) {
      if (error instanceof AuthFailure) return refusal(error, api, csp);
      throw error;
    }
  }
  if (nonce !== undefined) {
    headers.set('x-nonce', nonce);
    headers.set('content-security-policy', csp);
  }
  if (api) {
    const problem = apiProblem(pathname);
    if (problem) return secure(problem, csp);
  } else if (pathname === '/' || pathname === '/alerts' || pathname === '/models' || pathname.startsWith('/models/') || pathname.startsWith('/snapshots/')) {
    const problem = pageProblem(pathname, clean.searchParams);
    if (problem !== undefined) {
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>400: ${escape(problem)} · driftwatch</title>
<style nonce="${nonce}">body{font:14px system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem;color:#1b1f24}.error{border:1px solid #cf222e;color:#cf222e;padding:.75rem;border-radius:4px;overflow-wrap:anywhere}a{color:#0550ae}</style></head>
<body><h1>Bad request</h1><p class="error" role="alert" data-testid="error">${escape(problem)}</p><p><a href="${escape(pathname)}">Open this page with its defaults</a> · <a href="/">Models</a></p></body></html>`;
      return secure(new NextResponse(html, { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } }), csp);
    }
    headers.set(URL_HEADER, url);
  }
  const response = shared ? NextResponse.rewrite(clean, { request: { headers } }) : NextResponse.next({ request: { headers } });
  return secure(response, csp);
}

export const config = {
  // Everything but Next's static files (next.config.ts gives those their headers).
  matcher: ['/((?!_next/static|_next/image).*)'],
};
