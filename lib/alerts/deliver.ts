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

/**
 * Send each delivery to its channel. Channels work in parallel; within a channel, deliveries go
 * in the given order (pass them oldest first). Never throws: every failure is in `undelivered`.
 * Within one channel and round:
 * - after a retryable failure (receiver down, all attempts used) the remaining deliveries are
 *   skipped rather than each waiting through its own retries, which could outlast the hour;
 * - a later event of an alert whose earlier event failed is held back, so a receiver never sees
 *   'resolved' before the 'firing' it resolves.
 */
export async function deliver<T extends Delivery>(deliveries: readonly T[], notifiers: readonly Notifier[]): Promise<DeliveryReport<T>> {
  const byName = new Map(notifiers.map((n) => [n.channel, n]));
  const outcomes: Array<{ ok: true } | Omit<FailedDelivery<T>, 'delivery'>> = new Array(deliveries.length);

  const byChannel = new Map<string, number[]>();
  deliveries.forEach((d, i) => byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), i]));

  await Promise.all(
    [...byChannel].map(async ([channel, indexes]) => {
      const notifier = byName.get(channel);
      const held = new Set<string>();
      let down: string | undefined;
      for (const i of indexes) {
        const { event } = deliveries[i];
        const key = eventAlertKey(event);
        if (!notifier) {
          outcomes[i] = { error: `no channel named "${channel}"`, retryable: false, attempts: 0 };
        } else if (down !== undefined) {
          outcomes[i] = { error: `skipped: channel "${channel}" failed earlier in this round (${down})`, retryable: true, attempts: 0 };
        } else if (held.has(key)) {
          outcomes[i] = { error: 'held: an earlier event of the same alert is undelivered', retryable: true, attempts: 0 };
        } else {
          try {
            const result = await notifier.send(event);
            outcomes[i] = result.ok ? { ok: true } : { error: result.error, retryable: result.retryable, attempts: result.attempts };
            if (!result.ok && result.retryable) down = result.error;
          } catch (err) {
            outcomes[i] = { error: `channel "${channel}": ${describeError(err)}`, retryable: true, attempts: 1 };
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
