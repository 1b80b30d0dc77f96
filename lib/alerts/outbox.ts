import type { Delivery, DeliveryReport } from './deliver';
import type { AlertEvent, AlertRule, Outbox, OutboxEntry } from './schemas';

/**
 * The outbox holds every (event, channel) not yet delivered, so a notification that failed in
 * one evaluation is sent again in the next. Pure: the caller loads it, and stores the result.
 */
export function emptyOutbox(): Outbox {
  return { entries: [] };
}

export function deliveryKey(delivery: Delivery): string {
  return `${delivery.event.id}|${delivery.channel}`;
}

/** Each event goes to the channels of its rule; an event of an unknown rule goes nowhere. */
export function routeEvents(events: readonly AlertEvent[], rules: readonly AlertRule[]): Delivery[] {
  const channelsByRule = new Map(rules.map((rule) => [rule.name, rule.channels]));
  return events.flatMap((event) => (channelsByRule.get(event.rule) ?? []).map((channel) => ({ event, channel })));
}

function compareEntries(a: OutboxEntry, b: OutboxEntry): number {
  const ka = deliveryKey(a);
  const kb = deliveryKey(b);
  return Date.parse(a.event.at) - Date.parse(b.event.at) || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

export interface MergeResult {
  outbox: Outbox;
  /** Oldest entries pushed out by `maxEntries`; log them, they will not be sent. */
  dropped: OutboxEntry[];
  /** Deliveries held back by a silence (lib/alerts/workflow.ts silenceOf): log them, they will not be sent. */
  silenced: (Delivery & { until: string })[];
}

/**
 * Add new events (routed by their rules) to the outbox, oldest first. An event already pending
 * for a channel is kept once, with its failure count. `maxEntries` bounds an outbox whose
 * receiver stays down for weeks. An event `silence` holds back is not queued (a silenced rule or
 * alert does not notify), and is returned in `silenced`.
 */
export function mergeIntoOutbox(
  outbox: Outbox,
  events: readonly AlertEvent[],
  rules: readonly AlertRule[],
  maxEntries = 1000,
  silence: (event: AlertEvent) => { until: string } | undefined = () => undefined,
): MergeResult {
  const entries = new Map(outbox.entries.map((entry) => [deliveryKey(entry), entry]));
  const silenced: MergeResult['silenced'] = [];
  for (const delivery of routeEvents(events, rules)) {
    const held = silence(delivery.event);
    if (held) {
      silenced.push({ ...delivery, until: held.until });
      continue;
    }
    const key = deliveryKey(delivery);
    if (!entries.has(key)) entries.set(key, { ...delivery, rounds: 0 });
  }
  const sorted = [...entries.values()].sort(compareEntries);
  const excess = Math.max(0, sorted.length - maxEntries);
  return { outbox: { entries: sorted.slice(excess) }, dropped: sorted.slice(0, excess), silenced };
}

/**
 * Remove what was delivered; count the failed round, the requests made and keep the reason on
 * what was not. `at` (ISO) marks entries this round tried.
 */
export function settleOutbox(outbox: Outbox, report: DeliveryReport<Delivery>, at?: string): Outbox {
  const delivered = new Set(report.delivered.map(deliveryKey));
  const failed = new Map(report.undelivered.map((f) => [deliveryKey(f.delivery), f]));
  return {
    entries: outbox.entries
      .filter((entry) => !delivered.has(deliveryKey(entry)))
      .map((entry) => {
        const f = failed.get(deliveryKey(entry));
        if (f === undefined) return entry;
        const tried = f.attempts > 0 && at !== undefined ? { last_attempt_at: at } : {};
        return { ...entry, rounds: entry.rounds + 1, last_error: f.error, attempts: (entry.attempts ?? 0) + f.attempts, ...tried };
      }),
  };
}
