import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { makeDemoStore, startServe, type RunningServer } from '../dashboard/server';

/**
 * Identity on a real `driftwatch serve` (loopback) over the demo store with a token configured:
 * 401 without one (also with the middleware-bypass header), share links that open their view and
 * nothing else, expired and revoked links, security headers; serve refusing 0.0.0.0 without auth.
 */
const MODEL = 'checkout-fraud';
const FEATURE = 'time_to_order';
const FROM = '2026-11-09T10:00:00Z';
const TO = '2026-11-10T10:00:00Z';

let dir: string;
let store: string;
let server: RunningServer;
let viewerToken: string;

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--store', store], { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err };
}

async function share(extra: string[] = [], expires = '7d'): Promise<{ url: string; id: string }> {
  const r = await cli(['share', '--model', MODEL, '--feature', FEATURE, '--from', FROM, '--to', TO, '--expires', expires, '--base-url', server.url, ...extra]);
  expect(r.code, r.err.join('\n')).toBe(0);
  const url = r.out[0];
  return { url, id: new URL(url).searchParams.get('share')! };
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(path.startsWith('http') ? path : `${server.url}${path}`, { headers, redirect: 'manual' });

beforeAll(async () => {
  const demo = await makeDemoStore('driftwatch-auth-');
  dir = demo.dir;
  store = demo.store;
  const created = await cli(['token', 'create', '--name', 'vera', '--role', 'viewer']);
  expect(created.code).toBe(0);
  viewerToken = created.out[0];
  expect(viewerToken).toMatch(/^dw_[A-Za-z0-9_-]{43}$/);
  server = await startServe(store);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tokens', () => {
  it('stores only a hash and lists no secret', async () => {
    const list = await cli(['token', 'list']);
    expect(list.out.join('\n')).toContain('vera');
    expect(list.out.join('\n')).not.toContain(viewerToken);
    const { readFile } = await import('node:fs/promises');
    const file = await readFile(join(store, 'auth', 'tokens.json'), 'utf8');
    expect(file).not.toContain(viewerToken);
    expect(file).toContain('sha256:');
  });

  it('answers 401 without a token: API JSON, pages HTML', async () => {
    const api = await get(`/api/models/${MODEL}/compare?from=${FROM}&to=${TO}`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: string }).error).toMatch(/unauthorized/);
    const page = await get('/');
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/Sign-in required/);
    for (const path of ['/api/models', '/api/alerts', `/models/${MODEL}`, '/alerts', '/nowhere']) expect((await get(path)).status, path).toBe(401);
  });

  it('answers 401 with the middleware-bypass header (CVE-2025-29927 class)', async () => {
    for (const value of ['middleware', 'middleware:middleware:middleware:middleware:middleware', 'proxy:proxy:proxy:proxy:proxy', 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware']) {
      const api = await get('/api/models', { 'x-middleware-subrequest': value });
      expect(api.status, value).toBe(401);
      const page = await get('/', { 'x-middleware-subrequest': value });
      expect(page.status, value).not.toBe(200);
    }
  });

  it('answers 401 for a wrong token and for spoofed internal headers', async () => {
    expect((await get('/api/models', { authorization: 'Bearer dw_wrong' })).status).toBe(401);
    expect((await get('/api/models', { authorization: `Bearer ${viewerToken}x` })).status).toBe(401);
    expect((await get('/api/models', { 'x-driftwatch-url': '/models/x', 'x-driftwatch-url-mac': 'AAAA', 'x-driftwatch-share': 'a.b.1.c' })).status).not.toBe(200);
  });

  it('answers 200 with a token (API and pages)', async () => {
    const auth = { authorization: `Bearer ${viewerToken}` };
    const api = await get('/api/models', auth);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { models: { model: string }[] }).models[0].model).toBe(MODEL);
    expect((await get(`/models/${MODEL}?from=${FROM}&to=${TO}`, auth)).status).toBe(200);
  });
});

