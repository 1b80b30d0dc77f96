import { alertKey } from './evaluate-alerts';
import { describeError, type Notifier } from './notifiers';
import type { AlertEvent } from './schemas';

/** One event addressed to one channel: the unit that succeeds or fails on its own. */
export interface Delivery {
  event: AlertEvent;
  channel: string;
}

export interface FailedDelivery<T extends Delivery> {
  delivery: T;
  error: string;
  /** False for a 4xx rejection or an unknown channel: retrying unchanged is unlikely to help. */
  retryable: boolean;
  /** Requests made in this round; 0 when the delivery was held back without trying. */
  attempts: number;
}

export interface DeliveryReport<T extends Delivery> {
  delivered: T[];
  /** Persist these (see outbox.ts) and try again on the next evaluation. */
  undelivered: FailedDelivery<T>[];
}

function eventAlertKey(event: AlertEvent): string {
  return alertKey(event.rule, event.model, event.feature, event.reference);
}

export interface DeliverOptions {
  /**
   * Per channel and round: once spent, the remaining deliveries are left for the next round
   * untried (a receiver that hangs would otherwise hold the hourly job for hours).
   */
  roundBudgetMs?: number;
  now?: () => number;
}

/** Default round budget per channel: a receiver down with a 5 s timeout still gets ~12 single tries. */
export const DEFAULT_ROUND_BUDGET_MS = 60_000;

/**
 * Send each delivery to its channel. Channels work in parallel; within a channel, deliveries go
 * in the given order (pass them oldest first). Never throws: every failure is in `undelivered`.
 * Every delivery is attempted in every round, each with its own retries and backoff, except:
 * - once a delivery has used all its attempts on a retryable failure (the receiver looks down),
 *   the others of that channel get one attempt each this round instead of a full retry series;
 *   a success restores full retries;
 * - a later event of an alert whose earlier event failed is held back, so a receiver never sees
 *   'resolved' before the 'firing' it resolves;
 * - what remains when the channel's round budget is spent waits for the next round.
 */
export async function deliver<T extends Delivery>(deliveries: readonly T[], notifiers: readonly Notifier[], options: DeliverOptions = {}): Promise<DeliveryReport<T>> {
  const byName = new Map(notifiers.map((n) => [n.channel, n]));
  const now = options.now ?? Date.now;
  const outcomes: Array<{ ok: true; attempts: number } | Omit<FailedDelivery<T>, 'delivery'>> = new Array(deliveries.length);

  const byChannel = new Map<string, number[]>();
  deliveries.forEach((d, i) => byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), i]));

  await Promise.all(
    [...byChannel].map(async ([channel, indexes]) => {
      const notifier = byName.get(channel);
      const held = new Set<string>();
      const budgetMs = options.roundBudgetMs ?? notifier?.roundBudgetMs ?? DEFAULT_ROUND_BUDGET_MS;
      const deadline = now() + budgetMs;
      let down = false;
      for (const i of indexes) {
        const { event } = deliveries[i];
        const key = eventAlertKey(event);
        if (!notifier) {
          outcomes[i] = { error: `no channel named "${channel}"`, retryable: false, attempts: 0 };
        } else if (held.has(key)) {
          outcomes[i] = { error: 'held: an earlier event of the same alert is undelivered', retryable: true, attempts: 0 };
        } else if (now() >= deadline) {
          outcomes[i] = { error: `not tried: the round's time budget for channel "${channel}" (${budgetMs} ms) was spent`, retryable: true, attempts: 0 };
        } else {
          try {
            const result = await notifier.send(event, down ? { maxAttempts: 1 } : {});
            outcomes[i] = result.ok ? { ok: true, attempts: result.attempts } : { error: result.error, retryable: result.retryable, attempts: result.attempts };
            down = !result.ok && result.retryable;
          } catch (err) {
            outcomes[i] = { error: `channel "${channel}": ${describeError(err)}`, retryable: true, attempts: 1 };
            down = true;
          }
        }
        if (!('ok' in outcomes[i])) held.add(key);
      }
    }),
  );

  const report: DeliveryReport<T> = { delivered: [], undelivered: [] };
  deliveries.forEach((delivery, i) => {
    const outcome = outcomes[i];
    if ('ok' in outcome) report.delivered.push(delivery);
    else report.undelivered.push({ delivery, ...outcome });
  });
  return report;
}
