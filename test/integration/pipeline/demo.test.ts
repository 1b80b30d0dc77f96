import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { openStore } from '@/lib/cli/store-context';
import { readAlertEvents } from '@/lib/compare';
import type { AlertEvent } from '@/lib/alerts';
import { DAY_MS, HOUR_MS } from '@/lib/format';
import type { LabelEvent, PredictionEvent } from '@/lib/demo';
import { performanceSeries } from '@/lib/labels';

interface Fault {
  feature: string;
  kind: string;
  start: string;
  end: string;
}

describe('the demo, end to end (npm run demo without the dashboard)', () => {
  let dir: string;
  let faults: Fault[];
  let firing: AlertEvent[];
  let store: string;
  const log: string[] = [];
  /** The performance part of `main demo`'s output. */
  const perfLog: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-demo-'));
    store = join(dir, 'store');
    const code = await main(['demo', '--store', store, '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
    expect(code, log.join('\n')).toBe(0);
    faults = JSON.parse(await readFile(join(dir, 'store-data', 'faults.json'), 'utf8')) as Fault[];
    const { storage } = await openStore(store);
    const events: AlertEvent[] = [];
    for (let day = Date.parse('2026-11-01T00:00:00Z'); day <= Date.parse('2026-12-01T00:00:00Z'); day += DAY_MS) events.push(...(await readAlertEvents(storage, 'checkout-fraud', day)));
    firing = events.filter((e) => e.kind === 'firing').sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    // `main demo` prints the performance part itself (lib/cli/commands/index.ts calls demoPerformance).
    expect(log.some((l) => l.includes('realised vs estimated ROC AUC per day')), log.join('\n')).toBe(true);
    perfLog.push(...log);
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const firstAlert = (feature: string, after: number) => firing.find((e) => e.feature === feature && Date.parse(e.at) > after);

  it('injects the four faults of issue #3 and the fallback-score fault of issue #12', () => {
    expect(faults.map((f) => `${f.feature}:${f.kind}`).sort()).toEqual([
      'basket_value:gradual_drift', 'device_score:null_rate', 'payment_method:new_category', 'score:fallback_score', 'time_to_order:unit_change',
    ]);
  });

  it.each(['time_to_order', 'device_score', 'payment_method'])('flags the abrupt fault on %s within 3 evaluations of its start', (feature) => {
    const fault = faults.find((f) => f.feature === feature)!;
    const alert = firstAlert(feature, Date.parse(fault.start));
    expect(alert, `no alert on ${feature}`).toBeDefined();
    expect((Date.parse(alert!.at) - Date.parse(fault.start)) / HOUR_MS).toBeLessThanOrEqual(3);
  });

  it('says what the time_to_order fault looks like: ×1000, seconds sent as milliseconds', () => {
    const fault = faults.find((f) => f.feature === 'time_to_order')!;
    expect(firstAlert('time_to_order', Date.parse(fault.start))?.hint).toMatch(/×1000 larger: seconds sent as milliseconds\?$/);
  });

  it('calls the null-rate jump failing, and the new category by its name', () => {
    expect(firstAlert('device_score', 0)?.verdict).toBe('failing');
    expect(firstAlert('payment_method', 0)?.hint).toBe('new category not in the reference: crypto');
  });

  it('flags the slow drift of basket_value before it reaches a quarter of its course (+10%)', () => {
    const fault = faults.find((f) => f.feature === 'basket_value')!;
    const quarter = Date.parse(fault.start) + (Date.parse(fault.end) - Date.parse(fault.start)) / 4;
    const alert = firstAlert('basket_value', Date.parse(fault.start));
    expect(alert).toBeDefined();
    expect(Date.parse(alert!.at)).toBeLessThan(quarter);
  });

  it('raises no alert on a feature without a fault (the score may follow its inputs)', () => {
    const faulty = new Set(faults.map((f) => f.feature));
    expect(firing.filter((e) => !faulty.has(e.feature) && e.feature !== 'score').map((e) => `${e.feature} ${e.at}`)).toEqual([]);
    const score = firstAlert('score', 0);
    if (score) expect(Date.parse(score.at)).toBeGreaterThan(Math.min(...faults.map((f) => Date.parse(f.start))));
  });

  it('prints a summary of which alerts fired when', () => {
    expect(log.some((l) => /^demo: \d+ alerts fired/.test(l))).toBe(true);
    expect(log.filter((l) => l.startsWith('  ✓')).length).toBe(5);
  });

  describe('delayed labels', () => {
    const nowMs = Date.parse('2026-12-01T00:00:00Z');
    const readNdjson = async <T>(file: string) => (await readFile(join(dir, 'store-data', file), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
    const series = async (from: string, to: string, stepMs?: number) => {
      const s = await openStore(store);
      const { threshold, min_coverage } = s.config.performance;
      return performanceSeries({ storage: s.storage, model: 'checkout-fraud', fromMs: Date.parse(from), toMs: Date.parse(to), stepMs, reference: 'test', threshold, minCoverage: min_coverage });
    };

    it('labels come 7–21 days after the prediction for 80% ± 2 points of the predictions; only those arrived by the demo\'s end are added', async () => {
      const predictions = await readNdjson<PredictionEvent>('predictions.ndjson');
      const labels = await readNdjson<LabelEvent>('labels.ndjson');
      const arrived = await readNdjson<LabelEvent>('labels-arrived.ndjson');
      const predictedAt = new Map(predictions.map((p) => [p.id, Date.parse(p.ts)]));
      expect(Math.abs(labels.length / predictions.length - 0.8)).toBeLessThan(0.02);
      const delays = Float64Array.from(labels, (l) => Date.parse(l.ts) - predictedAt.get(l.id)!).sort();
      expect(delays[0]).toBeGreaterThanOrEqual(7 * DAY_MS);
      expect(delays.at(-1)).toBeLessThanOrEqual(21 * DAY_MS);
      expect(arrived.length).toBe(labels.filter((l) => Date.parse(l.ts) <= nowMs).length);
      expect(arrived.every((l) => Date.parse(l.ts) <= nowMs)).toBe(true);
      // Joined in the store: what the labels cover, and no more.
      const [whole] = (await series('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).windows;
      expect(whole.predictions).toBe(predictions.length);
      expect(whole.labelled).toBe(arrived.length);
      expect(whole.label_delay_hours!.p50).toBeGreaterThanOrEqual(7 * 24);
      expect(whole.label_delay_hours!.p90).toBeLessThanOrEqual(21 * 24);
      // Days older than 21 days have all their labels (80%); the last 7 days none yet.
      const [old] = (await series('2026-11-01T00:00:00Z', '2026-11-09T00:00:00Z')).windows;
      expect(Math.abs(old.coverage! - 0.8)).toBeLessThan(0.02);
      const [recent] = (await series('2026-11-24T00:00:00Z', '2026-12-01T00:00:00Z')).windows;
      expect(recent.labelled).toBe(0);
    });

    it('realised ROC AUC falls by more than 0.08 under the fallback-score fault, and the estimate sees it within 0.03', async () => {
      const [quiet] = (await series('2026-11-01T00:00:00Z', '2026-11-05T00:00:00Z')).windows;
      const [fault] = (await series('2026-11-05T00:00:00Z', '2026-11-09T10:00:00Z')).windows;
      // Measured: realised 0.909 → 0.802, estimated 0.912 → 0.793.
      expect(quiet.realised!.roc_auc).toBeGreaterThan(0.89);
      expect(quiet.realised!.roc_auc - fault.realised!.roc_auc).toBeGreaterThan(0.08);
      expect(Math.abs(quiet.estimated!.roc_auc - quiet.realised!.roc_auc)).toBeLessThan(0.03);
      expect(Math.abs(fault.estimated!.roc_auc - fault.realised!.roc_auc)).toBeLessThan(0.03);
    });

    it('prints realised and estimated ROC AUC per day for the last 30 days, and says per fault period whether the estimate sees it', () => {
      const days = perfLog.filter((l) => /^ {2}2026-1[12]-\d\d /.test(l));
      expect(days.length).toBe(30);
      const figures = (l: string) => l.match(/\d\.\d{3}/g) ?? [];
      // Realised where labels cover the day (the first two weeks), the estimate and its band every day.
      expect(days.filter((l) => figures(l).length === 4).length).toBeGreaterThanOrEqual(12);
      expect(days.every((l) => figures(l).length >= 3)).toBe(true);
      expect(days.at(-1)).toMatch(/^ {2}2026-11-30 +\d+ +0% +— +0\.\d{3} \[/);
      expect(perfLog.find((l) => l.includes('fallback scores for 60% of orders'))).toMatch(/realised 0\.\d{3} \(−0\.\d{3}\), estimated 0\.\d{3} \(−0\.\d{3}\) — the estimate sees it$/);
      expect(perfLog.find((l) => l.includes('time_to_order in ms'))).toMatch(/the estimate (sees part of it|does not see it)/);
      expect(perfLog.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    });
  });
});
