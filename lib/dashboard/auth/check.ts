import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../../storage';
import { CONFIG_KEY } from '../../format';
import { parseConfigSections, parseShareKeys, parseShares, parseTokens, SHARE_KEYS_KEY, SHARES_KEY, TOKENS_KEY, type Role } from './files';
import { findToken } from './tokens';
import { requestedView, signatureMatches, signingInput } from './share';

/** Headers the server sets for the data layer; any a client sends are replaced or removed. */
export const PEER_HEADER = 'x-driftwatch-peer';
export const URL_HEADER = 'x-driftwatch-url';
export const URL_MAC_HEADER = 'x-driftwatch-url-mac';
export const SHARE_HEADER = 'x-driftwatch-share';
export const INTERNAL_HEADERS = [PEER_HEADER, URL_HEADER, URL_MAC_HEADER, SHARE_HEADER];

export type Identity =
  | { kind: 'open'; role: Role; name: 'anonymous' }
  | { kind: 'token'; role: Role; name: string; id: string }
  | { kind: 'proxy'; role: Role; name: string }
  | { kind: 'share'; role: 'viewer'; name: string; id: string };

/** Why a request is refused: 401 (no identity), 403 (not this one), 410 (an expired link). */
export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly status: 401 | 403 | 410,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A per-process key: proxy.ts MACs the URL it saw (x-driftwatch-url) so the data layer, which
 * cannot see a route's URL through next/headers, knows the path a share link is used for came
 * from the proxy and not from the client. Both run in this process (Node runtime).
 */
function urlKey(): Buffer {
  const g = globalThis as { [k: symbol]: Buffer | undefined };
  const sym = Symbol.for('driftwatch.auth.urlKey');
  return (g[sym] ??= randomBytes(32));
}
export function urlMac(url: string): string {
  return createHmac('sha256', urlKey()).update(url, 'utf8').digest('base64url');
}
export function verifiedUrl(headers: Headers): URL | undefined {
  const url = headers.get(URL_HEADER);
  const mac = headers.get(URL_MAC_HEADER);
  if (url === null || mac === null) return undefined;
  const want = Buffer.from(urlMac(url));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  return new URL(url, 'http://driftwatch.invalid');
}

/** Small store files parsed once per storage version (a revocation shows on the next request). */
class Versioned {
  private readonly entries = new Map<string, { version: string | undefined; value: Promise<unknown> }>();
  async get<T>(storage: Storage, key: string, parse: (bytes: Uint8Array | undefined) => T): Promise<T> {
    const id = `${storage.url}|${key}`;
    const version = await storage.version(key);
    const hit = this.entries.get(id);
    if (hit && hit.version === version && version !== undefined) return hit.value as Promise<T>;
    const value = storage.read(key).then(parse);
    this.entries.set(id, { version, value });
    value.catch(() => this.entries.delete(id));
    return value;
  }
}
const files = new Versioned();
const config = (storage: Storage) => files.get(storage, CONFIG_KEY, parseConfigSections);
const tokens = (storage: Storage) => files.get(storage, TOKENS_KEY, parseTokens);

/** True when the store asks for identity: a token exists or a proxy header is configured. */
export async function authConfigured(storage: Storage): Promise<boolean> {
  const [c, t] = await Promise.all([config(storage), tokens(storage)]);
  return t.tokens.length > 0 || c.auth?.proxy_header !== undefined;
}

function bearer(headers: Headers): string | undefined {
  const value = headers.get('authorization');
  if (value === null) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return m ? m[1] : '';
}

async function shareIdentity(storage: Storage, headers: Headers, now: number): Promise<Identity> {
  const [id, kid, expText, sig] = (headers.get(SHARE_HEADER) ?? '').split('.');
  const url = verifiedUrl(headers);
  if (!id || !kid || !expText || !sig || !/^\d+$/.test(expText) || url === undefined) throw new AuthFailure(403, 'this share link is malformed');
  const view = requestedView(url.pathname, url.searchParams);
  const keys = await files.get(storage, SHARE_KEYS_KEY, parseShareKeys);
  const key = keys.keys.find((k) => k.id === kid);
  if (!key) throw new AuthFailure(403, 'this share link was revoked: its signing key was removed');
  const exp = Number(expText);
  if (view === undefined || !signatureMatches(key.secret, signingInput(id, kid, exp, view), sig)) throw new AuthFailure(403, 'forbidden: a share link opens only the view it was made for (model, feature and window)');
  const shares = await files.get(storage, SHARES_KEY, parseShares);
  const record = shares.shares.find((s) => s.id === id);
  if (!record || record.revoked) throw new AuthFailure(403, 'this share link was revoked');
  if (exp * 1000 <= now) throw new AuthFailure(410, `this share link expired at ${new Date(exp * 1000).toISOString()}`);
  return { kind: 'share', role: 'viewer', name: `share:${id}`, id };
}

/**
 * Who is asking. Order: a bearer token; a trusted proxy's identity header; a share link (for its
 * own view only); else, when the store has no auth configured, the open dashboard (everyone is an
 * editor, as before); else 401.
 */
export async function authorize(storage: Storage, headers: Headers, now = Date.now()): Promise<Identity> {
  const [c, t] = await Promise.all([config(storage), tokens(storage)]);
  const token = bearer(headers);
  if (token !== undefined) {
    const record = token === '' ? undefined : findToken(t, token);
    if (!record) throw new AuthFailure(401, 'unauthorized: the bearer token is not valid (revoked or mistyped)');
    return { kind: 'token', role: record.role, name: record.name, id: record.id };
  }
  const auth = c.auth;
  if (auth?.proxy_header) {
    const peer = headers.get(PEER_HEADER);
    const name = headers.get(auth.proxy_header);
    if (name && peer !== null && auth.trusted_proxies.includes(normalPeer(peer))) return { kind: 'proxy', role: auth.editors.includes(name) ? 'editor' : 'viewer', name };
  }
  if (headers.get(SHARE_HEADER) !== null) return shareIdentity(storage, headers, now);
  if (t.tokens.length === 0 && !auth?.proxy_header) return { kind: 'open', role: 'editor', name: 'anonymous' };
  throw new AuthFailure(401, 'unauthorized: send Authorization: Bearer <token> (`driftwatch token create`), or open a share link');
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
export function normalPeer(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function roleAllows(have: Role, need: Role): boolean {
  return need === 'viewer' || have === 'editor';
}
