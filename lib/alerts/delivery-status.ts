import { z } from 'zod';
import type { Delivery, DeliveryReport } from './deliver';
import type { Outbox } from './schemas';

const IsoTime = z.iso.datetime({ offset: true });

/** How delivery to one channel is going, as of the last round (state/alert-delivery.json). */
export const ChannelDelivery = z.object({
  /** End of the last round that made a request to this channel. */
  last_attempt_at: IsoTime.nullable(),
  /** End of the last round that delivered something to it. */
  last_success_at: IsoTime.nullable(),
  /** The error of the last failed delivery, kept after later successes until a round fails nothing. */
  last_error: z.string().nullable(),
  last_error_at: IsoTime.nullable(),
  /** Notifications waiting in the outbox for this channel. */
  pending: z.int().min(0),
  /** Of the last round: delivered, and failed (tried or held back). */
  delivered_last_round: z.int().min(0),
  failed_last_round: z.int().min(0),
});
export type ChannelDelivery = z.infer<typeof ChannelDelivery>;

export const DeliveryStatus = z.object({
  version: z.literal(1),
  /** Channel name → its status. */
  channels: z.record(z.string(), ChannelDelivery),
});
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export function emptyDeliveryStatus(): DeliveryStatus {
  return { version: 1, channels: {} };
}

const emptyChannel = (): ChannelDelivery => ({ last_attempt_at: null, last_success_at: null, last_error: null, last_error_at: null, pending: 0, delivered_last_round: 0, failed_last_round: 0 });

/**
 * The status after a round ending at `at` (ISO): `outbox` is what remains pending. A channel the
 * round did not touch keeps its times, with its pending count brought up to date.
 */
export function updateDeliveryStatus(previous: DeliveryStatus, report: DeliveryReport<Delivery>, outbox: Outbox, at: string, channels: readonly string[] = []): DeliveryStatus {
  const next: Record<string, ChannelDelivery> = {};
  const names = new Set([...Object.keys(previous.channels), ...channels, ...report.delivered.map((d) => d.channel), ...report.undelivered.map((f) => f.delivery.channel)]);
  for (const name of [...names].sort()) {
    const delivered = report.delivered.filter((d) => d.channel === name).length;
    const failures = report.undelivered.filter((f) => f.delivery.channel === name);
    const tried = delivered > 0 || failures.some((f) => f.attempts > 0);
    const status: ChannelDelivery = { ...(previous.channels[name] ?? emptyChannel()), delivered_last_round: delivered, failed_last_round: failures.length };
    if (tried) status.last_attempt_at = at;
    if (delivered > 0) status.last_success_at = at;
    const lastFailure = failures.find((f) => f.attempts > 0) ?? failures[0];
    if (lastFailure !== undefined) {
      status.last_error = lastFailure.error;
      status.last_error_at = at;
    } else if (tried) {
      status.last_error = null;
    }
    status.pending = outbox.entries.filter((e) => e.channel === name).length;
    next[name] = status;
  }
  return { version: 1, channels: next };
}
