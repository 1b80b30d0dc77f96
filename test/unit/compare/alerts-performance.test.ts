import { describe, expect, it } from 'vitest';
import { alertsApplied, evaluateModel, parseConfig, readAlertEvents, runAlertStep, type EvaluationCodec } from '@/lib/compare';
import { AlertStates, type AlertEvent } from '@/lib/alerts';
import { buildDigest, TDigest } from '@/lib/digest';
import { DAY_MS, dayLabel, HOUR_MS, layout, type EvaluationRow, type SummaryRow } from '@/lib/format';
import { performanceSeries, type ReferencePerformance } from '@/lib/labels';
import { encodePerformanceFile, mergePeriods, type PerformancePeriod } from '@/lib/labels/performance-file';
import { MemoryStorage } from '@/lib/storage';
import { numericSummary } from '@/lib/summary';
import { putHourProfile } from '@/test/helpers/hour-profiles';
import { mulberry32, standardNormal } from '@/test/helpers/random';

/**
 * The alert step of `driftwatch evaluate` on a small store: drift profiles of one steady feature,
 * hand-written performance profiles (no labels yet: estimates only) whose scores crowd towards
 * 0.5 for 14 hours, so the estimated ROC AUC of the 12-hour windows falls from about 0.96 to
 * about 0.81 and back. The rule `estimated roc_auc below 0.9` fires once and resolves once.
 */
const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => files.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[]);
const evaluations: EvaluationCodec = { encode: async (rows) => new TextEncoder().encode(JSON.stringify(rows)), decode: async (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as EvaluationRow[] };
const START = Date.parse('2026-11-01T00:00:00Z');
const HOURS = 72;
const UNSURE = { from: 30, to: 44 };
const CHANNELS = `  channels: [{ name: log, type: log }]`;
const DRIFT_RULE = `    - { name: drift, verdicts: [drift, failing], fire_after: 1, resolve_after: 2, channels: [log] }`;
const AUC_RULE = `    - { name: auc-low, on: performance, metric: roc_auc, source: estimated, below: 0.9, fire_after: 2, resolve_after: 3, channels: [log] }`;
const config = parseConfig(`alerts:\n  rules:\n${DRIFT_RULE}\n${AUC_RULE}\n${CHANNELS}\n`);
const driftOnly = parseConfig(`alerts:\n  rules:\n${DRIFT_RULE}\n${CHANNELS}\n`);

/** Scores of a sure model (spread 5: most near 0 or 1) or an unsure one (spread 1.5: crowding 0.5). */
function scores(n: number, seed: number, spread: number): number[] {
  const z = standardNormal(mulberry32(seed));
  return Array.from({ length: n }, () => 1 / (1 + Math.exp(-spread * z())));
}

function values(n: number, seed: number, scale = 1): Float64Array {
  const z = standardNormal(mulberry32(seed));
  return Float64Array.from({ length: n }, () => scale * Math.exp(5 + 0.5 * z()));
}
/** Hours whose feature values come ×1000 (a unit change): a drift alert. */
const FAULT = { from: 56, to: 60 };

function hourPeriod(h: number): PerformancePeriod {
  const t = START + h * HOUR_MS;
  const all = buildDigest(scores(400, 1000 + h, h >= UNSURE.from && h < UNSURE.to ? 1.5 : 5)).digest;
  return { period_start: t, period_end: t + HOUR_MS, predictions: 400, labelled: 0, positives: 0, unusable_labels: 0, tp: 0, fp: 0, tn: 0, fn: 0, logloss_sum: 0, brier_sum: 0, regression: { n: 0, sum_abs: 0, sum_sq: 0, sum_abs_pct: 0, pct_count: 0 }, pos: TDigest.empty(), neg: TDigest.empty(), all, delay: TDigest.empty() };
}

/** Records every key read or listed, to check what the alert step touches. */
class RecordingStorage extends MemoryStorage {
  touched: string[] = [];
  override async read(key: string) {
    this.touched.push(key);
    return super.read(key);
  }
  override async list(prefix: string) {
    this.touched.push(prefix);
    return super.list(prefix);
  }
}

async function store(options: { performance: boolean }): Promise<RecordingStorage> {
  const s = new RecordingStorage();
  const key = (chunk: number) => ({ model: 'm', feature: 'x', period_start: 0, period_end: 0, chunk });
  await s.write(layout.referenceProfile('m', 'test'), JSON.stringify([numericSummary(key(-1), values(5000, 1), 0, 0), ...Array.from({ length: 10 }, (_, i) => numericSummary(key(i), values(500, 10 + i), 0, 0))]));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 5000, period_start: null, period_end: null, chunks: 10, chunk_rows: 500, created_at: '2026-11-01T00:00:00Z' }));
  for (let h = 0; h < HOURS; h++) {
    const t = START + h * HOUR_MS;
    await putHourProfile(s, 'm', t, [numericSummary({ model: 'm', feature: 'x', period_start: t, period_end: t + HOUR_MS }, values(200, 100 + h, h >= FAULT.from && h < FAULT.to ? 1000 : 1), 0, 0)]);
  }
  // The reference's calibration is the identity (the score is a probability), its chunks' AUCs about 0.95.
  const reference: ReferencePerformance = {
    format: 'driftwatch-reference-performance/1', model: 'm', reference: 'test', rows: 5000, positives: 2500, roc_auc: 0.95,
    calibration: { xs: [0, 1], ps: [0, 1] }, ece_raw: 0.01, ece_calibrated: 0.01, chunk_rows: 500,
    chunks: [0.95, 0.94, 0.96, 0.95, 0.955].map((auc) => ({ rows: 500, roc_auc: auc, estimated_roc_auc: auc })), untrusted: null,
  };
  if (options.performance) {
    await s.write(layout.referencePerformance('m', 'test'), JSON.stringify(reference));
    for (let d = 0; d < HOURS / 24; d++) {
      const day = START + d * DAY_MS;
      const hours = Array.from({ length: 24 }, (_, i) => hourPeriod(d * 24 + i));
      await s.write(layout.performanceProfile('m', day), encodePerformanceFile('m', dayLabel(day), 0.5, [...hours, mergePeriods(hours, day, day + DAY_MS)]));
    }
  }
  s.touched = [];
  return s;
}

