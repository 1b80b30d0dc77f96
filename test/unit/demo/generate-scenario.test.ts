import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, generateScenario, type LabelEvent, type PredictionEvent, type ReferenceRow, type Scenario } from '@/lib/demo';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const median = (values: number[]) => {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const share = <T>(items: T[], test: (item: T) => boolean) => items.filter(test).length / items.length;
const num = (v: unknown) => {
  if (typeof v !== 'number') throw new TypeError(`expected a number, got ${JSON.stringify(v)}`);
  return v;
};

/** ROC AUC from the raw rows (ties count half), to check the demo's figures against. */
function exactAuc(rows: { score: number; label: number }[]): number {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j++;
    for (let k = i; k < j; k++) if (sorted[k].label === 1) {
      rankSum += (i + j + 1) / 2;
      positives++;
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The columns the assertions need, gathered in one pass over ~135k events. */
interface Live {
  count: number;
  first: PredictionEvent;
  last: PredictionEvent;
  tsMs: number[];
  ids: Map<string, number>;
  timeToOrder: number[];
  basketValue: number[];
  deviceScoreNull: boolean[];
  payment: string[];
  scores: number[];
  inOrder: boolean;
  complete: boolean;
}

function collect(scenario: Scenario): Live {
  const live: Omit<Live, 'first' | 'last'> & Partial<Live> = {
    count: 0, tsMs: [], ids: new Map(), timeToOrder: [], basketValue: [], deviceScoreNull: [], payment: [], scores: [], inOrder: true, complete: true,
  };
  let previous = -Infinity;
  for (const e of scenario.events()) {
    live.first ??= e;
    live.last = e;
    const ms = Date.parse(e.ts);
    if (ms < previous) live.inOrder = false;
    previous = ms;
    if (Object.keys(e.features).join() !== FEATURES.map((f) => f.name).join() || e.model_version !== '3' || e.model !== 'checkout-fraud') live.complete = false;
    live.ids.set(e.id, ms);
    live.tsMs.push(ms);
    live.timeToOrder.push(num(e.features.time_to_order));
    live.basketValue.push(num(e.features.basket_value));
    live.deviceScoreNull.push(e.features.device_score === null);
    live.payment.push(String(e.features.payment_method));
    live.scores.push(e.score);
    live.count++;
  }
  return live as Live;
}

const faultStart = (scenario: Scenario, feature: string) => {
  const fault = scenario.faults.find((f) => f.feature === feature);
  if (!fault) throw new Error(`no fault on ${feature}`);
  return Date.parse(fault.start);
};

describe('generateScenario (defaults: 14 days × 400 orders/h, seed 20261129)', () => {
  let scenario: Scenario;
  let live: Live;
  let labels: LabelEvent[];
  let test: ReferenceRow[];
  let train: ReferenceRow[];
  let generationMs: number;
  const indicesWhere = (keep: (ms: number) => boolean) => live.tsMs.flatMap((ms, i) => (keep(ms) ? [i] : []));

  beforeAll(() => {
    const t0 = performance.now();
    scenario = generateScenario();
    live = collect(scenario);
    generationMs = performance.now() - t0;
    labels = [...scenario.labels()];
    test = [...scenario.test()];
    train = [...scenario.train()];
  });

  it('describes about 20 typed features and five faults inside the period', () => {
    expect(scenario.model).toBe('checkout-fraud');
    expect(scenario.features.length).toBe(20);
    expect(scenario.features.filter((f) => f.type === 'categorical').map((f) => f.name)).toEqual([
      'shipping_billing_match', 'payment_method', 'country', 'device_type', 'browser', 'is_weekend', 'coupon_used',
    ]);
    expect(scenario.faults.map((f) => [f.feature, f.kind, f.start])).toEqual([
      ['basket_value', 'gradual_drift', '2026-11-04T00:00:00Z'],
      ['score', 'fallback_score', '2026-11-05T00:00:00Z'],
      ['device_score', 'null_rate', '2026-11-07T14:00:00Z'],
      ['time_to_order', 'unit_change', '2026-11-09T10:00:00Z'],
      ['payment_method', 'new_category', '2026-11-11T08:00:00Z'],
    ]);
    expect(scenario.start).toBe('2026-11-01T00:00:00Z');
    expect(scenario.end).toBe('2026-11-15T00:00:00Z');
  });

  it('yields ~135k complete events in time order, with unique sequential ids, in a few seconds', () => {
    expect(live.count / (14 * 24 * 400)).toBeGreaterThan(0.97);
    expect(live.count / (14 * 24 * 400)).toBeLessThan(1.03);
    expect(live.inOrder).toBe(true);
    expect(live.complete).toBe(true);
    expect(live.ids.size).toBe(live.count);
    expect(live.first.id).toBe('ord-1');
    expect(live.last.id).toBe(`ord-${live.count}`);
    expect(live.first.ts).toMatch(/^2026-11-01T00:\d\d:\d\d\.\d{3}Z$/);
    expect(live.last.ts < scenario.end).toBe(true);
    expect(generationMs).toBeLessThan(10_000);
  });

  it('traffic follows the daily cycle: night hours are far quieter than the evening', () => {
    const perHourOfDay = new Array<number>(24).fill(0);
    for (const ms of live.tsMs) perHourOfDay[new Date(ms).getUTCHours()]++;
    const mean = (hours: number[]) => hours.reduce((s, h) => s + perHourOfDay[h], 0) / hours.length;
    const night = mean([2, 3, 4, 5]);
    const evening = mean([18, 19, 20, 21]);
    expect(night / evening).toBeGreaterThan(0.2);
    expect(night / evening).toBeLessThan(0.4);
    expect(perHourOfDay.indexOf(Math.max(...perHourOfDay))).toBeGreaterThanOrEqual(18);
  });

  it('time_to_order is in seconds before its fault and in milliseconds after', () => {
    const at = faultStart(scenario, 'time_to_order');
    const before = median(indicesWhere((ms) => ms < at).map((i) => live.timeToOrder[i]));
    const after = median(indicesWhere((ms) => ms >= at).map((i) => live.timeToOrder[i]));
    expect(before).toBeGreaterThanOrEqual(100);
    expect(before).toBeLessThanOrEqual(400);
    expect(after).toBeGreaterThanOrEqual(100_000);
    expect(after).toBeLessThanOrEqual(400_000);
  });

  it('device_score is rarely null before its fault and 90% null after', () => {
    const at = faultStart(scenario, 'device_score');
    const before = share(indicesWhere((ms) => ms < at), (i) => live.deviceScoreNull[i]);
    const after = share(indicesWhere((ms) => ms >= at), (i) => live.deviceScoreNull[i]);
    expect(before).toBeGreaterThan(0.002);
    expect(before).toBeLessThan(0.05);
    expect(after).toBeGreaterThan(0.85);
    expect(after).toBeLessThan(0.95);
  });

  it("payment_method 'crypto' is absent before its start and takes 10–20% after", () => {
    const at = faultStart(scenario, 'payment_method');
    expect(indicesWhere((ms) => ms < at).filter((i) => live.payment[i] === 'crypto')).toEqual([]);
    const after = share(indicesWhere((ms) => ms >= at), (i) => live.payment[i] === 'crypto');
    expect(after).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.2);
  });

  it("basket_value's median drifts up: the last day is ≥ 25% above the first", () => {
    const start = Date.parse(scenario.start);
    const end = Date.parse(scenario.end);
    const firstDay = median(indicesWhere((ms) => ms < start + DAY_MS).map((i) => live.basketValue[i]));
    const lastDay = median(indicesWhere((ms) => ms >= end - DAY_MS).map((i) => live.basketValue[i]));
    expect(lastDay / firstDay).toBeGreaterThanOrEqual(1.25);
    expect(lastDay / firstDay).toBeLessThan(1.6);
  });

  it('the test set covers the 30 days before start and matches live traffic before any fault', () => {
    expect(test.length).toBe(20_000);
    expect(test[0].ts >= '2026-10-02T00:00:00.000Z').toBe(true);
    expect(test.at(-1)!.ts < scenario.start).toBe(true);
    const firstFault = Math.min(...scenario.faults.map((f) => Date.parse(f.start)));
    const clean = indicesWhere((ms) => ms < firstFault);
    const ratio = (a: number, b: number) => Math.abs(a / b - 1);
    expect(ratio(median(test.map((r) => num(r.time_to_order))), median(clean.map((i) => live.timeToOrder[i])))).toBeLessThan(0.1);
    expect(ratio(median(test.map((r) => num(r.basket_value))), median(clean.map((i) => live.basketValue[i])))).toBeLessThan(0.1);
    const testApplePay = share(test, (r) => r.payment_method === 'apple_pay');
    expect(Math.abs(testApplePay - share(clean, (i) => live.payment[i] === 'apple_pay'))).toBeLessThan(0.02);
    expect(share(test, (r) => r.device_score === null)).toBeLessThan(0.05);
  });

  it('the training set is older and a little different: lower baskets, fewer apple_pay', () => {
    expect(train.length).toBe(60_000);
    expect(train.at(-1)!.ts < test[0].ts).toBe(true);
    expect(median(train.map((r) => num(r.basket_value))) / median(test.map((r) => num(r.basket_value)))).toBeLessThan(0.96);
    expect(share(train, (r) => r.payment_method === 'apple_pay')).toBeLessThan(share(test, (r) => r.payment_method === 'apple_pay') - 0.02);
    expect(new Set(train.map((r) => r.id)).size).toBe(train.length);
  });

  it('labels reference predictions, arrive 7–21 days later in time order, for 80% ± 2 points of them, ~2% fraud', () => {
    expect(labels.length / live.count).toBeGreaterThan(0.78);
    expect(labels.length / live.count).toBeLessThan(0.82);
    let previous = '';
    let fraud = 0;
    let minDelay = Infinity;
    let maxDelay = -Infinity;
    for (const l of labels) {
      const predictedMs = live.ids.get(l.id);
      if (predictedMs === undefined) throw new Error(`label ${l.id} has no prediction`);
      const delay = Date.parse(l.ts) - predictedMs;
      minDelay = Math.min(minDelay, delay);
      maxDelay = Math.max(maxDelay, delay);
      if (l.ts < previous) throw new Error(`label ${l.id} at ${l.ts} is out of order`);
      previous = l.ts;
      fraud += l.label;
    }
    expect(minDelay).toBeGreaterThanOrEqual(7 * DAY_MS);
    expect(maxDelay).toBeLessThanOrEqual(21 * DAY_MS);
    // The whole range is used: the first and last day of it each hold labels.
    expect(minDelay).toBeLessThan(7.05 * DAY_MS);
    expect(maxDelay).toBeGreaterThan(20.95 * DAY_MS);
    expect(new Set(labels.map((l) => l.id)).size).toBe(labels.length);
    expect(fraud / labels.length).toBeGreaterThan(0.012);
    expect(fraud / labels.length).toBeLessThan(0.03);
    // Coverage is the same every day (it does not depend on the label or the hour).
    const perDay = new Map<number, [number, number]>();
    const labelled = new Set(labels.map((l) => l.id));
    for (const [id, ms] of live.ids) {
      const c = perDay.get(Math.floor(ms / DAY_MS)) ?? [0, 0];
      c[0]++;
      if (labelled.has(id)) c[1]++;
      perDay.set(Math.floor(ms / DAY_MS), c);
    }
    for (const [, [n, k]] of perDay) expect(Math.abs(k / n - 0.8)).toBeLessThan(0.02);
  });

  it('the score is a calibrated fraud probability on the test set and reacts to the unit fault', () => {
    const meanScore = test.reduce((s, r) => s + r.score, 0) / test.length;
    const fraudRate = test.reduce((s, r) => s + r.label, 0) / test.length;
    expect(Math.abs(meanScore / fraudRate - 1)).toBeLessThan(0.15);
    const ranked = [...test].sort((a, b) => b.score - a.score);
    const topDecileRate = ranked.slice(0, 2000).reduce((s, r) => s + r.label, 0) / 2000;
    expect(topDecileRate).toBeGreaterThan(5 * fraudRate);
    // 40% of orders keep the model's score after the fallback starts: the low quantile shows the unit change.
    const at = faultStart(scenario, 'time_to_order');
    const lowQuantile = (idx: number[]) => Float64Array.from(idx.map((i) => live.scores[i])).sort()[Math.floor(idx.length * 0.2)];
    const before = lowQuantile(indicesWhere((ms) => ms < at && ms >= at - DAY_MS));
    const after = lowQuantile(indicesWhere((ms) => ms >= at && ms < at + DAY_MS));
    expect(after).toBeLessThan(before / 10);
  });

  it('the fallback fault: 60% of orders from its start get a calibrated table score with little ranking power', () => {
    const at = faultStart(scenario, 'score');
    const truth = new Map(labels.map((l) => [l.id, l.label]));
    const ids = [...live.ids.keys()];
    const rows = (keep: (ms: number) => boolean) =>
      indicesWhere(keep).flatMap((i) => {
        const y = truth.get(ids[i]);
        return y === undefined ? [] : [{ score: live.scores[i], label: y }];
      });
    const quiet = rows((ms) => ms < at);
    const fallback = rows((ms) => ms >= at && ms < faultStart(scenario, 'time_to_order'));
    // Realised ROC AUC falls by more than 0.08 (measured: 0.909 → 0.802); the score's mean still matches the fraud rate.
    expect(exactAuc(quiet)).toBeGreaterThan(0.89);
    expect(exactAuc(quiet) - exactAuc(fallback)).toBeGreaterThan(0.08);
    const mean = (r: { score: number; label: number }[], f: (x: { score: number; label: number }) => number) => r.reduce((s, x) => s + f(x), 0) / r.length;
    expect(Math.abs(mean(fallback, (x) => x.score) / mean(fallback, (x) => x.label) - 1)).toBeLessThan(0.15);
  });

  it('is deterministic: the same seed gives the same events, labels and reference rows', () => {
    const again = generateScenario();
    const other = collect(again);
    expect(other.count).toBe(live.count);
    expect(other.first).toEqual(live.first);
    expect(other.last).toEqual(live.last);
    const labelsAgain = [...again.labels()];
    expect(labelsAgain.length).toBe(labels.length);
    expect([labelsAgain[0], labelsAgain.at(-1)]).toEqual([labels[0], labels.at(-1)]);
    expect(again.test().next().value).toEqual(test[0]);
    let last: PredictionEvent | undefined;
    for (const e of scenario.events()) last = e;
    expect(last).toEqual(live.last);
  });

  it('a different seed gives different traffic', () => {
    const other = collect(generateScenario({ seed: 20261130 }));
    expect(other.count).not.toBe(live.count);
    expect(other.first.ts).not.toBe(live.first.ts);
    expect(other.first.features).not.toEqual(live.first.features);
  });
});

describe('generateScenario options', () => {
  it('scales with meanPerHour, days and row counts, and drops faults outside the period', () => {
    const s = generateScenario({ days: 5, meanPerHour: 40, testRows: 100, trainRows: 50, start: '2027-03-01T06:00:00Z' });
    const events = [...s.events()];
    expect(events.length / (5 * 24 * 40)).toBeGreaterThan(0.9);
    expect(events.length / (5 * 24 * 40)).toBeLessThan(1.1);
    expect(events[0].ts >= '2027-03-01T06:00:00.000Z').toBe(true);
    expect(s.end).toBe('2027-03-06T06:00:00Z');
    expect(s.faults.map((f) => f.feature)).toEqual(['basket_value', 'score']);
    expect([...s.test()].length).toBe(100);
    expect([...s.train()].length).toBe(50);
  });

  it.each([
    [{ start: '2026-11-01T00:30:00Z' }, /whole UTC hour/],
    [{ start: '2026-11-01T00:00:00' }, /whole UTC hour/],
    [{ days: 0 }, /days/],
    [{ meanPerHour: -1 }, /meanPerHour/],
    [{ testRows: 1.5 }, /testRows/],
    [{ seed: Number.NaN }, /seed/],
  ])('rejects %j', (options, message) => {
    expect(() => generateScenario(options)).toThrow(message);
  });
});
