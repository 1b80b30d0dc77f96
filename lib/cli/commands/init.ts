import { CONFIG_TEMPLATE } from '../../compare';
import { CONFIG_KEY, FORMAT_NAME, FORMAT_VERSION, MANIFEST_KEY } from '../../format';
import { openStorage } from '../../storage';

/**
 * The alert section of a new store: every feature of every model, against every evaluated
 * reference, fires on its own output (the `log` channel) with hysteresis, so a store made by the
 * README's pipeline alerts without editing config.yaml.
 */
export const DEFAULT_ALERTS_YAML = `alerts:
  # Written by \`driftwatch init\`: every feature of every model, against every reference in
  # evaluation.references. Narrow a rule with model:, feature: or reference:; features with
  # \`drift: false\` alert only when failing.
  rules:
    - name: failing
      verdicts: [failing]  # the failed rate (null, NaN, wrong type) rose: often a broken pipeline
      fire_after: 1        # consecutive breaching evaluations before an alert fires
      resolve_after: 3     # consecutive clear evaluations before it resolves
      channels: [log]
    - name: drift
      verdicts: [drift]
      fire_after: 2        # one drifting window can be noise; two in a row fire
      resolve_after: 3
      channels: [log]
  channels:
    - { name: log, type: log }   # prints each alert in the output of evaluate and run
#    - { name: ops-webhook, type: webhook, url: "https://example.internal/hooks/driftwatch" }
#    - { name: slack, type: slack, url: "https://hooks.slack.com/services/…" }
`;

/** The config.yaml of a new store: the commented template, with the default alert rules. */
export function initialConfig(): string {
  const at = CONFIG_TEMPLATE.indexOf('\nalerts:');
  if (at < 0) throw new Error('config template has no alerts section');
  return `${CONFIG_TEMPLATE.slice(0, at + 1)}${DEFAULT_ALERTS_YAML}`;
}

/** What `evaluate` says about a store whose config.yaml has no alert rule. */
export const NO_ALERT_RULES = 'no alert rules configured in config.yaml: evaluations are stored, but nothing alerts. Add one under alerts.rules, e.g. `- { name: drift-or-failing, verdicts: [drift, failing], fire_after: 2, resolve_after: 3, channels: [log] }` with `channels: [{ name: log, type: log }]` (docs/format.md, "Alerts"; `driftwatch init` writes such rules into a new store)';

/** `driftwatch init`: create the store manifest and a commented config; keeps existing files. */
export async function initStore(location: string, log: (line: string) => void): Promise<void> {
  const storage = openStorage(location);
  const manifest = { format: FORMAT_NAME, version: FORMAT_VERSION, created_at: new Date().toISOString() };
  const created = await storage.writeIfAbsent(MANIFEST_KEY, `${JSON.stringify(manifest, null, 2)}\n`);
  const configCreated = await storage.writeIfAbsent(CONFIG_KEY, initialConfig());
  log(created ? `created store ${storage.url} (format ${FORMAT_VERSION})` : `store ${storage.url} already exists`);
  if (configCreated) log(`wrote ${CONFIG_KEY}: thresholds, windows, and alert rules for every feature (printed by the log channel), with comments`);
}
