import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, PEER_HEADER, AuthFailure } from '@/lib/dashboard/auth/check';
import { createToken, revokeToken } from '@/lib/dashboard/auth/tokens';
import { parseExpiry, requestedView } from '@/lib/dashboard/auth/share';
import { requireRoleIn } from '@/lib/dashboard/auth/request';
import { isLoopback } from '@/lib/cli/commands/serve';
import { openStorage, type Storage } from '@/lib/storage';

let dir: string;
let storage: Storage;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-auth-unit-'));
  storage = openStorage(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const req = (headers: Record<string, string> = {}) => new Request('http://127.0.0.1/api/alerts/ack', { method: 'POST', headers });
const status = (p: Promise<unknown>) => p.then(() => 200, (e: { status: number }) => e.status);

describe('requireRole', () => {
  it('lets everyone through when no auth is configured', async () => {
    await expect(requireRoleIn(storage, req(), 'editor')).resolves.toMatchObject({ kind: 'open' });
  });

  it('is 401 without a token, 403 for a viewer on an editor function, ok for an editor', async () => {
    const viewer = await createToken(storage, 'vera', 'viewer');
    const editor = await createToken(storage, 'eddie', 'editor');
    expect(await status(requireRoleIn(storage, req(), 'viewer'))).toBe(401);
    expect(await status(requireRoleIn(storage, req({ authorization: `Bearer ${viewer.token}` }), 'viewer'))).toBe(200);
    expect(await status(requireRoleIn(storage, req({ authorization: `Bearer ${viewer.token}` }), 'editor'))).toBe(403);
    expect(await status(requireRoleIn(storage, req({ authorization: `Bearer ${editor.token}` }), 'editor'))).toBe(200);
    await revokeToken(storage, 'eddie');
    expect(await status(requireRoleIn(storage, req({ authorization: `Bearer ${editor.token}` }), 'editor'))).toBe(401);
  });
});

describe('proxy mode', () => {
  it('trusts the identity header only from a trusted peer', async () => {
    await writeFile(join(dir, 'config.yaml'), 'auth:\n  proxy_header: x-forwarded-user\n  trusted_proxies: ["10.0.0.5"]\n  editors: [boss]\n');
    const h = (peer: string, user?: string) => new Headers({ [PEER_HEADER]: peer, ...(user ? { 'x-forwarded-user': user } : {}) });
    await expect(authorize(storage, h('10.0.0.5', 'ann'))).resolves.toMatchObject({ kind: 'proxy', name: 'ann', role: 'viewer' });
    await expect(authorize(storage, h('::ffff:10.0.0.5', 'boss'))).resolves.toMatchObject({ role: 'editor' });
    await expect(authorize(storage, h('10.0.0.6', 'boss'))).rejects.toBeInstanceOf(AuthFailure);
    await expect(authorize(storage, h('10.0.0.5'))).rejects.toMatchObject({ status: 401 });
  });
});

describe('share parsing', () => {
  it('takes 2s, 12h, 7d, at most 30d', () => {
    expect(parseExpiry('2s')).toBe(2000);
    expect(parseExpiry('12h')).toBe(12 * 3600_000);
    expect(parseExpiry('30d')).toBe(30 * 86_400_000);
    expect(() => parseExpiry('31d')).toThrow(/30d/);
    expect(() => parseExpiry('1w')).toThrow();
  });

  it('maps requests to the views a link may open', () => {
    const q = new URLSearchParams('from=2026-11-09T10:00:00Z&to=2026-11-10T10:00:00Z');
    expect(requestedView('/models/m', q)).toMatchObject({ model: 'm', from: '2026-11-09T10:00:00.000Z' });
    expect(requestedView('/api/models/m/compare', q)).toMatchObject({ model: 'm' });
    expect(requestedView('/api/models/m/features/f', q)).toMatchObject({ model: 'm', feature: 'f' });
    expect(requestedView('/api/models/m', q)).toBeUndefined();
    expect(requestedView('/api/alerts', q)).toBeUndefined();
    expect(requestedView('/models/m', new URLSearchParams('window=12h'))).toBeUndefined();
  });
});

describe('serve', () => {
  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});

describe('withPeer', () => {
  it('replaces a client-sent peer header with the socket address', async () => {
    const { withPeer } = await import('@/lib/dashboard/auth/peer');
    let seen: string | string[] | undefined;
    const handle = withPeer((r) => {
      seen = r.headers[PEER_HEADER];
    });
    const req = { headers: { [PEER_HEADER]: '10.0.0.5' }, socket: { remoteAddress: '203.0.113.9' } } as unknown as import('node:http').IncomingMessage;
    handle(req, {} as import('node:http').ServerResponse);
    expect(seen).toBe('203.0.113.9');
  });
});
