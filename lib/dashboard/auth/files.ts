import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONFIG_KEY } from '../../format';
import type { Storage } from '../../storage';

/**
 * The store keys of identity (docs/security.md): token hashes, share-link signing keys and the
 * share links made (for `share list` and revocation). Only hashes and HMAC keys are stored.
 */
export const TOKENS_KEY = 'auth/tokens.json';
export const SHARE_KEYS_KEY = 'auth/share-keys.json';
export const SHARES_KEY = 'auth/shares.json';

export const Role = z.enum(['viewer', 'editor']);
export type Role = z.infer<typeof Role>;

export const TokenRecord = z.object({ id: z.string(), name: z.string(), role: Role, hash: z.string(), created: z.string() });
export type TokenRecord = z.infer<typeof TokenRecord>;
export const TokensFile = z.object({ version: z.literal(1), tokens: z.array(TokenRecord) });
export type TokensFile = z.infer<typeof TokensFile>;

export const ShareKey = z.object({ id: z.string(), secret: z.string(), created: z.string() });
export const ShareKeysFile = z.object({ version: z.literal(1), keys: z.array(ShareKey) });
export type ShareKeysFile = z.infer<typeof ShareKeysFile>;

export const ShareView = z.object({ model: z.string(), feature: z.string().optional(), from: z.string(), to: z.string(), reference: z.string().optional() });
export type ShareView = z.infer<typeof ShareView>;
export const ShareRecord = z.object({ id: z.string(), kid: z.string(), view: ShareView, expires: z.string(), created: z.string(), url: z.string(), revoked: z.string().optional() });
export type ShareRecord = z.infer<typeof ShareRecord>;
export const SharesFile = z.object({ version: z.literal(1), shares: z.array(ShareRecord) });
export type SharesFile = z.infer<typeof SharesFile>;

/** config.yaml's `auth:` and `dashboard:` sections (the compare config ignores them). */
export const AuthConfig = z.object({
  /** The identity header an authenticating proxy sets (e.g. x-forwarded-user). */
  proxy_header: z.string().min(1).optional(),
  /** Peer addresses whose proxy_header is trusted (exact IPs, as the socket sees them). */
  trusted_proxies: z.array(z.string()).default([]),
  /** Proxy identities that are editors; every other proxy identity is a viewer. */
  editors: z.array(z.string()).default([]),
});
export type AuthConfig = z.infer<typeof AuthConfig>;
const ConfigSections = z.object({ auth: AuthConfig.optional(), dashboard: z.object({ base_url: z.string().optional() }).partial().optional() });
export type ConfigSections = z.infer<typeof ConfigSections>;

export function parseConfigSections(bytes: Uint8Array | undefined): ConfigSections {
  if (bytes === undefined) return {};
  const raw = (parseYaml(new TextDecoder().decode(bytes)) ?? {}) as unknown;
  const parsed = ConfigSections.safeParse(typeof raw === 'object' && raw !== null ? raw : {});
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

export async function readConfigSections(storage: Storage): Promise<ConfigSections> {
  return parseConfigSections(await storage.read(CONFIG_KEY));
}

export function parseTokens(bytes: Uint8Array | undefined): TokensFile {
  return bytes === undefined ? { version: 1, tokens: [] } : TokensFile.parse(JSON.parse(new TextDecoder().decode(bytes)));
}
export function parseShareKeys(bytes: Uint8Array | undefined): ShareKeysFile {
  return bytes === undefined ? { version: 1, keys: [] } : ShareKeysFile.parse(JSON.parse(new TextDecoder().decode(bytes)));
}
export function parseShares(bytes: Uint8Array | undefined): SharesFile {
  return bytes === undefined ? { version: 1, shares: [] } : SharesFile.parse(JSON.parse(new TextDecoder().decode(bytes)));
}

export async function writeJson(storage: Storage, key: string, value: unknown): Promise<void> {
  await storage.write(key, `${JSON.stringify(value, null, 2)}\n`);
}
