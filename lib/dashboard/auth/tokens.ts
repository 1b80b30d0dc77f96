import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../../storage';
import { parseTokens, TOKENS_KEY, writeJson, type Role, type TokenRecord, type TokensFile } from './files';

/** A token: `dw_` and 256 random bits (base64url). Only its SHA-256 is stored. */
export function newToken(): string {
  return `dw_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** The token record whose hash matches (constant-time per comparison), or undefined. */
export function findToken(file: TokensFile, token: string): TokenRecord | undefined {
  const hash = Buffer.from(tokenHash(token));
  let found: TokenRecord | undefined;
  for (const record of file.tokens) {
    const stored = Buffer.from(record.hash);
    if (stored.length === hash.length && timingSafeEqual(stored, hash)) found = record;
  }
  return found;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export async function createToken(storage: Storage, name: string, role: Role, now = new Date()): Promise<{ record: TokenRecord; token: string }> {
  if (!NAME.test(name)) throw new Error(`--name must be 1–64 letters, digits, ".", "_", "@" or "-" (starting with a letter or digit); got ${JSON.stringify(name)}`);
  const file = parseTokens(await storage.read(TOKENS_KEY));
  if (file.tokens.some((t) => t.name === name)) throw new Error(`a token named "${name}" exists: revoke it first (\`driftwatch token revoke ${name}\`)`);
  const token = newToken();
  const record: TokenRecord = { id: randomBytes(6).toString('hex'), name, role, hash: tokenHash(token), created: now.toISOString() };
  await writeJson(storage, TOKENS_KEY, { version: 1, tokens: [...file.tokens, record] } satisfies TokensFile);
  return { record, token };
}

export async function listTokens(storage: Storage): Promise<TokenRecord[]> {
  return parseTokens(await storage.read(TOKENS_KEY)).tokens;
}

/** Remove a token by name or id; returns the removed record, or undefined when none matched. */
export async function revokeToken(storage: Storage, nameOrId: string): Promise<TokenRecord | undefined> {
  const file = parseTokens(await storage.read(TOKENS_KEY));
  const record = file.tokens.find((t) => t.name === nameOrId || t.id === nameOrId);
  if (!record) return undefined;
  await writeJson(storage, TOKENS_KEY, { version: 1, tokens: file.tokens.filter((t) => t !== record) } satisfies TokensFile);
  return record;
}
