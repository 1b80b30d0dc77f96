import { describe, expect, it } from 'vitest';
import { alertCheckpointsKey, alertsReplayed, Config, evaluateModel, parseConfig, readAlertEvents, readEvaluations, runAlertStep, type EvaluationCodec } from '@/lib/compare';
import type { EvaluationRow } from '@/lib/format';
import type { AlertEvent } from '@/lib/alerts';
import { DAY_MS, HOUR_MS, layout, type SummaryRow } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';
import { numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { putHourProfile, deleteHourProfile } from '@/test/helpers/hour-profiles';

// Profiles are stored as JSON here, so this suite tests evaluation without Parquet or DuckDB.
const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => files.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[]);
const encode = (rows: SummaryRow[]) => JSON.stringify(rows);
const evaluations: EvaluationCodec = { encode: async (rows) => new TextEncoder().encode(JSON.stringify(rows)), decode: async (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as EvaluationRow[] };

const START = Date.parse('2026-11-01T00:00:00Z');
const FAULT_HOUR = 30;

function seconds(n: number, seed: number, scale = 1): Float64Array {
  const z = standardNormal(mulberry32(seed));
  return Float64Array.from({ length: n }, () => scale * Math.exp(5.3 + 0.5 * z()));
}

/** Hour `h`'s profile, as `profile` writes it; `scale` 1000 is the seconds-as-milliseconds fault. */
async function writeHour(s: MemoryStorage, h: number, scale: number, seed = 100 + h): Promise<void> {
  const t = START + h * HOUR_MS;
  await putHourProfile(s, 'm', t, [numericSummary({ model: 'm', feature: 'time_to_order', period_start: t, period_end: t + HOUR_MS }, seconds(200, seed, scale), 0, 0)]);
}

const faultFrom = (h: number) => (h >= FAULT_HOUR ? 1000 : 1);

async function store(scale: (h: number) => number = faultFrom): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const key = (chunk: number) => ({ model: 'm', feature: 'time_to_order', period_start: 0, period_end: 0, chunk });
  const rows = [numericSummary(key(-1), seconds(20_000, 1), 0, 0), ...Array.from({ length: 10 }, (_, i) => numericSummary(key(i), seconds(2_000, 10 + i), 0, 0))];
  await s.write(layout.referenceProfile('m', 'test'), encode(rows));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 20_000, period_start: null, period_end: null, chunks: 10, chunk_rows: 2000, created_at: '2026-11-01T00:00:00Z' }));
  for (let h = 0; h < 48; h++) await writeHour(s, h, scale(h));
  return s;
}

const config: Config = parseConfig(`
alerts:
  rules: [{ name: r, verdicts: [drift, failing], fire_after: 2, resolve_after: 2, channels: [log] }]
  channels: [{ name: log, type: log }]
`);

describe('evaluateModel', () => {
  it('evaluates every hour once, flags the ×1000 switch within 3 evaluations, and is idempotent', async () => {
    const s = await store();
    const first = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    // Whole 12-hour windows only: the first ends 12 hours after the first data.
    expect(first.windowEnds).toHaveLength(48 - 12 + 1);
    expect(first.windowEnds[0]).toBe(START + 12 * HOUR_MS);
    const verdictAt = (h: number) => first.rows.find((r) => Date.parse(r.window_to) === START + h * HOUR_MS)?.verdict;
    for (let h = 12; h <= FAULT_HOUR; h++) expect(verdictAt(h)).toBe('ok');
    const firstDrift = first.rows.find((r) => r.verdict === 'drift');
    expect(firstDrift?.hint).toMatch(/^\d+% of values look ×1000 larger: seconds sent as milliseconds\?$/);
    expect(first.rows.find((r) => Date.parse(r.window_to) === START + 47 * HOUR_MS)?.hint).toBe("values look ×1000 larger: seconds sent as milliseconds?");
    expect((Date.parse(firstDrift!.window_to) - (START + FAULT_HOUR * HOUR_MS)) / HOUR_MS).toBeLessThanOrEqual(3);
    expect(verdictAt(47)).toBe('drift');

    const again = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    expect(again.windowEnds).toEqual([]);
    const stored = [...(await readEvaluations(s, 'm', START, evaluations)), ...(await readEvaluations(s, 'm', START + DAY_MS, evaluations)), ...(await readEvaluations(s, 'm', START + 2 * DAY_MS, evaluations))];
    expect(stored).toHaveLength(37);
  });

  it('reads a day written as JSON by format 1.1, and replaces it with the new file when the day is written again', async () => {
    const s = await store();
    const { rows } = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations, atMs: START + 14 * HOUR_MS });
    // As a 1.1 store left it: the day's rows in JSON, no new-format file.
    await s.write(layout.legacyEvaluations('m', START), JSON.stringify({ format: 'driftwatch-evaluations/1', rows }));
    await s.delete(layout.evaluations('m', START));
    expect(await readEvaluations(s, 'm', START, evaluations)).toEqual(rows);
    await evaluateModel({ storage: s, model: 'm', config, decode, evaluations, atMs: START + 16 * HOUR_MS });
    expect(await s.exists(layout.legacyEvaluations('m', START))).toBe(false);
    expect((await readEvaluations(s, 'm', START, evaluations)).map((r) => r.window_to)).toEqual([12, 13, 14, 15, 16].map((h) => new Date(START + h * HOUR_MS).toISOString()));
  });

  it('catches up only the hours that are new', async () => {
    const s = await store();
    const first = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations, atMs: START + 20 * HOUR_MS });
    expect(first.windowEnds).toHaveLength(9);
    const rest = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    expect(rest.windowEnds[0]).toBe(START + 21 * HOUR_MS);
    expect(rest.windowEnds).toHaveLength(28);
  });

  it('fires an alert after two breaching evaluations and stores it by day', async () => {
    const s = await store();
    const { rows } = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const lines: string[] = [];
    const result = await runAlertStep(s, 'm', config, rows, (l) => lines.push(l));
    const firing = result.events.filter((e) => e.kind === 'firing');
    expect(firing).toHaveLength(1);
    const firstDrift = rows.find((r) => r.verdict === 'drift')!;
    expect(firing[0].at).toBe(new Date(Date.parse(firstDrift.window_to) + HOUR_MS).toISOString());
    expect(result.delivered).toBe(1);
    expect(lines.some((l) => l.includes('time_to_order'))).toBe(true);
    const day = Math.floor((Date.parse(firing[0].at) - 1) / DAY_MS) * DAY_MS;
    expect((await readAlertEvents(s, 'm', day)).map((e) => e.id)).toContain(firing[0].id);
  });
});