describe('roles', () => {
  it('a viewer cannot acknowledge an alert (403) or freeze a snapshot; an editor can acknowledge', async () => {
    const alert = `drift|${MODEL}|time_to_order|test`;
    const post = (path: string, token: string, body: object) => fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await post('/api/alerts/ack', viewerToken, { id: alert });
    expect(refused.status).toBe(403);
    expect((await refused.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/editor/) });
    expect((await post('/api/snapshots', viewerToken, { model: MODEL, window: '24h' })).status).toBe(403);
    const editor = await cli(['token', 'create', '--name', 'eddie', '--role', 'editor']);
    expect(editor.code).toBe(0);
    const ok = await post('/api/alerts/ack', editor.out[0], { id: alert });
    expect(ok.status, await ok.clone().text()).toBeLessThan(300);
    // The "Share link" button's route: editors sign a link to the view they see; it opens without a token, and nothing else.
    expect((await post('/api/share', viewerToken, { model: MODEL, feature: 'time_to_order', from: FROM, to: TO })).status).toBe(403);
    const signed = await post('/api/share', editor.out[0], { model: MODEL, feature: 'time_to_order', from: FROM, to: TO, expires: '1d' });
    expect(signed.status).toBe(201);
    const { url } = (await signed.json()) as { url: string };
    expect(new URL(url).pathname).toBe(`/models/${MODEL}/features/time_to_order`);
    expect((await get(url.replace(new URL(url).origin, server.url))).status).toBe(200);
    expect((await get(url.replace(new URL(url).origin, server.url).replace('time_to_order', 'device_score'))).status).toBe(403);
    expect((await post('/api/share', editor.out[0], { model: MODEL, from: FROM, to: TO, expires: '90d' })).status).toBe(400);
  });
});

describe('security headers', () => {
  it('sends a nonce CSP, frame-ancestors none, nosniff, a referrer policy and no X-Powered-By', async () => {
    const page = await get(`/models/${MODEL}?from=${FROM}&to=${TO}`, { authorization: `Bearer ${viewerToken}` });
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    // A fresh base64 nonce of at least 128 bits, different on the next request.
    expect(nonce).toMatch(/^[A-Za-z0-9+/_-]{22,}={0,2}$/);
    const again = await get(`/models/${MODEL}?from=${FROM}&to=${TO}`, { authorization: `Bearer ${viewerToken}` });
    expect(/'nonce-([^']+)'/.exec(again.headers.get('content-security-policy') ?? '')?.[1]).not.toBe(nonce);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const html = await page.text();
    // Next's inline scripts carry the nonce.
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
    const assets = [...html.matchAll(/\/_next\/static\/[^"']+\.js/g)].map((m) => m[0]);
    const responses = [page, await get('/api/models'), await get('/api/openapi.json'), ...(assets[0] ? [await get(assets[0])] : [])];
    for (const r of responses) {
      expect(r.headers.get('x-content-type-options'), r.url).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), r.url).toBe('no-referrer');
      expect(r.headers.get('x-powered-by'), r.url).toBeNull();
      expect(r.headers.get('content-security-policy'), r.url).toContain("frame-ancestors 'none'");
    }
  });
});

