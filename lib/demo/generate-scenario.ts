import { FEATURES, type FeatureSpec, type OrderFeatures } from './features';
import { FaultSchedule, NO_FAULTS, type Fault, type FaultState } from './faults';
import { fraudScore, MODEL_NAME, MODEL_VERSION } from './fraud-model';
import { fallbackScore } from './fallback-model';
import { mixSeed, Random } from './random';
import { LIVE_REGIME, sampleOrder, TRAIN_REGIME, type Regime } from './sample-order';
import { dailyLevel, DAY_MS, expectedOrders, HOUR_MS, parseHour } from './traffic';

export interface ScenarioOptions {
  seed?: number;
  /** First hour of live traffic, ISO on a whole UTC hour. */
  start?: string;
  days?: number;
  meanPerHour?: number;
  testRows?: number;
  trainRows?: number;
}

export interface PredictionEvent {
  model: string;
  id: string;
  ts: string;
  features: OrderFeatures;
  score: number;
  model_version: string;
}

export interface LabelEvent {
  model: string;
  id: string;
  ts: string;
  label: 0 | 1;
}

export type ReferenceRow = { id: string; ts: string } & OrderFeatures & { score: number; label: 0 | 1 };

export interface Scenario {
  model: typeof MODEL_NAME;
  modelVersion: string;
  seed: number;
  /** Live traffic covers [start, end). */
  start: string;
  end: string;
  features: readonly FeatureSpec[];
  faults: Fault[];
  /** Prediction events in time order; each call starts again and yields the same events. */
  events(): IterableIterator<PredictionEvent>;
  /** Label events in arrival order: 80% of predictions, ts 7–21 days after the prediction, often after `end`. */
  labels(): IterableIterator<LabelEvent>;
  /** The test set: the 30 days before `start`, same process as live traffic before any fault. */
  test(): IterableIterator<ReferenceRow>;
  /** The training set: the 90 days before the test period, a slightly different customer mix. */
  train(): IterableIterator<ReferenceRow>;
}

export const SCENARIO_DEFAULTS = {
  seed: 20261129,
  start: '2026-11-01T00:00:00Z',
  days: 14,
  meanPerHour: 400,
  testRows: 20000,
  trainRows: 60000,
} as const satisfies Required<ScenarioOptions>;

const TEST_DAYS = 30;
const TRAIN_DAYS = 90;
/** Orders cancelled, refunded or never chased never get a label. */
export const UNLABELLED_SHARE = 0.2;
/** Whether an order was paid is known 7–21 days after it (uniform). */
export const LABEL_DELAY_MIN_MS = 7 * DAY_MS;
export const LABEL_DELAY_SPAN_MS = 14 * DAY_MS;

/** Independent random streams: live hour h uses (seed, LIVE, h), so hours never shift each other. */
const STREAM = { live: 1, test: 2, train: 3, fallback: 4 } as const;