const iso = (h: number) => new Date(START + h * HOUR_MS).toISOString();
const days = [START, START + DAY_MS, START + 2 * DAY_MS];
const storedRows = async (s: MemoryStorage) => (await Promise.all(days.map((day) => readEvaluations(s, 'm', day, evaluations)))).flat();
const storedEvents = async (s: MemoryStorage) => (await Promise.all(days.map((day) => readAlertEvents(s, 'm', day)))).flat();

describe('evaluateModel: late data', () => {
  it('re-evaluates exactly the windows containing a rewritten hour, replaces their rows, then nothing', async () => {
    const s = await store();
    await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const before = await storedRows(s);
    await writeHour(s, 20, 1000);
    const r = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const ends = Array.from({ length: 12 }, (_, i) => START + (21 + i) * HOUR_MS);
    expect(r.windowEnds).toEqual([]);
    expect(r.reevaluated).toEqual({ windowEnds: ends, windows: 12, hours: [START + 20 * HOUR_MS], reason: 'late data in 1 hour: 2026-11-01T20:00Z' });
    expect(r.rows.map((row) => Date.parse(row.window_to))).toEqual(ends);
    expect(r.alertsReplayFrom).toBe(ends[0]);

    const after = await storedRows(s);
    expect(after).toHaveLength(before.length);
    const at = (rows: EvaluationRow[], h: number) => rows.find((row) => row.window_to === iso(h))!;
    for (let h = 12; h <= 48; h++) {
      if (h >= 21 && h <= 32) expect(at(after, h).value, iso(h)).toBeGreaterThan(at(before, h).value!);
      else expect(at(after, h), iso(h)).toEqual(at(before, h));
    }
    expect(at(after, 21).hint).toMatch(/×1000 larger/);

    const again = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    expect([again.windowEnds, again.reevaluated.windows]).toEqual([[], 0]);
    // The replay mark stays until the alert step has replayed.
    expect(again.alertsReplayFrom).toBe(ends[0]);
    await alertsReplayed(s, 'm', ends[0]);
    expect((await evaluateModel({ storage: s, model: 'm', config, decode, evaluations })).alertsReplayFrom).toBeNull();
  });

  it('re-evaluates for an hour whose profile appears late, and only from the first whole window', async () => {
    const s = await store();
    await deleteHourProfile(s, 'm', START + 15 * HOUR_MS);
    await deleteHourProfile(s, 'm', START + 3 * HOUR_MS);
    await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    await writeHour(s, 15, 1);
    await writeHour(s, 3, 1);
    const r = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    // Hour 3: ends 12 … 15 (the first whole window ends at 12:00); hour 15: ends 16 … 27.
    expect(r.reevaluated.windowEnds).toEqual(Array.from({ length: 16 }, (_, i) => START + (12 + i) * HOUR_MS));
    expect(r.reevaluated.hours).toEqual([START + 3 * HOUR_MS, START + 15 * HOUR_MS]);
    expect(r.rows.find((row) => row.window_to === iso(16))?.count).toBe(12 * 200);
  });

  it('reads a state without profile versions (format ≤ 1.2): records them, and finds late data from the next run on', async () => {
    const s = await store();
    await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    await s.write(layout.evaluationState('m'), JSON.stringify({ last_window_end: START + 48 * HOUR_MS }));
    await writeHour(s, 20, 1000);
    expect((await evaluateModel({ storage: s, model: 'm', config, decode, evaluations })).reevaluated.windows).toBe(0);
    const state = JSON.parse(new TextDecoder().decode(await s.read(layout.evaluationState('m')))) as { profile_versions: Record<string, string> };
    expect(Object.keys(state.profile_versions)).toHaveLength(48);
    await writeHour(s, 40, 1);
    expect((await evaluateModel({ storage: s, model: 'm', config, decode, evaluations })).reevaluated.windowEnds).toEqual([41, 42, 43, 44, 45, 46, 47, 48].map((h) => START + h * HOUR_MS));
  });

  // Late rows before the first checkpoint (day 2, 00:00) replay from the first row; later ones from the checkpoint.
  it.each([
    [18, 22, null],
    [26, 28, iso(24)],
  ])('replays alerts to the events and states of a store that had the late rows (hours %i to %i) from the start', async (lateFrom, lateTo, replayAfter) => {
    const late = (h: number) => (h >= lateFrom && h < lateTo ? 1000 : faultFrom(h));
    const s = await store();
    const first = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    await runAlertStep(s, 'm', config, first.rows, () => {});
    const firstEvents = await storedEvents(s);
    for (let h = lateFrom; h < lateTo; h++) await writeHour(s, h, 1000);
    const r = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const lines: string[] = [];
    const step = await runAlertStep(s, 'm', config, r.rows, (l) => lines.push(l), { replayFrom: r.alertsReplayFrom, evaluations });

    const fresh = await store(late);
    const all = await evaluateModel({ storage: fresh, model: 'm', config, decode, evaluations });
    await runAlertStep(fresh, 'm', config, all.rows, () => {});
    const expected = await storedEvents(fresh);
    // The late rows fire an alert hours before the original fault; that fault's firing is then no transition.
    expect(expected.filter((e) => e.kind === 'firing').map((e) => e.at)).not.toEqual(firstEvents.filter((e) => e.kind === 'firing').map((e) => e.at));
    expect(await storedEvents(s)).toEqual(expected);
    const json = async (storage: MemoryStorage, key: string) => JSON.parse(new TextDecoder().decode(await storage.read(key))) as unknown;
    expect(await json(s, layout.alertState('m'))).toEqual(await json(fresh, layout.alertState('m')));
    expect(await json(s, alertCheckpointsKey('m'))).toEqual(await json(fresh, alertCheckpointsKey('m')));
    const firstIds = new Set(firstEvents.map((e) => e.id));
    expect(step.events.map((e) => e.id)).toEqual(expected.filter((e) => !firstIds.has(e.id)).map((e) => e.id));
    expect(step.replay?.withdrawn.map((e) => e.id)).toEqual(firstEvents.filter((e) => !expected.some((x) => x.id === e.id)).map((e) => e.id));
    expect(step.replay?.after).toBe(replayAfter);
    expect(lines.filter((l) => l.startsWith('alert FIRING')).length).toBe(step.events.filter((e) => e.kind === 'firing').length);
  });
});

