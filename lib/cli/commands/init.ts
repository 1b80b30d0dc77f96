import { CONFIG_TEMPLATE } from '../../compare';
import { CONFIG_KEY, FORMAT_NAME, FORMAT_VERSION, MANIFEST_KEY } from '../../format';
import { openStorage } from '../../storage';

/** What `evaluate` says about a store whose config.yaml has no alert rule. */
export const NO_ALERT_RULES = 'no alert rules configured in config.yaml: evaluations are stored, but nothing alerts. Add one under alerts.rules, e.g. `- { name: drift-or-failing, verdicts: [drift, failing], fire_after: 2, resolve_after: 3, channels: [log] }` with `channels: [{ name: log, type: log }]` (docs/format.md, "Alerts"; `driftwatch init` writes such rules into a new store)';

/** `driftwatch init`: create the store manifest and a commented config; keeps existing files. */
export async function initStore(location: string, log: (line: string) => void): Promise<void> {
  const storage = openStorage(location);
  const manifest = { format: FORMAT_NAME, version: FORMAT_VERSION, created_at: new Date().toISOString() };
  const created = await storage.writeIfAbsent(MANIFEST_KEY, `${JSON.stringify(manifest, null, 2)}\n`);
  const configCreated = await storage.writeIfAbsent(CONFIG_KEY, CONFIG_TEMPLATE);
  log(created ? `created store ${storage.url} (format ${FORMAT_VERSION})` : `store ${storage.url} already exists`);
  if (configCreated) log(`wrote ${CONFIG_KEY}: thresholds, windows, and alert rules for every feature (printed by the log channel), with comments`);
}
