import type { Storage } from '../../storage';
import { readConfigSections, Role } from '../../dashboard/auth/files';
import { createToken, listTokens, revokeToken } from '../../dashboard/auth/tokens';
import { createShare, listShares, parseExpiry, removeShareKey, revokeShare, rotateShareKey } from '../../dashboard/auth/share';
import { parseTimestamp } from '../../format';
import { CliError } from '../cli-error';
import { openStore, storeLocation } from '../store-context';
import type { CommandSpec } from './index';
import { parsePort, serve } from './serve';

type Values = Record<string, string | boolean | undefined>;
const store = { store: { type: 'string' } } as const;
const str = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
const required = (values: Values, name: string, what: string): string => {
  const v = str(values, name);
  if (v === undefined || v === '') throw new CliError(`--${name} is required (${what})`);
  return v;
};
const storage = async (values: Values): Promise<Storage> => (await openStore(storeLocation(str(values, 'store')))).storage;
const wrap = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CliError || !(error instanceof Error) || error.constructor !== Error) throw error;
    throw new CliError(error.message);
  }
};

/** `token …`, `share …` and `serve` (with --insecure-no-auth): identity for the dashboard (docs/security.md). */
export const AUTH_COMMANDS: Record<string, CommandSpec> = {
  'token create': {
    summary: 'make a dashboard bearer token (printed once; only its hash is stored)',
    usage: '--name NAME [--role viewer|editor]',
    options: { ...store, name: { type: 'string' }, role: { type: 'string' } },
    run: async (values, ctx) => {
      const role = Role.safeParse(str(values, 'role') ?? 'viewer');
      if (!role.success) throw new CliError(`--role must be viewer or editor; got "${str(values, 'role')}"`);
      const s = await storage(values);
      const { record, token } = await wrap(() => createToken(s, required(values, 'name', 'who the token is for'), role.data));
      ctx.error(`token ${record.name} (${record.role}, id ${record.id}): shown once; send it as \`Authorization: Bearer <token>\``);
      ctx.log(token);
      return 0;
    },
  },
  'token list': {
    summary: 'the dashboard tokens: id, name, role, created (never the token)',
    usage: '',
    options: { ...store },
    run: async (values, ctx) => {
      const tokens = await listTokens(await storage(values));
      if (tokens.length === 0) ctx.log('no tokens: the dashboard is open to anyone who can reach it (bind it to localhost)');
      for (const t of tokens) ctx.log(`${t.id}  ${t.name}  ${t.role}  ${t.created}`);
      return 0;
    },
  },
  'token revoke': {
    summary: 'remove a dashboard token by name or id (it stops working on the next request)',
    usage: '--name NAME | --id ID',
    options: { ...store, name: { type: 'string' }, id: { type: 'string' } },
    run: async (values, ctx) => {
      const which = str(values, 'name') ?? str(values, 'id');
      if (!which) throw new CliError('name the token: --name NAME or --id ID (`driftwatch token list`)');
      const removed = await revokeToken(await storage(values), which);
      if (!removed) throw new CliError(`no token named or with id "${which}"`);
      ctx.log(`revoked token ${removed.name} (${removed.id})`);
      return 0;
    },
  },
  share: {
    summary: 'a signed link that opens one view (model, feature, window) without a token until it expires',
    usage: '--model M [--feature F] --from T --to T [--reference R] --expires 7d [--base-url URL]',
    options: { ...store, model: { type: 'string' }, feature: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, reference: { type: 'string' }, expires: { type: 'string' }, 'base-url': { type: 'string' } },
    run: async (values, ctx) => {
      const { storage: s } = await openStore(storeLocation(str(values, 'store')));
      const ttl = await wrap(async () => parseExpiry(required(values, 'expires', 'how long the link works: 2s, 12h, 7d; at most 30d')));
      const from = required(values, 'from', 'the window start');
      const to = required(values, 'to', 'the window end');
      for (const [name, v] of [['from', from], ['to', to]]) if (parseTimestamp(v) === undefined) throw new CliError(`--${name}: not a timestamp: "${v}"`);
      if (parseTimestamp(from)! >= parseTimestamp(to)!) throw new CliError('--from must be before --to');
      const base = str(values, 'base-url') ?? (await readConfigSections(s)).dashboard?.base_url ?? 'http://localhost:3000';
      try {
        new URL(base);
      } catch {
        throw new CliError(`--base-url is not a URL: "${base}"`);
      }
      const feature = str(values, 'feature');
      const reference = str(values, 'reference');
      const record = await wrap(() => createShare(s, { model: required(values, 'model', 'the model to share'), ...(feature ? { feature } : {}), from, to, ...(reference ? { reference } : {}) }, ttl, base));
      ctx.error(`share ${record.id}: expires ${record.expires}; \`driftwatch share revoke ${record.id}\` stops it`);
      ctx.log(record.url);
      return 0;
    },
  },
  'share list': {
    summary: 'the share links made: id, view, expiry, revoked',
    usage: '',
    options: { ...store },
    run: async (values, ctx) => {
      const now = Date.now();
      for (const s of await listShares(await storage(values))) {
        const state = s.revoked ? `revoked ${s.revoked}` : Date.parse(s.expires) <= now ? 'expired' : 'active';
        ctx.log(`${s.id}  ${state}  expires ${s.expires}  key ${s.kid}  ${s.url}`);
      }
      return 0;
    },
  },
  'share revoke': {
    summary: 'stop a share link by its id (it answers 403 "revoked" from the next request)',
    usage: '--id ID',
    options: { ...store, id: { type: 'string' } },
    run: async (values, ctx) => {
      const id = str(values, 'id');
      if (!id) throw new CliError('give the link id: --id ID (`driftwatch share list`)');
      const record = await revokeShare(await storage(values), id);
      if (!record) throw new CliError(`no share link with id "${id}"`);
      ctx.log(`revoked share ${record.id}`);
      return 0;
    },
  },
  'share rotate-key': {
    summary: 'add a new signing key for new share links (links signed with older keys keep working until the key is removed)',
    usage: '[--remove KID]',
    options: { ...store, remove: { type: 'string' } },
    run: async (values, ctx) => {
      const s = await storage(values);
      const remove = str(values, 'remove');
      if (remove !== undefined) {
        if (!(await removeShareKey(s, remove))) throw new CliError(`no share key "${remove}"`);
        ctx.log(`removed share key ${remove}: links signed with it now answer 403`);
        return 0;
      }
      const file = await rotateShareKey(s);
      ctx.log(`new share key ${file.keys.at(-1)!.id}; keys: ${file.keys.map((k) => k.id).join(', ')}`);
      return 0;
    },
  },
  serve: {
    summary: 'serve the dashboard for a store (builds it once if needed) until stopped',
    usage: '[--store DIR|s3://…] [--port 3000] [--host localhost] [--rebuild] [--insecure-no-auth]',
    options: { ...store, port: { type: 'string' }, host: { type: 'string' }, rebuild: { type: 'boolean' }, 'insecure-no-auth': { type: 'boolean' } },
    run: async (values, ctx) =>
      serve({ store: storeLocation(str(values, 'store')), port: parsePort(str(values, 'port'), 3000), host: str(values, 'host') ?? 'localhost', rebuild: values.rebuild === true, insecureNoAuth: values['insecure-no-auth'] === true, log: ctx.log }),
  },
};
