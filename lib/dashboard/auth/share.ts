import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseTimestamp } from '../../format';
import type { Storage } from '../../storage';
import { parseShareKeys, parseShares, SHARE_KEYS_KEY, SHARES_KEY, writeJson, type ShareKeysFile, type ShareRecord, type SharesFile, type ShareView } from './files';

/** The query parameters a share link adds to its view's URL. */
export const SHARE_PARAMS = ['share', 'exp', 'kid', 'sig'] as const;
export const MAX_SHARE_MS = 30 * 24 * 3600 * 1000;

/** `2s`, `15m`, `12h`, `7d` (at most 30 days) in milliseconds. */
export function parseExpiry(text: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) throw new Error(`--expires must be a duration like 2s, 15m, 12h or 7d; got ${JSON.stringify(text)}`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (ms <= 0) throw new Error('--expires must be more than 0');
  if (ms > MAX_SHARE_MS) throw new Error(`--expires is at most 30d; got ${text}`);
  return ms;
}

const iso = (value: string, name: string): string => {
  const t = parseTimestamp(value);
  if (t === undefined) throw new Error(`${name}: not a timestamp: ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
};

/** The view with its timestamps in one spelling (ISO, ms), so equal windows compare equal. */
export function normalView(view: ShareView): ShareView {
  return { model: view.model, ...(view.feature ? { feature: view.feature } : {}), from: iso(view.from, 'from'), to: iso(view.to, 'to'), ...(view.reference ? { reference: view.reference } : {}) };
}

/** The page path and sorted query of a view: what a link opens and what its signature covers. */
export function viewPath(view: ShareView): string {
  const path = `/models/${encodeURIComponent(view.model)}${view.feature ? `/features/${encodeURIComponent(view.feature)}` : ''}`;
  const q = new URLSearchParams();
  const params: [string, string | undefined][] = [
    ['from', view.from],
    ['reference', view.reference],
    ['to', view.to],
  ];
  for (const [k, v] of params) if (v !== undefined) q.set(k, v);
  return `${path}?${q.toString()}`;
}

export function signingInput(id: string, kid: string, exp: number, view: ShareView): string {
  return `driftwatch-share-v1\n${id}\n${kid}\n${exp}\n${viewPath(normalView(view))}`;
}

export function sign(secret: string, input: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(input, 'utf8').digest('base64url');
}

export function signatureMatches(secret: string, input: string, sig: string): boolean {
  const want = Buffer.from(sign(secret, input));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The newest signing key, made (and stored) on first use. */
export async function currentShareKey(storage: Storage, now = new Date()): Promise<ShareKeysFile['keys'][number]> {
  const file = parseShareKeys(await storage.read(SHARE_KEYS_KEY));
  const last = file.keys.at(-1);
  if (last) return last;
  return (await rotateShareKey(storage, now)).keys.at(-1)!;
}

/** Add a new signing key; links signed with older keys stay valid until their key is removed. */
export async function rotateShareKey(storage: Storage, now = new Date()): Promise<ShareKeysFile> {
  const file = parseShareKeys(await storage.read(SHARE_KEYS_KEY));
  const next: ShareKeysFile = { version: 1, keys: [...file.keys, { id: `k${randomBytes(4).toString('hex')}`, secret: randomBytes(32).toString('base64url'), created: now.toISOString() }] };
  await writeJson(storage, SHARE_KEYS_KEY, next);
  return next;
}

/** Remove a signing key: every link signed with it stops working. */
export async function removeShareKey(storage: Storage, kid: string): Promise<boolean> {
  const file = parseShareKeys(await storage.read(SHARE_KEYS_KEY));
  if (!file.keys.some((k) => k.id === kid)) return false;
  await writeJson(storage, SHARE_KEYS_KEY, { version: 1, keys: file.keys.filter((k) => k.id !== kid) } satisfies ShareKeysFile);
  return true;
}

export async function createShare(storage: Storage, view: ShareView, ttlMs: number, baseUrl: string, now = new Date()): Promise<ShareRecord> {
  if (ttlMs > MAX_SHARE_MS) throw new Error('a share link lasts at most 30 days');
  const key = await currentShareKey(storage, now);
  const normal = normalView(view);
  const id = randomBytes(8).toString('hex');
  const exp = Math.floor((now.getTime() + ttlMs) / 1000);
  const sig = sign(key.secret, signingInput(id, key.id, exp, normal));
  const base = new URL(baseUrl);
  const url = new URL(viewPath(normal), base);
  url.searchParams.set('share', id);
  url.searchParams.set('exp', String(exp));
  url.searchParams.set('kid', key.id);
  url.searchParams.set('sig', sig);
  const record: ShareRecord = { id, kid: key.id, view: normal, expires: new Date(exp * 1000).toISOString(), created: now.toISOString(), url: url.toString() };
  const file = parseShares(await storage.read(SHARES_KEY));
  await writeJson(storage, SHARES_KEY, { version: 1, shares: [...file.shares, record] } satisfies SharesFile);
  return record;
}

export async function listShares(storage: Storage): Promise<ShareRecord[]> {
  return parseShares(await storage.read(SHARES_KEY)).shares;
}

export async function revokeShare(storage: Storage, id: string, now = new Date()): Promise<ShareRecord | undefined> {
  const file = parseShares(await storage.read(SHARES_KEY));
  const record = file.shares.find((s) => s.id === id);
  if (!record) return undefined;
  const revoked = { ...record, revoked: record.revoked ?? now.toISOString() };
  await writeJson(storage, SHARES_KEY, { version: 1, shares: file.shares.map((s) => (s === record ? revoked : s)) } satisfies SharesFile);
  return revoked;
}

/**
 * The view a request asks for, when it is one a share link may open: the model page, its
 * compare and trend routes; the feature page, its feature route and the feature's trend. Any
 * other path, or a `window` instead of from/to, is not a shareable view (undefined).
 */
export function requestedView(pathname: string, query: URLSearchParams): ShareView | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (segments[0] === 'api') segments = segments.slice(1);
  if (segments[0] !== 'models' || segments[1] === undefined) return undefined;
  const model = segments[1];
  const rest = segments.slice(2);
  let feature: string | undefined;
  if (rest.length === 0 || (pathname.startsWith('/api/') && rest.length === 1 && rest[0] === 'compare')) feature = undefined;
  else if (rest.length === 2 && rest[0] === 'features') feature = rest[1];
  else if (pathname.startsWith('/api/') && rest.length === 1 && rest[0] === 'trend') feature = query.get('feature') ?? undefined;
  else return undefined;
  if (rest.length === 0 && pathname.startsWith('/api/')) return undefined;
  if (rest[0] === 'features' && !pathname.startsWith('/api/') && rest.length !== 2) return undefined;
  const one = (name: string) => {
    const all = query.getAll(name);
    return all.length === 1 ? all[0] : all.length === 0 ? undefined : null;
  };
  const from = one('from');
  const to = one('to');
  const reference = one('reference');
  if (one('window') !== undefined || !from || !to || reference === null) return undefined;
  try {
    return normalView({ model, ...(feature ? { feature } : {}), from, to, ...(reference ? { reference } : {}) });
  } catch {
    return undefined;
  }
}
