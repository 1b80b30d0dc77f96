import { describe, expect, it } from 'vitest';
import { alertDeliveryKey, alertsApplied, evaluateModel, readDeliveryStatus, parseConfig, readAlertEvents, runAlertStep, type EvaluationCodec } from '@/lib/compare';
import { DAY_MS, HOUR_MS, layout, type EvaluationRow, type SummaryRow } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';
import { recordAlertAction } from '@/lib/alerts/workflow-store';
import { numericSummary } from '@/lib/summary';
import { mulberry32, standardNormal } from '@/test/helpers/random';
import { putHourProfile } from '@/test/helpers/hour-profiles';

const decode = async (files: readonly Uint8Array[]): Promise<SummaryRow[][]> => files.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[]);
const evaluations: EvaluationCodec = { encode: async (rows) => new TextEncoder().encode(JSON.stringify(rows)), decode: async (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as EvaluationRow[] };
const START = Date.parse('2026-11-01T00:00:00Z');
const config = parseConfig(`
alerts:
  rules: [{ name: r, verdicts: [drift, failing], fire_after: 1, resolve_after: 2, channels: [log] }]
  channels: [{ name: log, type: log }]
`);

function values(n: number, seed: number, scale: number): Float64Array {
  const z = standardNormal(mulberry32(seed));
  return Float64Array.from({ length: n }, () => scale * Math.exp(5 + 0.5 * z()));
}

async function store(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const key = (chunk: number) => ({ model: 'm', feature: 'x', period_start: 0, period_end: 0, chunk });
  await s.write(layout.referenceProfile('m', 'test'), JSON.stringify([numericSummary(key(-1), values(5000, 1, 1), 0, 0), ...Array.from({ length: 10 }, (_, i) => numericSummary(key(i), values(500, 10 + i, 1), 0, 0))]));
  await s.write(layout.referenceMeta('m', 'test'), JSON.stringify({ model: 'm', name: 'test', source: 'test.csv', rows: 5000, period_start: null, period_end: null, chunks: 10, chunk_rows: 500, created_at: '2026-11-01T00:00:00Z' }));
  for (let h = 0; h < 48; h++) {
    const t = START + h * HOUR_MS;
    await putHourProfile(s, 'm', t, [numericSummary({ model: 'm', feature: 'x', period_start: t, period_end: t + HOUR_MS }, values(200, 100 + h, h >= 30 && h < 34 ? 1000 : 1), 0, 0)]);
  }
  return s;
}

const events = async (s: MemoryStorage) => (await Promise.all([0, 1, 2].map((d) => readAlertEvents(s, 'm', START + d * DAY_MS)))).flat();

describe('a run killed between storing its windows and its alert step', () => {
  it('leaves alerts_pending_from; the next run replays from there and ends with the events of an uninterrupted run', async () => {
    const clean = await store();
    const r = await evaluateModel({ storage: clean, model: 'm', config, decode, evaluations });
    await runAlertStep(clean, 'm', config, r.rows, () => {});
    await alertsApplied(clean, 'm');
    expect((await events(clean)).length).toBeGreaterThan(0);

    const killed = await store();
    const first = await evaluateModel({ storage: killed, model: 'm', config, decode, evaluations, atMs: START + 40 * HOUR_MS });
    expect(first.alertsPendingFrom).toBeNull();
    // …killed here: no alert step. The next run sees the mark.
    const next = await evaluateModel({ storage: killed, model: 'm', config, decode, evaluations });
    expect(next.alertsPendingFrom).toBe(START + 12 * HOUR_MS);
    await runAlertStep(killed, 'm', config, next.rows, () => {}, { replayFrom: next.alertsPendingFrom, evaluations });
    await alertsApplied(killed, 'm');
    expect(await events(killed)).toEqual(await events(clean));
    expect((await evaluateModel({ storage: killed, model: 'm', config, decode, evaluations })).alertsPendingFrom).toBeNull();
  });

  it('a damaged delivery status does not stop the alert step: it is started afresh', async () => {
    const s = await store();
    await s.write(alertDeliveryKey('m'), '{"version": 1, "chan');
    await expect(readDeliveryStatus(s, 'm')).rejects.toThrow(/alert-delivery\.json is damaged/);
    const r = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const step = await runAlertStep(s, 'm', config, r.rows, () => {});
    expect(step.delivered).toBeGreaterThan(0);
    expect((await readDeliveryStatus(s, 'm')).channels.log.delivered_last_round).toBe(step.delivered);
  });
});

describe('a silenced rule does not notify (runAlertStep)', () => {
  it('stores the events but puts none in the outbox while the rule is silenced, and says so', async () => {
    const s = await store();
    await s.write('models/m/model.json', '{}');
    await recordAlertAction(s, 'm', { type: 'silence', target: { rule: 'r' }, by: 'cy', at: new Date().toISOString(), until: new Date(Date.now() + 3_600_000).toISOString() });
    const r = await evaluateModel({ storage: s, model: 'm', config, decode, evaluations });
    const log: string[] = [];
    const step = await runAlertStep(s, 'm', config, r.rows, (l) => log.push(l));
    expect(step.events.length).toBeGreaterThan(0);
    // Stored with the other alerts, only not sent.
    expect((await events(s)).length).toBe(step.events.length);
    expect(step.delivered).toBe(0);
    expect(step.undelivered).toBe(0);
    expect(log.filter((l) => l.startsWith('alert silenced until ')).length).toBe(step.events.length);
    const clean = await store();
    const r2 = await evaluateModel({ storage: clean, model: 'm', config, decode, evaluations });
    expect((await runAlertStep(clean, 'm', config, r2.rows, () => {})).delivered).toBe(step.events.length);
  });
});
