import { describe, expect, it } from 'vitest';
import { emptyDeliveryStatus, evaluateAlerts, mergeIntoOutbox, emptyOutbox, routeEvents, updateDeliveryStatus, type Delivery, type DeliveryReport } from '@/lib/alerts';
import { rule, sequence } from './points';

const RULES = [rule({ name: 'drift', fire_after: 1, channels: ['ops', 'log'] })];
const EVENTS = evaluateAlerts(RULES, {}, [...sequence('d', { feature: 'a' }), ...sequence('d', { feature: 'b' })]).events;

describe('delivery status', () => {
  it('records the last attempt, success and error per channel, and the pending count', () => {
    const routed = routeEvents(EVENTS, RULES);
    const of = (feature: string, channel: string) => routed.find((d) => d.event.feature === feature && d.channel === channel) as Delivery;
    const [opsA, logA, opsB, logB] = [of('a', 'ops'), of('a', 'log'), of('b', 'ops'), of('b', 'log')];
    const outbox = mergeIntoOutbox(emptyOutbox(), EVENTS, RULES).outbox;
    const pending = { entries: outbox.entries.filter((e) => e.channel === 'ops') };
    const down: DeliveryReport<Delivery> = {
      delivered: [logA, logB],
      undelivered: [
        { delivery: opsA, error: 'HTTP 503', retryable: true, attempts: 5 },
        { delivery: opsB, error: 'HTTP 503', retryable: true, attempts: 1 },
      ],
    };
    const first = updateDeliveryStatus(emptyDeliveryStatus(), down, pending, '2026-12-02T03:00:00.000Z', ['log', 'ops', 'quiet']);
    expect(first.channels.ops).toEqual({ last_attempt_at: '2026-12-02T03:00:00.000Z', last_success_at: null, last_error: 'HTTP 503', last_error_at: '2026-12-02T03:00:00.000Z', pending: 2, delivered_last_round: 0, failed_last_round: 2 });
    expect(first.channels.log).toMatchObject({ last_success_at: '2026-12-02T03:00:00.000Z', last_error: null, pending: 0, delivered_last_round: 2 });
    expect(first.channels.quiet).toMatchObject({ last_attempt_at: null, pending: 0 });

    const up = updateDeliveryStatus(first, { delivered: [opsA, opsB], undelivered: [] }, emptyOutbox(), '2026-12-02T04:00:00.000Z');
    expect(up.channels.ops).toEqual({ last_attempt_at: '2026-12-02T04:00:00.000Z', last_success_at: '2026-12-02T04:00:00.000Z', last_error: null, last_error_at: '2026-12-02T03:00:00.000Z', pending: 0, delivered_last_round: 2, failed_last_round: 0 });
    // A channel the round did not touch keeps its times.
    expect(up.channels.log).toMatchObject({ last_success_at: '2026-12-02T03:00:00.000Z', delivered_last_round: 0 });
  });
});