interface LiveOrder {
  event: PredictionEvent;
  label: LabelEvent | null;
  labelMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoHour = (ms: number) => iso(ms).replace('.000Z', 'Z');
/** Six significant digits: scores near zero keep their resolution. */
const scoreOf = (features: OrderFeatures) => Number(fraudScore(features).toPrecision(6));

function orderContext(tsMs: number, regime: Regime, faults: FaultState) {
  const date = new Date(tsMs);
  const hourOfDay = date.getUTCHours();
  const weekday = date.getUTCDay();
  return { hourOfDay, isWeekend: weekday === 0 || weekday === 6, trafficLevel: dailyLevel(hourOfDay), regime, faults };
}

function checkOptions(o: Required<ScenarioOptions>): void {
  const bad = (name: string, why: string) => new RangeError(`generateScenario: ${name} ${why}`);
  if (!Number.isSafeInteger(o.seed)) throw bad('seed', 'must be an integer');
  if (!Number.isInteger(o.days) || o.days < 1) throw bad('days', 'must be a whole number ≥ 1');
  if (!Number.isFinite(o.meanPerHour) || o.meanPerHour <= 0) throw bad('meanPerHour', 'must be a positive number');
  if (!Number.isInteger(o.testRows) || o.testRows < 0) throw bad('testRows', 'must be a whole number ≥ 0');
  if (!Number.isInteger(o.trainRows) || o.trainRows < 0) throw bad('trainRows', 'must be a whole number ≥ 0');
}

/** Deterministic live traffic, labels, reference sets and injected faults for the demo. */
export function generateScenario(options: ScenarioOptions = {}): Scenario {
  const d = SCENARIO_DEFAULTS;
  const o: Required<ScenarioOptions> = {
    seed: options.seed ?? d.seed,
    start: options.start ?? d.start,
    days: options.days ?? d.days,
    meanPerHour: options.meanPerHour ?? d.meanPerHour,
    testRows: options.testRows ?? d.testRows,
    trainRows: options.trainRows ?? d.trainRows,
  };
  checkOptions(o);
  const startMs = parseHour(o.start);
  const endMs = startMs + o.days * DAY_MS;
  const schedule = new FaultSchedule(startMs, endMs);

  function* liveOrders(): Generator<LiveOrder> {
    let n = 0;
    for (let hourStart = startMs, h = 0; hourStart < endMs; hourStart += HOUR_MS, h++) {
      const rng = new Random(mixSeed(o.seed, STREAM.live, h));
      // Its own stream: which orders get the fallback score never shifts the draws of the orders.
      const fallbackRng = new Random(mixSeed(o.seed, STREAM.fallback, h));
      const count = rng.poisson(expectedOrders(hourStart, o.meanPerHour));
      const offsets = new Float64Array(count);
      for (let i = 0; i < count; i++) offsets[i] = rng.below(HOUR_MS);
      offsets.sort();
      for (let i = 0; i < count; i++) {
        const tsMs = hourStart + offsets[i];
        const state = schedule.stateAt(tsMs);
        const ctx = orderContext(tsMs, LIVE_REGIME, state);
        const order = sampleOrder(rng, ctx);
        const fallback = fallbackRng.uniform() < state.fallbackShare;
        const id = `ord-${++n}`;
        const score = fallback ? Number(fallbackScore(order.features, ctx.trafficLevel).toPrecision(6)) : scoreOf(order.features);
        const event = { model: MODEL_NAME, id, ts: iso(tsMs), features: order.features, score, model_version: MODEL_VERSION };
        const labelled = rng.uniform() >= UNLABELLED_SHARE;
        const labelMs = tsMs + LABEL_DELAY_MIN_MS + rng.below(LABEL_DELAY_SPAN_MS);
        const label: LabelEvent | null = labelled ? { model: MODEL_NAME, id, ts: iso(labelMs), label: order.fraud ? 1 : 0 } : null;
        yield { event, label, labelMs };
      }
    }
  }

  let labelCache: LabelEvent[] | null = null;
  function allLabels(): LabelEvent[] {
    if (labelCache) return labelCache;
    const pending: { ms: number; label: LabelEvent }[] = [];
    for (const { label, labelMs } of liveOrders()) if (label) pending.push({ ms: labelMs, label });
    labelCache = sortedLabels(pending);
    return labelCache;
  }
  const sortedLabels = (pending: { ms: number; label: LabelEvent }[]) => pending.sort((a, b) => a.ms - b.ms).map((p) => p.label); // stable: ties keep prediction order

  function* referenceRows(stream: number, fromMs: number, days: number, rows: number, regime: Regime, idPrefix: string): Generator<ReferenceRow> {
    const rng = new Random(mixSeed(o.seed, stream, 0));
    const hours = days * 24;
    const cdf = new Float64Array(hours);
    let total = 0;
    for (let h = 0; h < hours; h++) cdf[h] = total += expectedOrders(fromMs + h * HOUR_MS, 1);
    const times = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const target = rng.uniform() * total;
      let lo = 0;
      let hi = hours - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid] <= target) lo = mid + 1;
        else hi = mid;
      }
      times[i] = fromMs + lo * HOUR_MS + rng.below(HOUR_MS);
    }
    times.sort();
    for (let i = 0; i < rows; i++) {
      const order = sampleOrder(rng, orderContext(times[i], regime, NO_FAULTS));
      yield { id: `${idPrefix}-${i + 1}`, ts: iso(times[i]), ...order.features, score: scoreOf(order.features), label: order.fraud ? 1 : 0 };
    }
  }

  const testFromMs = startMs - TEST_DAYS * DAY_MS;
  return {
    model: MODEL_NAME,
    modelVersion: MODEL_VERSION,
    seed: o.seed,
    start: isoHour(startMs),
    end: isoHour(endMs),
    features: FEATURES,
    faults: schedule.faults,
    *events() {
      // A full pass collects the labels on the way: writing both files generates the traffic once.
      const pending: { ms: number; label: LabelEvent }[] | null = labelCache ? null : [];
      for (const { event, label, labelMs } of liveOrders()) {
        if (pending && label) pending.push({ ms: labelMs, label });
        yield event;
      }
      if (pending && !labelCache) labelCache = sortedLabels(pending);
    },
    labels: () => allLabels().values(),
    test: () => referenceRows(STREAM.test, testFromMs, TEST_DAYS, o.testRows, LIVE_REGIME, 'test'),
    train: () => referenceRows(STREAM.train, testFromMs - TRAIN_DAYS * DAY_MS, TRAIN_DAYS, o.trainRows, TRAIN_REGIME, 'train'),
  };
}
