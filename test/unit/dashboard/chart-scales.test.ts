import { afterEach, describe, expect, it } from 'vitest';
import { defaultLogX, durationMs, logTicks, timeTickLabel, timeTicks, trendRange, wholeHourRange } from '@/components/chart-scales';
import { formatNumber, formatPercent, formatPointChange, formatTime } from '@/components/format';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

describe('logTicks', () => {
  it('puts powers of ten at or beyond both ends of the live range', () => {
    expect(logTicks(0.35, 4200)).toEqual([0.1, 1, 10, 100, 1000, 10000]);
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(5, 7)).toEqual([1, 10]);
  });
  it('thins out to every other decade on a very wide range, still covering it', () => {
    const ticks = logTicks(1e-6, 3e12, 8);
    expect(ticks[0]).toBeLessThanOrEqual(1e-6);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(3e12);
    expect(ticks.length).toBeLessThanOrEqual(8);
  });
  it('has no ticks for a range that cannot be on a log axis', () => {
    expect(logTicks(0, 10)).toEqual([]);
    expect(logTicks(-1, 10)).toEqual([]);
  });
});

describe('defaultLogX', () => {
  const s = (min: number, p50: number, p99: number, max: number) => ({ min, p50, p99, max });
  it('is on for a heavy-tailed positive feature', () => {
    expect(defaultLogX([s(1, 40, 90_000, 2e6)])).toBe(true);
  });
  it('is on for positive sources decades apart (seconds sent as milliseconds)', () => {
    expect(defaultLogX([s(2000, 30_000, 90_000, 120_000), s(2, 30, 90, 120)])).toBe(true);
  });
  it('is off for scores in [0, 1], however skewed', () => {
    expect(defaultLogX([s(1e-6, 0.001, 0.9, 1)])).toBe(false);
  });
  it('is off with a zero or negative value, or a light tail', () => {
    expect(defaultLogX([s(0, 40, 90_000, 2e6)])).toBe(false);
    expect(defaultLogX([s(-3, 40, 90_000, 2e6)])).toBe(false);
    expect(defaultLogX([s(20, 100, 180, 250)])).toBe(false);
    expect(defaultLogX([{ min: null, p50: null, p99: null, max: null }])).toBe(false);
  });
});

describe('timeTicks', () => {
  it('steps by whole hours for a day, on multiples of the step', () => {
    const { ticks, stepMs } = timeTicks(at('2026-11-08T10:00:00Z'), at('2026-11-09T10:00:00Z'));
    expect(stepMs).toBe(3 * H);
    expect(ticks.map(iso)).toEqual(['2026-11-08T12:00:00.000Z', '2026-11-08T15:00:00.000Z', '2026-11-08T18:00:00.000Z', '2026-11-08T21:00:00.000Z', '2026-11-09T00:00:00.000Z', '2026-11-09T03:00:00.000Z', '2026-11-09T06:00:00.000Z', '2026-11-09T09:00:00.000Z']);
  });
  it.each([
    [6 * H, H],
    [2 * 86_400_000, 6 * H],
    [7 * 86_400_000, 86_400_000],
    [30 * 86_400_000, 7 * 86_400_000],
  ])('a %i ms range steps by %i ms', (span, step) => {
    const from = at('2026-11-01T00:00:00Z');
    const { ticks, stepMs } = timeTicks(from, from + span);
    expect(stepMs).toBe(step);
    expect(ticks.length).toBeLessThanOrEqual(9);
    for (const t of ticks) expect(t % H).toBe(0);
  });
  it('puts day ticks on local midnights in local time', () => {
    process.env.TZ = 'Europe/Berlin';
    const { ticks } = timeTicks(at('2026-11-08T00:00:00Z'), at('2026-11-15T00:00:00Z'), 'local');
    expect(ticks.map(iso)[0]).toBe('2026-11-08T23:00:00.000Z');
    expect(ticks.map((t) => timeTickLabel(t, 86_400_000, 'local'))).toEqual(['Nov 9', 'Nov 10', 'Nov 11', 'Nov 12', 'Nov 13', 'Nov 14', 'Nov 15']);
  });
  it('labels hours, and days at midnight', () => {
    expect(timeTickLabel(at('2026-11-09T06:00:00Z'), 6 * H)).toBe('06:00');
    expect(timeTickLabel(at('2026-11-09T00:00:00Z'), 6 * H)).toBe('Nov 9');
  });
});

describe('trend ranges', () => {
  const from = at('2026-11-08T11:00:00Z');
  const to = at('2026-11-09T11:00:00Z');
  it('ends a relative window’s trend at its end', () => {
    expect(trendRange(from, to, { relative: true })).toEqual({ fromMs: to - 7 * 24 * H, toMs: to });
  });
  it('shows a third of the span after an absolute window, clipped at the latest data', () => {
    expect(trendRange(from, to, { relative: false, latestMs: at('2026-11-20T00:00:00Z') }).toMs).toBe(to + 56 * H);
    expect(trendRange(from, to, { relative: false, latestMs: to + 5 * H }).toMs).toBe(to + 5 * H);
    expect(trendRange(from, to, { relative: false, latestMs: to + 5 * H }).fromMs).toBeLessThanOrEqual(from);
  });
  it('rounds a dragged range outwards to whole hours', () => {
    expect(wholeHourRange(at('2026-11-09T10:20:00Z'), at('2026-11-08T03:40:00Z'))).toEqual({ fromMs: at('2026-11-08T03:00:00Z'), toMs: at('2026-11-09T11:00:00Z') });
    expect(durationMs('24h')).toBe(24 * H);
    expect(durationMs('7d')).toBe(7 * 24 * H);
    expect(durationMs('soon')).toBeUndefined();
  });
});

describe('format', () => {
  it('never prints a negative zero', () => {
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(-1e-17)).toBe('0');
    expect(formatNumber(0.1 + 0.2 - 0.3)).toBe('0');
    expect(formatNumber(-0.00004)).toBe('-4.00e-5');
    expect(formatNumber(-12.5)).toBe('-12.5');
    expect(formatPercent(-0.00001)).toBe('0.0%');
    expect(formatPercent(-0.2)).toBe('-20.0%');
    expect(formatPointChange(0.1, 0.1 - 1e-5)).toBe('0.0 pts');
    expect(formatPointChange(0.1, 0.112)).toBe('+1.2 pts');
    expect(formatPointChange(0.1, 0.05)).toBe('-5.0 pts');
  });
  it('formats times in UTC or in the browser’s zone with its offset', () => {
    expect(formatTime('2026-11-09T10:00:00.000Z')).toBe('2026-11-09 10:00 UTC');
    process.env.TZ = 'Europe/Berlin';
    expect(formatTime('2026-11-09T10:00:00.000Z', 'local')).toBe('2026-11-09 11:00 UTC+1');
    process.env.TZ = 'Asia/Kolkata';
    expect(formatTime('2026-11-09T10:00:00.000Z', 'local')).toBe('2026-11-09 15:30 UTC+5:30');
    expect(formatTime(null)).toBe('–');
  });
});
