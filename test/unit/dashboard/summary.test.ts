import { describe, expect, it } from 'vitest';
import { causeText, changesOf, episodesOf, formatWhen, groupIncidents, healthOf, times, type SummaryPoint } from '@/lib/dashboard/summary-core';

const H = 3_600_000;
const T0 = Date.parse('2026-11-09T00:00:00Z');
const ok = (h: number, extra: Partial<SummaryPoint> = {}): SummaryPoint => ({ end: T0 + h * H, verdict: 'ok', value: 0.02, threshold: 0.08, failed_rate: 0.01, reference_failed_rate: 0.01, count: 400, ...extra });
const drift = (h: number, extra: Partial<SummaryPoint> = {}): SummaryPoint => ok(h, { verdict: 'drift', value: 0.2, ...extra });
const failing = (h: number, rate: number): SummaryPoint => ok(h, { verdict: 'failing', failed_rate: rate, reference_failed_rate: 0.011, hint: `failed values ${(rate * 100).toFixed(1)}% vs 1.1% in the reference` });
const hours = (from: number, to: number, f: (h: number) => SummaryPoint) => Array.from({ length: to - from }, (_, i) => f(from + i));

describe('wording', () => {
  it('says rates with their usual level and a ratio', () => {
    expect(times(81.8)).toBe('82×');
    expect(times(2.54)).toBe('2.5×');
    expect(causeText('device_score', 'missing', failing(0, 0.9), 'orders')).toBe('device_score is missing or invalid in 90% of orders (82× more than usual)');
    expect(causeText('x', 'missing', ok(0, { verdict: 'failing', failed_rate: 0.3, reference_failed_rate: 0 }))).toBe('x is missing or invalid in 30% of predictions (usually none)');
  });
  it('names a unit mix-up from the hint, a new category and a shift', () => {
    expect(causeText('time_to_order', 'unit', drift(0, { hint: 'values look ×1000 larger: seconds sent as milliseconds?' }))).toBe("time_to_order's values look ×1000 larger: seconds sent as milliseconds?");
    expect(causeText('payment_method', 'new_category', drift(0, { unseen_categories: ['crypto'] }))).toBe("payment_method has a new value never seen before: 'crypto'");
    expect(causeText('basket_value', 'shift', drift(0, { value: 0.24 }))).toBe("basket_value's values differ from usual (3× the tolerated change)");
  });
  it('writes times for people', () => {
    expect(formatWhen(Date.parse('2026-11-09T11:00:00Z'))).toBe('9 Nov 11:00 UTC');
  });
});

describe('episodesOf', () => {
  it('starts at the first breaching evaluation and ends at the first of three clear ones', () => {
    const points = [...hours(0, 5, ok), ...hours(5, 10, drift), ok(10), drift(11), ...hours(12, 20, ok)];
    const [e, ...rest] = episodesOf('f', points);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ feature: 'f', startMs: T0 + 5 * H, endMs: T0 + 12 * H, family: 'shift' });
  });
  it('is ongoing (endMs null) while the feature breaches, and picks the clearest cause', () => {
    const points = [...hours(0, 3, ok), drift(3, { hint: '4% of values look ×1000 larger: seconds sent as milliseconds?' }), ...hours(4, 10, (h) => drift(h, { hint: 'values look ×1000 larger: seconds sent as milliseconds?' }))];
    const [e] = episodesOf('time_to_order', points, [T0 + 4 * H]);
    expect(e).toMatchObject({ startMs: T0 + 3 * H, endMs: null, family: 'unit', severity: 'high', alerted: true });
    expect(e.cause).toBe("time_to_order's values look ×1000 larger: seconds sent as milliseconds?");
  });
  it('reads the worst failed rate of a missing-values episode', () => {
    const [e] = episodesOf('device_score', [ok(0), failing(1, 0.09), failing(2, 0.5), failing(3, 0.9)]);
    expect(e.family).toBe('missing');
    expect(e.cause).toContain('in 90% of predictions');
    expect(e.severity).toBe('high');
  });
  it('leaves out features that are not monitored', () => {
    expect(episodesOf('f', hours(0, 5, (h) => ok(h, { verdict: 'not_monitored' })))).toEqual([]);
  });
});

