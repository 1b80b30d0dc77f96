import type { FeatureName } from './features';
import { DAY_MS, HOUR_MS } from './traffic';

export type FaultKind = 'unit_change' | 'null_rate' | 'gradual_drift' | 'new_category' | 'fallback_score';

export interface Fault {
  /** The input it changes, or the score itself. */
  feature: FeatureName | 'score';
  kind: FaultKind;
  /** First affected hour (ISO, UTC). */
  start: string;
  /** End of the fault, exclusive: every fault lasts until the scenario ends. */
  end: string;
  description: string;
}

/** How the logged inputs differ from the true ones at one moment. */
export interface FaultState {
  timeToOrderScale: number;
  deviceScoreNullRate: number;
  basketValueScale: number;
  cryptoShare: number;
  /** Share of orders scored by the fallback table instead of the model (lib/demo/fallback-model.ts). */
  fallbackShare: number;
}

export const NO_FAULTS: FaultState = { timeToOrderScale: 1, deviceScoreNullRate: 0, basketValueScale: 1, cryptoShare: 0, fallbackShare: 0 };

/** When each fault starts: calendar day of the scenario (1 = the start day) and UTC hour. */
export const FAULT_PLAN = {
  timeToOrderMs: { day: 9, hour: 10, factor: 1000 },
  deviceScoreNulls: { day: 7, hour: 14, nullRate: 0.9 },
  basketValueDrift: { day: 4, hour: 0, rise: 0.4, overDays: 11 },
  cryptoPayments: { day: 11, hour: 8, share: 0.15 },
  fallbackScores: { day: 5, hour: 0, share: 0.6 },
} as const;

const isoHour = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export class FaultSchedule {
  readonly faults: Fault[];
  private readonly timeToOrderFromMs: number;
  private readonly deviceNullsFromMs: number;
  private readonly driftFromMs: number;
  private readonly cryptoFromMs: number;
  private readonly driftFullMs: number;
  private readonly fallbackFromMs: number;

  constructor(startMs: number, endMs: number) {
    const at = ({ day, hour }: { day: number; hour: number }) => startMs + (day - 1) * DAY_MS + hour * HOUR_MS;
    const plan = FAULT_PLAN;
    this.timeToOrderFromMs = at(plan.timeToOrderMs);
    this.deviceNullsFromMs = at(plan.deviceScoreNulls);
    this.driftFromMs = at(plan.basketValueDrift);
    this.cryptoFromMs = at(plan.cryptoPayments);
    this.fallbackFromMs = at(plan.fallbackScores);
    // The rise takes a fixed time (to the end of the 14-day scenario), then stays: longer runs keep its pace.
    this.driftFullMs = this.driftFromMs + plan.basketValueDrift.overDays * DAY_MS;
    const end = isoHour(endMs);
    const all: Fault[] = [
      {
        feature: 'basket_value',
        kind: 'gradual_drift',
        start: isoHour(this.driftFromMs),
        end,
        description: `basket_value's median rises linearly from ${isoHour(this.driftFromMs)} until it is ${plan.basketValueDrift.rise * 100}% higher ${plan.basketValueDrift.overDays} days later (prices, not fraud).`,
      },
      {
        feature: 'device_score',
        kind: 'null_rate',
        start: isoHour(this.deviceNullsFromMs),
        end,
        description: `device_score is null in ${plan.deviceScoreNulls.nullRate * 100}% of orders (the fingerprint service times out); the model imputes the training mean.`,
      },
      {
        feature: 'time_to_order',
        kind: 'unit_change',
        start: isoHour(this.timeToOrderFromMs),
        end,
        description: `time_to_order is sent in milliseconds instead of seconds (×${plan.timeToOrderMs.factor}) after a client release.`,
      },
      {
        feature: 'payment_method',
        kind: 'new_category',
        start: isoHour(this.cryptoFromMs),
        end,
        description: `A new payment method 'crypto' appears and takes about ${plan.cryptoPayments.share * 100}% of orders; the model has never seen it.`,
      },
      {
        feature: 'score',
        kind: 'fallback_score',
        start: isoHour(this.fallbackFromMs),
        end,
        description: `The model times out for ${plan.fallbackScores.share * 100}% of orders and the scoring service silently answers from its fallback table (fraud rate by payment method, country and hour): calibrated, but it barely ranks orders, so ROC AUC falls; no input changes.`,
      },
    ];
    this.faults = all.filter((f) => Date.parse(f.start) < endMs).sort((a, b) => a.start.localeCompare(b.start));
  }

  stateAt(tsMs: number): FaultState {
    const plan = FAULT_PLAN;
    const driftProgress = tsMs < this.driftFromMs ? 0 : (tsMs - this.driftFromMs) / (this.driftFullMs - this.driftFromMs);
    return {
      timeToOrderScale: tsMs >= this.timeToOrderFromMs ? plan.timeToOrderMs.factor : 1,
      deviceScoreNullRate: tsMs >= this.deviceNullsFromMs ? plan.deviceScoreNulls.nullRate : 0,
      basketValueScale: 1 + plan.basketValueDrift.rise * Math.min(1, driftProgress),
      cryptoShare: tsMs >= this.cryptoFromMs ? plan.cryptoPayments.share : 0,
      fallbackShare: tsMs >= this.fallbackFromMs ? plan.fallbackScores.share : 0,
    };
  }
}