async function storedEvents(s: MemoryStorage): Promise<AlertEvent[]> {
  return (await Promise.all([0, 1, 2, 3].map((d) => readAlertEvents(s, 'm', START + d * DAY_MS)))).flat();
}

/** `evaluate` as the CLI runs it: evaluate, then the alert step, in runs ending at each of `ats` (hours). */
async function evaluateIn(s: MemoryStorage, cfg: typeof config, ats: number[], log: string[] = []): Promise<EvaluationRow[]> {
  const rows: EvaluationRow[] = [];
  for (const at of ats) {
    const r = await evaluateModel({ storage: s, model: 'm', config: cfg, decode, evaluations, atMs: START + at * HOUR_MS, nowMs: START + HOURS * HOUR_MS });
    const replayFrom = r.alertsPendingFrom === null ? r.alertsReplayFrom : Math.min(r.alertsPendingFrom, r.alertsReplayFrom ?? Infinity);
    await runAlertStep(s, 'm', cfg, r.rows, (line) => log.push(line), { replayFrom, evaluations });
    await alertsApplied(s, 'm');
    rows.push(...r.rows);
  }
  return rows;
}

describe('performance alerts in the alert step of evaluate', () => {
  it('an estimated ROC AUC that crosses 0.9 fires once and resolves once, with the drift alerts (same day files, same channel)', async () => {
    const s = await store({ performance: true });
    const log: string[] = [];
    const rows = await evaluateIn(s, config, [HOURS], log);
    const ends = [...new Set(rows.map((r) => Date.parse(r.window_to)))].sort((a, b) => a - b);
    expect(ends.length).toBeGreaterThan(50);

    // The expected transitions, from the estimates of the same windows read independently.
    const estimates: number[] = [];
    for (const end of ends) {
      const series = await performanceSeries({ storage: s, model: 'm', fromMs: end - 12 * HOUR_MS, toMs: end, reference: 'test', threshold: 0.5, minCoverage: 0.5 });
      estimates.push(series.windows[0].estimated!.roc_auc);
    }
    const low = estimates.map((e) => e < 0.9);
    const firedAt = low.findIndex((l, i) => i > 0 && l && low[i - 1]);
    const resolvedAt = low.findIndex((l, i) => i >= firedAt + 2 && !l && !low[i - 1] && !low[i - 2]);
    expect(Math.min(...estimates)).toBeLessThan(0.82);
    expect(estimates[0]).toBeGreaterThan(0.95);
    expect([firedAt, resolvedAt].every((i) => i > 0)).toBe(true);

    const events = await storedEvents(s);
    const auc = events.filter((e) => e.rule === 'auc-low');
    expect(auc.map((e) => [e.kind, e.at])).toEqual([
      ['firing', new Date(ends[firedAt]).toISOString()],
      ['resolved', new Date(ends[resolvedAt]).toISOString()],
    ]);
    expect(auc[0]).toMatchObject({ on: 'performance', source: 'estimated', feature: 'estimated roc_auc', metric: 'roc_auc', verdict: 'degraded', threshold: 0.9, reference: 'test', coverage: 0 });
    expect(auc[0].value).toBeCloseTo(estimates[firedAt], 12);
    expect(auc[0].message).toMatch(/^m: estimated ROC AUC 0\.8\d \(band 0\.8\d–0\.\d\d\) below 0\.90 for 2 evaluations, since 2026-11-0\d \d\d:00 UTC$/);
    expect(auc[1].message).toMatch(/^m: estimated ROC AUC back to 0\.9\d \(band 0\.\d\d–0\.9\d\), at or above 0\.90 for 3 evaluations since .*; had been firing since /);
    // Stored beside the drift alerts, in the day file of their window end.
    const resolvedDay = await readAlertEvents(s, 'm', Math.floor((ends[resolvedAt] - 1) / DAY_MS) * DAY_MS);
    expect(new Set(resolvedDay.map((e) => e.rule))).toEqual(new Set(['drift', 'auc-low']));
    // Delivered through the rule's channel, like a drift alert.
    expect(log.filter((l) => l.includes('[drift]')).length).toBeGreaterThan(0);
    expect(log.filter((l) => l.includes('[auc-low]'))).toEqual([`alert FIRING [auc-low] ${auc[0].message} (id ${auc[0].id})`, `alert RESOLVED [auc-low] ${auc[1].message} (id ${auc[1].id})`]);
    const states = AlertStates.parse(JSON.parse(new TextDecoder().decode((await s.read(layout.alertState('m')))!)));
    expect(states['auc-low|m|estimated roc_auc|test']).toMatchObject({ on: 'performance', status: 'ok' });
    expect(JSON.parse(new TextDecoder().decode((await s.read(layout.alertOutbox('m')))!))).toEqual({ entries: [] });
  });

  it('hourly runs give the events of one run; a re-run adds nothing', async () => {
    const once = await store({ performance: true });
    await evaluateIn(once, config, [HOURS]);
    const hourly = await store({ performance: true });
    await evaluateIn(hourly, config, Array.from({ length: HOURS - 11 }, (_, i) => 12 + i));
    expect(await storedEvents(hourly)).toEqual(await storedEvents(once));
    const log: string[] = [];
    await evaluateIn(hourly, config, [HOURS], log);
    expect(log).toEqual([]);
  });

  it('costs nothing without performance rules, and only a listing without a labelled reference or performance profiles', async () => {
    const noRules = await store({ performance: true });
    await evaluateIn(noRules, driftOnly, [HOURS]);
    expect(noRules.touched.filter((k) => k.includes('performance'))).toEqual([]);

    const noProfiles = await store({ performance: false });
    await evaluateIn(noProfiles, config, [HOURS]);
    expect(noProfiles.touched.filter((k) => k.includes('performance'))).toEqual([layout.performanceProfilesPrefix('m')]);
    expect((await storedEvents(noProfiles)).filter((e) => e.rule === 'auc-low')).toEqual([]);
  });
});
