import { describe, expect, it } from 'vitest';
import {
  deliver, deliveryKey, emptyOutbox, evaluateAlerts, mergeIntoOutbox, Outbox, routeEvents, sendOutbox, settleOutbox,
  type AlertEvent, type Notifier, type SendResult,
} from '@/lib/alerts';
import { rule, sequence } from './points';

const RULES = [rule({ name: 'drift', fire_after: 1, resolve_after: 1, channels: ['ops', 'slack'] }), rule({ name: 'quiet', channels: [] })];
/** firing at hour 0, resolved at hour 1, firing at 2, for time_to_order; firing at 0 for amount. */
const EVENTS = [...evaluateAlerts(RULES, {}, [...sequence('dod'), ...sequence('d', { feature: 'amount' })]).events];

/** A notifier whose answer per event id is scripted; records what it was asked to send. */
function scripted(channel: string, answer: (event: AlertEvent) => SendResult | 'throw' = () => ({ ok: true, attempts: 1 })) {
  const sent: string[] = [];
  const notifier: Notifier = {
    channel,
    async send(event) {
      sent.push(event.id);
      const result = answer(event);
      if (result === 'throw') throw new Error('bug in notifier');
      return result;
    },
  };
  return { notifier, sent };
}

const DOWN: SendResult = { ok: false, attempts: 5, error: 'HTTP 503', retryable: true };
const REJECTED: SendResult = { ok: false, attempts: 1, error: 'HTTP 400', retryable: false };

describe('outbox', () => {
  it('routes each event to the channels of its rule', () => {
    expect(EVENTS.map((e) => e.kind)).toEqual(['firing', 'firing', 'resolved', 'firing']);
    const routed = routeEvents(EVENTS, RULES);
    expect(routed).toHaveLength(8);
    expect(routed.slice(0, 2).map((d) => d.channel)).toEqual(['ops', 'slack']);
    expect(routeEvents(EVENTS, [rule({ name: 'drift', channels: [] })])).toEqual([]);
  });

  it('merges without duplicates, oldest first, keeping failure counts', () => {
    const first = mergeIntoOutbox(emptyOutbox(), EVENTS.slice(2), RULES).outbox;
    const failedOnce = { entries: first.entries.map((e) => ({ ...e, rounds: 1, last_error: 'HTTP 503' })) };
    const { outbox, dropped } = mergeIntoOutbox(failedOnce, EVENTS, RULES);
    expect(dropped).toEqual([]);
    expect(outbox.entries.map((e) => [e.event.at, e.channel, e.rounds])).toEqual([
      [EVENTS[0].at, 'ops', 0], [EVENTS[0].at, 'slack', 0], [EVENTS[1].at, 'ops', 0], [EVENTS[1].at, 'slack', 0],
      [EVENTS[2].at, 'ops', 1], [EVENTS[2].at, 'slack', 1], [EVENTS[3].at, 'ops', 1], [EVENTS[3].at, 'slack', 1],
    ]);
    expect(Outbox.parse(JSON.parse(JSON.stringify(outbox)))).toEqual(outbox);
  });

  it('drops the oldest entries beyond maxEntries and says which', () => {
    const { outbox, dropped } = mergeIntoOutbox(emptyOutbox(), EVENTS, RULES, 3);
    expect(outbox.entries).toHaveLength(3);
    expect(dropped).toHaveLength(5);
    expect(outbox.entries.map((e) => [e.event.kind, e.event.at, e.channel])).toEqual([
      ['resolved', EVENTS[2].at, 'slack'], ['firing', EVENTS[3].at, 'ops'], ['firing', EVENTS[3].at, 'slack'],
    ]);
  });

  it('settle removes delivered entries and counts failed rounds', () => {
    const { outbox } = mergeIntoOutbox(emptyOutbox(), EVENTS.slice(0, 1), RULES);
    const [ops, slack] = outbox.entries;
    const settled = settleOutbox(outbox, { delivered: [ops], undelivered: [{ delivery: slack, error: 'HTTP 503', retryable: true, attempts: 5 }] });
    expect(settled.entries).toEqual([{ ...slack, rounds: 1, last_error: 'HTTP 503' }]);
    expect(outbox.entries).toHaveLength(2);
  });
});

