import { CONFIG_TEMPLATE } from '../../compare';
import { CONFIG_KEY, FORMAT_NAME, FORMAT_VERSION, MANIFEST_KEY } from '../../format';
import { openStorage } from '../../storage';

/** `driftwatch init`: create the store manifest and a commented config; keeps existing files. */
export async function initStore(location: string, log: (line: string) => void): Promise<void> {
  const storage = openStorage(location);
  const manifest = { format: FORMAT_NAME, version: FORMAT_VERSION, created_at: new Date().toISOString() };
  const created = await storage.writeIfAbsent(MANIFEST_KEY, `${JSON.stringify(manifest, null, 2)}\n`);
  const configCreated = await storage.writeIfAbsent(CONFIG_KEY, CONFIG_TEMPLATE);
  log(created ? `created store ${storage.url} (format ${FORMAT_VERSION})` : `store ${storage.url} already exists`);
  if (configCreated) log(`wrote ${CONFIG_KEY}: thresholds, windows and alert channels, with comments`);
}