describe('groupIncidents', () => {
  const ep = (feature: string, startH: number, family: 'unit' | 'missing' | 'new_category' | 'shift', endH: number | null = null) => ({
    feature,
    startMs: T0 + startH * H,
    endMs: endH === null ? null : T0 + endH * H,
    family,
    cause: `${feature} ${family}`,
    severity: family === 'shift' ? ('low' as const) : ('high' as const),
    worstRatio: 2,
    alerted: true,
  });
  it('groups features whose problems start within 2 hours and share a cause family', () => {
    const incidents = groupIncidents([ep('a', 10, 'missing'), ep('b', 11, 'missing'), ep('c', 11, 'shift'), ep('d', 13, 'missing'), ep('e', 20, 'missing', 30)]);
    expect(incidents.map((i) => i.features)).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
    expect(incidents[0]).toMatchObject({ since: '2026-11-09T10:00:00Z', until: null, severity: 'high', family: 'missing', cause: 'a missing; b missing' });
    expect(incidents[3].until).toBe('2026-11-10T06:00:00Z');
  });
  it('an incident lasts until its last feature is back to usual', () => {
    const [i] = groupIncidents([ep('a', 0, 'unit', 5), ep('b', 1, 'unit', 9)]);
    expect(i.until).toBe('2026-11-09T09:00:00Z');
    expect(groupIncidents([ep('a', 0, 'unit', 5), ep('b', 1, 'unit')])[0].until).toBeNull();
  });
  it('says whether the score moved in the same period', () => {
    const score = [ep('score', 11, 'shift')];
    expect(groupIncidents([ep('a', 10, 'unit')], score)[0].effect).toEqual({ score_changed: true, text: "the model's score changed too, from 9 Nov 11:00 UTC: its decisions are likely affected" });
    expect(groupIncidents([ep('a', 20, 'unit')], score)[0].effect.text).toContain('was already different from usual (since 9 Nov 11:00 UTC)');
    expect(groupIncidents([ep('a', 0, 'unit', 5)], score)[0].effect).toEqual({ score_changed: false, text: "the model's score did not change in this period" });
  });
});

describe('healthOf and changesOf', () => {
  const incident = (since: string, severity: 'high' | 'medium' | 'low', until: string | null = null, cause = 'device_score is missing or invalid in 90% of orders (82× more than usual)') => ({
    id: since,
    since,
    until,
    features: ['device_score'],
    cause,
    severity,
    family: 'missing' as const,
    effect: { score_changed: false, text: '' },
    details: [],
  });
  it('is broken while a high-severity incident lasts, with its start and cause', () => {
    const h = healthOf([incident('2026-11-09T11:00:00Z', 'high'), incident('2026-11-10T11:00:00Z', 'low', null, 'x')], { features: 8, windowText: 'over the last 24h of data' });
    expect(h).toEqual({ status: 'broken', since: '2026-11-09T11:00:00Z', headline: 'broken since 9 Nov 11:00 UTC: device_score is missing or invalid in 90% of orders (82× more than usual) (and 1 more problem)' });
  });
  it('needs attention for a lesser ongoing incident; healthy when all ended', () => {
    expect(healthOf([incident('2026-11-09T11:00:00Z', 'medium')], { features: 8, windowText: 'x' }).status).toBe('needs attention');
    expect(healthOf([incident('2026-11-09T11:00:00Z', 'high', '2026-11-09T20:00:00Z')], { features: 8, windowText: 'over the last 24h of data' })).toEqual({ status: 'healthy', since: null, headline: 'healthy: all 8 inputs look as usual over the last 24h of data' });
    expect(healthOf([], { features: 8, windowText: 'x', stale: true }).status).toBe('needs attention');
  });
  it('lists starts and ends of the last 7 days, newest first', () => {
    const to = Date.parse('2026-11-15T00:00:00Z');
    const changes = changesOf([incident('2026-11-01T00:00:00Z', 'high', '2026-11-10T00:00:00Z'), incident('2026-11-12T00:00:00Z', 'high')], to - 7 * 24 * H, to);
    expect(changes.map((c) => [c.at, c.text.split(':')[0]])).toEqual([
      ['2026-11-12T00:00:00Z', 'started'],
      ['2026-11-10T00:00:00Z', 'back to usual'],
    ]);
  });
});