describe('deliver', () => {
  it('sends every delivery to its channel in order and reports all delivered', async () => {
    const ops = scripted('ops');
    const slack = scripted('slack');
    const { outbox } = mergeIntoOutbox(emptyOutbox(), EVENTS, RULES);
    const report = await deliver(outbox.entries, [ops.notifier, slack.notifier]);
    expect(report.undelivered).toEqual([]);
    expect(report.delivered).toEqual(outbox.entries);
    expect(ops.sent).toEqual(outbox.entries.filter((e) => e.channel === 'ops').map((e) => e.event.id));
    expect(slack.sent).toEqual(ops.sent);
  });

  it('keeps failures per channel: one channel down does not hold back another', async () => {
    const ops = scripted('ops', () => DOWN);
    const slack = scripted('slack');
    const { outbox } = mergeIntoOutbox(emptyOutbox(), EVENTS, RULES);
    const { outbox: after, report } = await sendOutbox(outbox, [ops.notifier, slack.notifier]);
    expect(report.delivered.map((d) => d.channel)).toEqual(['slack', 'slack', 'slack', 'slack']);
    expect(after.entries.map((e) => e.channel)).toEqual(['ops', 'ops', 'ops', 'ops']);
    expect(after.entries.every((e) => e.rounds === 1)).toBe(true);
    // A channel that stays down after all retries is tried once per round, not once per event.
    expect(ops.sent).toHaveLength(1);
    expect(after.entries[1].last_error).toMatch(/^skipped: channel "ops" failed earlier in this round/);
  });

  it('holds a later event of an alert whose earlier event was rejected, but sends other alerts', async () => {
    const firingId = EVENTS.find((e) => e.feature === 'time_to_order')?.id;
    const ops = scripted('ops', (event) => (event.id === firingId ? REJECTED : { ok: true, attempts: 1 }));
    const deliveries = routeEvents(EVENTS, RULES).filter((d) => d.channel === 'ops');
    const report = await deliver(deliveries, [ops.notifier]);
    expect(ops.sent).toEqual([EVENTS[0].id, EVENTS[1].id]);
    expect(report.delivered.map((d) => d.event.feature)).toEqual(['amount']);
    expect(report.undelivered.map((f) => [f.delivery.event.kind, f.attempts, f.retryable])).toEqual([
      ['firing', 1, false], ['resolved', 0, true], ['firing', 0, true],
    ]);
  });

  it('never throws: a throwing notifier and an unknown channel become undelivered entries', async () => {
    const ops = scripted('ops', () => 'throw');
    const deliveries = routeEvents(EVENTS.slice(0, 1), RULES);
    const report = await deliver(deliveries, [ops.notifier]);
    expect(report.delivered).toEqual([]);
    expect(report.undelivered.map((f) => [deliveryKey(f.delivery), f.error, f.retryable])).toEqual([
      [deliveryKey(deliveries[0]), 'channel "ops": bug in notifier', true],
      [deliveryKey(deliveries[1]), 'no channel named "slack"', false],
    ]);
  });

  it('an undelivered event is retried on the next round and then leaves the outbox', async () => {
    let up = false;
    const ops = scripted('ops', () => (up ? { ok: true, attempts: 1 } : DOWN));
    const opsOnly = [rule({ name: 'drift', fire_after: 1, channels: ['ops'] })];
    let outbox = mergeIntoOutbox(emptyOutbox(), EVENTS.slice(0, 1), opsOnly).outbox;
    outbox = (await sendOutbox(outbox, [ops.notifier])).outbox;
    expect(outbox.entries.map((e) => [e.event.id, e.rounds])).toEqual([[EVENTS[0].id, 1]]);
    up = true;
    outbox = mergeIntoOutbox(outbox, [], opsOnly).outbox;
    outbox = (await sendOutbox(outbox, [ops.notifier])).outbox;
    expect(outbox.entries).toEqual([]);
    expect(ops.sent).toEqual([EVENTS[0].id, EVENTS[0].id]);
  });
});