describe('share links', () => {
  it('open their view and its data routes without a token, and nothing else', async () => {
    const { url } = await share();
    expect(url.startsWith(`${server.url}/models/${MODEL}/features/${FEATURE}?`)).toBe(true);
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(FEATURE);
    const sig = new URL(url).search;
    const q = new URL(url).searchParams;
    const api = await get(`/api/models/${MODEL}/features/${FEATURE}${sig}`);
    expect(api.status).toBe(200);
    // The same window in another spelling is the same view.
    const respelled = new URLSearchParams(q);
    respelled.set('from', '2026-11-09T10:00:00.000Z');
    expect((await get(`/api/models/${MODEL}/features/${FEATURE}?${respelled}`)).status).toBe(200);
    // Anything else with the same signature: 403.
    const other = (p: string, change: (s: URLSearchParams) => void = () => {}) => {
      const s = new URLSearchParams(q);
      change(s);
      return get(`${p}?${s}`);
    };
    const forbidden = [
      await other(`/models/${MODEL}/features/payment_method`),
      await other(`/api/models/${MODEL}/features/payment_method`),
      await other(`/models/other-model/features/${FEATURE}`),
      await other(`/models/${MODEL}`),
      await other(`/api/models/${MODEL}/compare`),
      await other(`/models/${MODEL}/features/${FEATURE}`, (s) => s.set('to', '2026-11-11T10:00:00Z')),
      await other(`/api/models/${MODEL}/features/${FEATURE}`, (s) => s.set('from', '2026-11-08T10:00:00Z')),
      await other(`/api/models/${MODEL}/features/${FEATURE}`, (s) => s.set('reference', 'test')),
      await other(`/api/models/${MODEL}/features/${FEATURE}`, (s) => s.set('exp', String(Number(s.get('exp')) + 3600))),
      await other('/api/models'),
      await other('/api/alerts'),
      await other('/alerts'),
    ];
    for (const r of forbidden) expect(r.status, r.url).toBe(403);
    // Without its parameters the view needs a token again.
    expect((await get(`/models/${MODEL}/features/${FEATURE}?from=${FROM}&to=${TO}`)).status).toBe(401);
  });

  it('say "expired" (410) once expired', async () => {
    const { url } = await share([], '2s');
    expect((await get(url)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const page = await get(url);
    expect(page.status).toBe(410);
    expect(await page.text()).toMatch(/expired/);
    const api = await get(`/api/models/${MODEL}/features/${FEATURE}${new URL(url).search}`);
    expect(api.status).toBe(410);
    expect(((await api.json()) as { error: string }).error).toMatch(/expired/);
  });

  it('say "revoked" (403) once revoked', async () => {
    const { url, id } = await share();
    expect((await get(url)).status).toBe(200);
    expect((await cli(['share', 'revoke', '--id', id])).code).toBe(0);
    const page = await get(url);
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/revoked/);
    expect((await cli(['share', 'list'])).out.join('\n')).toMatch(new RegExp(`${id}  revoked`));
  });

  it('keep working across a key rotation until their key is removed', async () => {
    const old = await share();
    const rotated = await cli(['share', 'rotate-key']);
    expect(rotated.code).toBe(0);
    const fresh = await share();
    const oldKid = new URL(old.url).searchParams.get('kid')!;
    expect(new URL(fresh.url).searchParams.get('kid')).not.toBe(oldKid);
    expect((await get(old.url)).status).toBe(200);
    expect((await get(fresh.url)).status).toBe(200);
    expect((await cli(['share', 'rotate-key', '--remove', oldKid])).code).toBe(0);
    const gone = await get(old.url);
    expect(gone.status).toBe(403);
    expect(await gone.text()).toMatch(/revoked/);
    expect((await get(fresh.url)).status).toBe(200);
  });

  it('refuses --expires beyond 30 days or malformed', async () => {
    expect((await cli(['share', '--model', MODEL, '--from', FROM, '--to', TO, '--expires', '31d'])).code).not.toBe(0);
    expect((await cli(['share', '--model', MODEL, '--from', FROM, '--to', TO, '--expires', 'soon'])).code).not.toBe(0);
  });
});

describe('serve', () => {
  it('refuses a non-loopback host without auth unless --insecure-no-auth is given', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'driftwatch-auth-serve-'));
    try {
      const s = join(empty, 'store');
      expect(await main(['init', '--store', s], { log: () => {}, error: () => {} })).toBe(0);
      const err: string[] = [];
      const code = await main(['serve', '--store', s, '--host', '0.0.0.0', '--port', '1'], { log: () => {}, error: (l) => err.push(l) });
      expect(code).not.toBe(0);
      expect(err.join('\n')).toMatch(/refusing to serve on 0\.0\.0\.0.*--insecure-no-auth/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
