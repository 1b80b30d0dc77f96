import { describe, expect, it } from 'vitest';
import { Config, evaluateModel, futureHoursNote, futureSkewMs, parseConfig, windowAnchor, type EvaluationCodec } from '@/lib/compare';
import { HOUR_MS, layout, type EvaluationRow, type SummaryRow } from '@/lib/format';
import { catchUpNote } from '@/lib/cli/commands/run-schedule';
import { MemoryStorage } from '@/lib/storage';
import { numericSummary } from '@/lib/summary';
import { putHourProfile } from '@/test/helpers/hour-profiles';

const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => files.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[]);
const evaluations: EvaluationCodec = { encode: async (rows) => new TextEncoder().encode(JSON.stringify(rows)), decode: async (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as EvaluationRow[] };
const START = Date.parse('2026-11-01T00:00:00Z');
const NOW = Date.parse('2026-11-03T00:30:00Z');
const FAR = Date.parse('2999-01-01T00:00:00Z');

async function writeHour(s: MemoryStorage, t: number): Promise<void> {
  const values = Float64Array.from({ length: 50 }, (_, i) => i);
  await putHourProfile(s, 'm', t, [numericSummary({ model: 'm', feature: 'x', period_start: t, period_end: t + HOUR_MS }, values, 0, 0)]);
}

async function store(hours: number[]): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const key = (chunk: number) => ({ model: 'm', feature: 'x', period_start: 0, period_end: 0, chunk });
  const values = (n: number) => Float64Array.from({ length: n }, (_, i) => i % 50);
  const ref = [numericSummary(key(-1), values(500), 0, 0), ...Array.from({ length: 10 }, (_, i) => numericSummary(key(i), values(50), 0, 0))];
  await s.write(layout.referenceProfile('m', 'test'), JSON.stringify(ref));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 500, period_start: null, period_end: null, chunks: 10, chunk_rows: 50, created_at: '2026-11-01T00:00:00Z' }));
  for (const t of hours) await writeHour(s, t);
  return s;
}

const config = (maxCatchUp?: string): Config => parseConfig(maxCatchUp ? `evaluation:\n  max_catch_up: ${maxCatchUp}\n` : '');
const day1 = Array.from({ length: 48 }, (_, h) => START + h * HOUR_MS);

describe('catch-up limit and implausible future hours', () => {
  it('defaults the catch-up limit to 30d and refuses a limit that is not a duration', () => {
    expect(config().evaluation.max_catch_up).toBe('30d');
    expect(() => config('forever')).toThrow(/max_catch_up/);
  });

  it('windowAnchor anchors to the latest plausible hour and reports the future ones', () => {
    const { anchorMs, latestDataMs, futureHours } = windowAnchor({ hours: new Set([...day1, FAR]) }, NOW);
    expect(anchorMs).toBe(START + 48 * HOUR_MS);
    expect(latestDataMs).toBe(START + 48 * HOUR_MS);
    expect(futureHours).toEqual([FAR]);
    // The next hour (within the 1 h skew) is plausible.
    expect(windowAnchor({ hours: new Set([START, Date.parse('2026-11-03T01:00:00Z')]) }, NOW).futureHours).toEqual([]);
  });

  it('windowAnchor takes the configured skew (ingest.max_future_skew), and the note names it', () => {
    const later = NOW + 30 * HOUR_MS;
    // 30 h ahead: implausible with the default 1 h, plausible with a 2-day skew.
    expect(windowAnchor({ hours: new Set([START, later]) }, NOW).futureHours).toEqual([later]);
    const wide = windowAnchor({ hours: new Set([START, later]) }, NOW, futureSkewMs(parseConfig('ingest:\n  max_future_skew: 2d\n')));
    expect(wide.futureHours).toEqual([]);
    expect(wide.anchorMs).toBe(later + HOUR_MS);
    expect(futureHoursNote([later], 2 * 24 * HOUR_MS)).toMatch(/after now \+ 2d ignored/);
    expect(futureHoursNote([later])).toMatch(/after now \+ 1h ignored/);
  });

  it('an hour dated 2999 is not the end of the evaluation: the latest plausible hour is', async () => {
    const s = await store([...day1, FAR]);
    const r = await evaluateModel({ storage: s, model: 'm', config: config(), decode, evaluations, nowMs: NOW });
    expect(r.futureHours).toEqual([FAR]);
    expect(r.skipped).toBeUndefined();
    expect(r.windowEnds).toHaveLength(48 - 12 + 1);
    expect(r.windowEnds.at(-1)).toBe(START + 48 * HOUR_MS);
  });

  it('walks at most the catch-up limit and says what it skipped, even up to 2999', async () => {
    const s = await store(day1);
    const r = await evaluateModel({ storage: s, model: 'm', config: config('6h'), decode, evaluations, nowMs: NOW, atMs: FAR + HOUR_MS });
    expect(r.windowEnds).toEqual(Array.from({ length: 6 }, (_, i) => FAR + HOUR_MS - (5 - i) * HOUR_MS));
    const skipped = (FAR + HOUR_MS - 5 * HOUR_MS - (START + 12 * HOUR_MS)) / HOUR_MS;
    expect(r.skipped).toEqual({ windows: skipped, beforeMs: FAR - 4 * HOUR_MS, limit: '6h' });
    expect(catchUpNote(r.skipped!)).toBe(`skipped ${skipped.toLocaleString('en-US')} window ends before 2998-12-31T20:00Z: beyond the catch-up limit of 6h (evaluation.max_catch_up); evaluate them with --at, or raise the limit`);
  });

  it('after a pause longer than the limit, a run evaluates the last limit of window ends', async () => {
    const s = await store(day1);
    await evaluateModel({ storage: s, model: 'm', config: config('6h'), decode, evaluations, nowMs: NOW, atMs: START + 20 * HOUR_MS });
    const r = await evaluateModel({ storage: s, model: 'm', config: config('6h'), decode, evaluations, nowMs: NOW });
    expect(r.windowEnds).toEqual(Array.from({ length: 6 }, (_, i) => START + (43 + i) * HOUR_MS));
    expect(r.skipped?.windows).toBe(42 - 20);
  });
});
