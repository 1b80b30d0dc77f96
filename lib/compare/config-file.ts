import { parse as parseYaml } from 'yaml';
import { CONFIG_KEY } from '../format';
import type { Storage } from '../storage/storage';
import { Config } from './config';

/** The commented config.yaml that `driftwatch init` writes into a new store. */
export const CONFIG_TEMPLATE = `# driftwatch configuration (docs/format.md, docs/metrics.md).
# Every key is optional: the values shown are the defaults.

ingest:
  earliest: 2000-01-01   # events before this date are quarantined as implausible
  max_future_skew: 1h    # … and so are events more than this after the time of ingest
  dedupe_window: 7d      # an id already stored within this of an event's hour is a duplicate

evaluation:
  window: 12h          # the window compared with the references at each evaluation
  every: 1h            # how often \`driftwatch run\` profiles and evaluates
  references: [test]   # references compared at each evaluation, e.g. [test, train]
  max_catch_up: 30d    # at most this many hourly window ends per run after a pause (older ones are skipped, and said)

defaults:
  numeric_metric: area       # area | ks | wasserstein_norm | psi | js | hellinger
  categorical_metric: js     # js | psi | linf
  sigmas: 3                  # default threshold = mean + sigmas·sd over reference chunks …
  materiality:               # … but never below these floors (a tiny difference pages nobody)
    area: 0.08
    ks: 0.05
    wasserstein_norm: 0.1
    psi: 0.1
    js: 0.05                 # JS over numeric bins …
    js_categorical: 0.03     # … and over categories (docs/metrics.md, "Materiality floors")
    hellinger: 0.05
    linf: 0.03
  drift_alpha: 0.01          # "drift" also needs the KS / chi-square test at the window's size to reject
  failed_rate_min_increase: 0.05   # "failing" needs the failed rate ≥ 5 points above the reference's …
  failed_rate_alpha: 0.01          # … and significantly so (one-sided z-test)

performance:
  threshold: 0.5             # a binary score at or above this predicts the positive class
  min_coverage: 0.5          # realised performance is shown for windows with at least this share of predictions labelled

# Thresholds the business sets per feature override the defaults:
models: {}
#  checkout-fraud:
#    features:
#      time_to_order: { metric: area, threshold: 0.2 }
#      payment_method: { metric: linf, threshold: 0.1 }
#      device_score: { failed_rate_min_increase: 0.02 }
#      country: { floor: 0.05 }         # this feature's own materiality floor
#      hour_of_day: { drift: false }    # calendar features: their mix is set by the window
#      order_seq: { drift: true }       # monitor a column \`reference add\` found unable to drift (an id…)

alerts:
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
#    - { name: auc-low, on: performance, source: estimated, metric: roc_auc, below: 0.9, channels: [log] }   # needs labels on the reference (docs/performance-estimation.md)
  channels:
    - { name: log, type: log }   # prints each alert in the output of evaluate and run
#    - { name: ops-webhook, type: webhook, url: "https://example.internal/hooks/driftwatch" }
#    - { name: slack, type: slack, url: "https://hooks.slack.com/services/…" }
`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The store's config.yaml, validated; a store without one uses the defaults. */
export async function readConfig(storage: Storage): Promise<Config> {
  const bytes = await storage.read(CONFIG_KEY);
  if (bytes === undefined) return Config.parse({});
  return parseConfig(new TextDecoder().decode(bytes), `${storage.url}/${CONFIG_KEY}`);
}

export function parseConfig(text: string, where = CONFIG_KEY): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    throw new ConfigError(`${where} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${where}: ${issue.path.join('.') || '(top level)'} ${issue.message}`);
  }
  return parsed.data;
}
