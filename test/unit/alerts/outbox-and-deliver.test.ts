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
  const maxAttempts: (number | undefined)[] = [];
  const notifier: Notifier = {
    channel,
    async send(event, options) {
      sent.push(event.id);
      maxAttempts.push(options?.maxAttempts);
      const result = answer(event);
      if (result === 'throw') throw new Error('bug in notifier');
      return result;
    },
  };
  return { notifier, sent, maxAttempts };
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
    expect(settled.entries).toEqual([{ ...slack, rounds: 1, last_error: 'HTTP 503', attempts: 5 }]);
    const again = settleOutbox(settled, { delivered: [], undelivered: [{ delivery: slack, error: 'HTTP 502', retryable: true, attempts: 1 }] }, '2026-12-02T03:00:00.000Z');
    expect(again.entries).toEqual([{ ...slack, rounds: 2, last_error: 'HTTP 502', attempts: 6, last_attempt_at: '2026-12-02T03:00:00.000Z' }]);
    expect(outbox.entries).toHaveLength(2);
  });
});

describe('deliver', () => {
  it('tries every pending alert each round: 5 alerts, receiver down, 2 rounds → 10 sends, then all delivered once', async () => {
    const five = evaluateAlerts(RULES, {}, ['a', 'b', 'c', 'd', 'e'].flatMap((f) => sequence('d', { feature: f }))).events;
    let up = false;
    const ops = scripted('ops', () => (up ? { ok: true, attempts: 1 } : DOWN));
    const opsOnly = [rule({ name: 'drift', fire_after: 1, channels: ['ops'] })];
    let outbox = mergeIntoOutbox(emptyOutbox(), five, opsOnly).outbox;
    for (let round = 0; round < 2; round++) outbox = (await sendOutbox(outbox, [ops.notifier])).outbox;
    expect(ops.sent).toHaveLength(10);
    expect(new Set(ops.sent).size).toBe(5);
    up = true;
    outbox = (await sendOutbox(outbox, [ops.notifier])).outbox;
    expect(outbox.entries).toEqual([]);
    expect(ops.sent.slice(10).sort()).toEqual(five.map((e) => e.id).sort());
  });

  it('a spent round budget leaves the rest for the next round, untried', async () => {
    let t = 0;
    const slow = scripted('ops', () => {
      t += 1000;
      return DOWN;
    });
    const five = evaluateAlerts(RULES, {}, ['a', 'b', 'c'].flatMap((f) => sequence('d', { feature: f }))).events;
    const deliveries = routeEvents(five, [rule({ name: 'drift', fire_after: 1, channels: ['ops'] })]);
    const report = await deliver(deliveries, [slow.notifier], { roundBudgetMs: 1500, now: () => t });
    expect(slow.sent).toHaveLength(2);
    expect(report.undelivered.map((f) => f.attempts)).toEqual([5, 5, 0]);
    expect(report.undelivered[2].error).toMatch(/^not tried: the round's time budget for channel "ops" \(1500 ms\) was spent/);
  });

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
    // Every alert is tried each round: the first with all its retries, the others (the channel
    // looks down) once each; later events of an alert whose earlier event failed wait behind it.
    expect(ops.sent).toEqual([EVENTS[0].id, EVENTS[1].id]);
    expect(ops.maxAttempts).toEqual([undefined, 1]);
    expect(after.entries.map((e) => e.last_error)).toEqual(['HTTP 503', 'HTTP 503', 'held: an earlier event of the same alert is undelivered', 'held: an earlier event of the same alert is undelivered']);
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
