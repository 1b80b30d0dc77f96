import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HOUR_MS } from '../../format';
import { generateScenario, writeScenarioFiles } from '../../demo';
import type { CommandContext } from '../command-context';

/** The config the demo store gets: the template's defaults plus a log alert rule. */
export const DEMO_CONFIG = `# driftwatch demo store.
evaluation:
  # 24 h, not the default 12 h: the shop's traffic has a daily rhythm (mobile and small baskets
  # in the evening), and a half-day window compared with a month-long test set fires on it.
  window: 24h
  every: 1h
  references: [test, train]
models:
  checkout-fraud:
    features:
      # Calendar features: their mix is set by the window, not by the data.
      hour_of_day: { drift: false }
      is_weekend: { drift: false }
      # Weekend coupon campaigns lift usage by ~4 points (13% → 17%), which the default floor for
      # categories (0.03, sized to catch a 4-point shift) would page on: the business expects it.
      coupon_used: { floor: 0.05 }
ingest:
  # The scenario has fixed dates (from 2026-11-01): \`--days 60\` reaches past today, which
  # would otherwise be quarantined as "in the future".
  max_future_skew: 400d
alerts:
  rules:
    # Page on the test set, the data the model was evaluated on; the training set is for context.
    - name: drift-or-failing
      reference: test
      verdicts: [drift, failing]
      fire_after: 1
      resolve_after: 3
      channels: [log]
  channels:
    - { name: log, type: log }
`;

/** Write the scenario's files (predictions, labels, test and train sets, faults) for the pipeline. */
export async function writeDemoData(dir: string, days: number, ctx: CommandContext): Promise<ReturnType<typeof generateScenario>> {
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  const scenario = generateScenario({ days });
  await writeScenarioFiles(scenario, dir);
  ctx.log(`demo: generated ${days} days of ${scenario.model} traffic in ${((Date.now() - started) / 1000).toFixed(1)} s → ${join(dir, 'predictions.ndjson')}`);
  return scenario;
}

/** "detected 2 h after its start" for each injected fault, from the alert events. */
export function detectionReport(
  faults: ReadonlyArray<{ feature: string; start: string; description: string }>,
  firing: ReadonlyArray<{ feature: string; at: string; reference: string; message: string }>,
): string[] {
  return faults.map((fault) => {
    const start = Date.parse(fault.start);
    const hit = firing.filter((e) => e.feature === fault.feature && Date.parse(e.at) > start).sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
    if (!hit) return `  ✗ ${fault.description} (${fault.feature}, from ${fault.start}): not detected`;
    const evaluations = Math.round((Date.parse(hit.at) - start) / HOUR_MS);
    return `  ✓ ${fault.description} (${fault.feature}, from ${fault.start}): alert at ${hit.at}, ${evaluations} evaluation${evaluations === 1 ? '' : 's'} after the start — ${hit.message}`;
  });
}

export const DEMO_DAYS = 14;
