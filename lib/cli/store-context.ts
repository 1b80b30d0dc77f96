import { readConfig, type Config } from '../compare';
import { checkFormatVersion, MANIFEST_KEY, StoreManifest } from '../format';
import { openStorage, type Storage } from '../storage';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import { CliError } from './cli-error';

export const DEFAULT_STORE = './driftwatch-store';

/** The store location: --store, else DRIFTWATCH_STORE, else ./driftwatch-store. */
export function storeLocation(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.DRIFTWATCH_STORE ?? DEFAULT_STORE;
}

export interface StoreContext {
  storage: Storage;
  config: Config;
  /** The manifest's format version, e.g. `2.0` (older only with `allowOlder`). */
  version: string;
}

/**
 * Open an initialised store: its manifest must exist and be a format this code reads.
 * `allowOlder`: also an older major format, for `migrate`, which converts it.
 */
export async function openStore(location: string, options: { allowOlder?: boolean } = {}): Promise<StoreContext> {
  const storage = openStorage(location);
  const bytes = await storage.read(MANIFEST_KEY);
  if (bytes === undefined) throw new CliError(`${storage.url} is not a driftwatch store: run \`driftwatch init --store ${location}\` first`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CliError(new DamagedFileError(MANIFEST_KEY, damageReason(error), location).message, 1);
  }
  const manifest = StoreManifest.safeParse(json);
  if (!manifest.success) throw new CliError(new DamagedFileError(MANIFEST_KEY, `not a driftwatch store manifest: ${damageReason(manifest.error)}`, location).message, 1);
  checkFormatVersion(manifest.data.version, options);
  return { storage, config: await readConfig(storage), version: manifest.data.version };
}
