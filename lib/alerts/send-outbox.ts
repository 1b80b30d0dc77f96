import { deliver, type DeliverOptions, type DeliveryReport } from './deliver';
import type { Notifier } from './notifiers';
import { settleOutbox } from './outbox';
import type { Outbox, OutboxEntry } from './schemas';

/**
 * One delivery round over everything pending: what the hourly job calls after
 * `mergeIntoOutbox`. Never throws; store the returned outbox whatever happened.
 */
export async function sendOutbox(outbox: Outbox, notifiers: readonly Notifier[], options: DeliverOptions = {}): Promise<{ outbox: Outbox; report: DeliveryReport<OutboxEntry>; at: string }> {
  const report = await deliver(outbox.entries, notifiers, options);
  const at = new Date((options.now ?? Date.now)()).toISOString();
  return { outbox: settleOutbox(outbox, report, at), report, at };
}
