import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '@/lib/alerts';
import { alertsAsOf, qualitySeries, qualityStats, windowCoverage } from '@/lib/dashboard';
import { DAY_MS, HOUR_MS, SIX_HOURS_MS } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';

const T0 = Date.parse('2026-11-10T00:00:00Z');
const key = (feature: string, start = T0, end = start + HOUR_MS) => ({ model: 'm', feature, period_start: start, period_end: end });

describe('windowCoverage', () => {
  it('counts rows per hour exactly from hourly files and marks hours without data', () => {
    const parts = [
      { startMs: T0, endMs: T0 + HOUR_MS, rows: 40 },
      { startMs: T0 + 2 * HOUR_MS, endMs: T0 + 3 * HOUR_MS, rows: 7 },
    ];
    const c = windowCoverage(parts, new Set([T0, T0 + 2 * HOUR_MS]), T0, T0 + 4 * HOUR_MS);
    expect(c.hours.map((h) => h.rows)).toEqual([40, 0, 7, 0]);
    expect(c.hours[1].at).toBe('2026-11-10T01:00:00.000Z');
    expect(c).toMatchObject({ rows: 47, empty_hours: 2, approximate: false });
  });

  it('spreads a rollup over its hours with data only, and says the figures are approximate', () => {
    // A 6-hour block of 60 rows whose hours 1 and 4 had no data: 15 a data hour.
    const hours = new Set([0, 2, 3, 5].map((h) => T0 + h * HOUR_MS));
    const c = windowCoverage([{ startMs: T0, endMs: T0 + SIX_HOURS_MS, rows: 60 }], hours, T0, T0 + SIX_HOURS_MS);
    expect(c.hours.map((h) => h.rows)).toEqual([15, 0, 15, 15, 0, 15]);
    expect(c).toMatchObject({ rows: 60, empty_hours: 2, approximate: true });
  });

  it('reports an empty window as all hours empty', () => {
    const c = windowCoverage([], new Set(), T0, T0 + DAY_MS);
    expect(c).toMatchObject({ rows: 0, empty_hours: 24 });
  });
});

describe('qualityStats', () => {
  it('counts failures by cause and the share of values outside the reference range', () => {
    const reference = numericSummary(key('x'), Float64Array.from({ length: 1000 }, (_, i) => i), 0, 0);
    // 100 values, 30 of them outside [0, 999]; 5 nulls, 2 NaN, 3 type errors.
    const values = [...Array.from({ length: 70 }, (_, i) => i * 10), ...Array.from({ length: 20 }, (_, i) => 2000 + i), ...Array.from({ length: 10 }, (_, i) => -1 - i), NaN, NaN];
    const live = numericSummary(key('x'), values, 5, 3);
    const q = qualityStats(live, reference);
    expect(q).toMatchObject({ rows: 110, nulls: 5, non_finite: 2, type_errors: 3 });
    expect(q.failed_rate).toBeCloseTo(10 / 110, 12);
    expect(q.outside_range_share).toBeCloseTo(30 / 100, 2);
    expect(q.new_categories).toEqual([]);
  });

  it('lists categories the reference never had, most frequent first', () => {
    const reference = categoricalSummary(key('c'), new Map([['card', 90], ['paypal', 10]]), 0, 0);
    const live = categoricalSummary(key('c'), new Map([['card', 50], ['crypto', 30], ['gift', 5]]), 2, 0);
    const q = qualityStats(live, reference);
    expect(q.new_categories).toEqual([
      { name: 'crypto', count: 30 },
      { name: 'gift', count: 5 },
    ]);
    expect(q.outside_range_share).toBeNull();
    expect(q.nulls).toBe(2);
  });

  it('builds a series per stored summary, oldest first, with exact outside-range counts', () => {
    const reference = numericSummary(key('x'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0, 0);
    const late = numericSummary(key('x', T0 + HOUR_MS), [5, 50, 60], 1, 0);
    const early = numericSummary(key('x', T0), [1, 2], 0, 0);
    const series = qualitySeries([late, early], reference);
    expect(series.map((p) => [p.at, p.rows, p.nulls, p.outside_range])).toEqual([
      ['2026-11-10T00:00:00.000Z', 2, 0, 0],
      ['2026-11-10T01:00:00.000Z', 4, 1, 2],
    ]);
  });
});

describe('alertsAsOf', () => {
  const event = (kind: 'firing' | 'resolved', at: string, feature = 'f'): AlertEvent => ({
    id: `${feature}|${kind}|${at}`,
    rule: 'r',
    model: 'm',
    feature,
    reference: 'test',
    kind,
    at,
    window_from: at,
    window_to: at,
    verdict: kind === 'firing' ? 'drift' : 'ok',
    metric: 'area',
    value: 0.5,
    threshold: 0.1,
    since: at,
    message: '',
  });
  const events = [event('firing', '2026-11-10T05:00:00Z'), event('resolved', '2026-11-10T09:00:00Z'), event('firing', '2026-11-10T07:00:00Z', 'g')];

  it('gives each alert its last event at or before the instant, and nothing for later ones', () => {
    const at = (iso: string) => [...alertsAsOf(events, Date.parse(iso)).values()].map((e) => `${e.feature} ${e.kind}`).sort();
    expect(at('2026-11-10T04:00:00Z')).toEqual([]);
    expect(at('2026-11-10T05:00:00Z')).toEqual(['f firing']);
    expect(at('2026-11-10T08:00:00Z')).toEqual(['f firing', 'g firing']);
    expect(at('2026-11-10T09:00:00Z')).toEqual(['f resolved', 'g firing']);
  });
});