describe('runAlertStep: a replay without a checkpoint before it (a store upgraded from 1.2)', () => {
  it('leaves the alerts before the replayed windows as they were, and sends none of them again', async () => {
    const s = await store();
    const first = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    await runAlertStep(s, 'm', config, first.rows, () => {});
    const before = await storedEvents(s);
    expect(before.length).toBeGreaterThan(0);
    await s.delete(alertCheckpointsKey('m'));
    // The rule changed since (fire after 1, not 2): replaying all history would move the old firing.
    const edited = parseConfig(`
alerts:
  rules: [{ name: r, verdicts: [drift, failing], fire_after: 1, resolve_after: 2, channels: [log] }]
  channels: [{ name: log, type: log }]
`);
    await writeHour(s, 46, 1000, 999);
    const r = await evaluateModel({ storage: s, model: 'm', config: edited, decode, evaluations });
    expect(r.alertsReplayFrom).toBe(START + 47 * HOUR_MS);
    const step = await runAlertStep(s, 'm', edited, r.rows, () => {}, { replayFrom: r.alertsReplayFrom, evaluations });
    for (const e of step.events) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(START + 47 * HOUR_MS);
    expect(step.replay?.withdrawn ?? []).toEqual([]);
    const early = (events: AlertEvent[]) => events.filter((e) => Date.parse(e.at) < START + 47 * HOUR_MS);
    expect(early(await storedEvents(s))).toEqual(early(before));
  });
});

describe('config.yaml', () => {
  it('names the key that is wrong', () => {
    expect(() => parseConfig('defaults:\n  numeric_metric: cosine\n')).toThrow(/defaults\.numeric_metric/);
    expect(() => parseConfig('evaluation: { window: 90m }')).toThrow(/evaluation\.window must be a whole number of hours/);
  });
});
