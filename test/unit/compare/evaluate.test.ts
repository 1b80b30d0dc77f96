import { describe, expect, it } from 'vitest';
import { Config, evaluateModel, parseConfig, readAlertEvents, readEvaluations, runAlertStep, type EvaluationCodec, type EvaluationRow } from '@/lib/compare';
import { DAY_MS, HOUR_MS, layout, type SummaryRow } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';
import { numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';

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

async function store(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const key = (chunk: number) => ({ model: 'm', feature: 'time_to_order', period_start: 0, period_end: 0, chunk });
  const rows = [numericSummary(key(-1), seconds(20_000, 1), 0, 0), ...Array.from({ length: 10 }, (_, i) => numericSummary(key(i), seconds(2_000, 10 + i), 0, 0))];
  await s.write(layout.referenceProfile('m', 'test'), encode(rows));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 20_000, period_start: null, period_end: null, chunks: 10, chunk_rows: 2000, created_at: '2026-11-01T00:00:00Z' }));
  for (let h = 0; h < 48; h++) {
    const t = START + h * HOUR_MS;
    const values = seconds(200, 100 + h, h >= FAULT_HOUR ? 1000 : 1);
    await s.write(layout.hourlyProfile('m', t), encode([numericSummary({ model: 'm', feature: 'time_to_order', period_start: t, period_end: t + HOUR_MS }, values, 0, 0)]));
  }
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

describe('config.yaml', () => {
  it('names the key that is wrong', () => {
    expect(() => parseConfig('defaults:\n  numeric_metric: cosine\n')).toThrow(/defaults\.numeric_metric/);
    expect(() => parseConfig('evaluation: { window: 90m }')).toThrow(/evaluation\.window must be a whole number of hours/);
  });
});
