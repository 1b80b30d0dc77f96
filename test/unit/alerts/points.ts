import { AlertRule, type AlertRuleInput, type Verdict, type VerdictPoint } from '@/lib/alerts';

const START_MS = Date.parse('2026-11-29T00:00:00Z');
const HOUR_MS = 3_600_000;

export function hourIso(hour: number): string {
  return new Date(START_MS + hour * HOUR_MS).toISOString();
}

/** A point for `hour` hours after 2026-11-29 00:00 UTC, with a 12-hour window ending then. */
export function point(hour: number, verdict: Verdict, overrides: Partial<VerdictPoint> = {}): VerdictPoint {
  return {
    model: 'checkout-fraud',
    feature: 'time_to_order',
    reference: 'test',
    at: hourIso(hour),
    window_from: hourIso(hour - 12),
    window_to: hourIso(hour),
    verdict,
    metric: 'area',
    value: verdict === 'ok' ? 0.03 : 0.97,
    threshold: 0.12,
    failed_rate: verdict === 'failing' ? 0.9 : 0.001,
    ...overrides,
  };
}

/** Hours 0, 1, 2… with the given verdicts, written as a string: o = ok, d = drift, f = failing. */
export function sequence(codes: string, overrides: Partial<VerdictPoint> = {}, firstHour = 0): VerdictPoint[] {
  const verdicts: Record<string, Verdict> = { o: 'ok', d: 'drift', f: 'failing' };
  return [...codes].map((code, i) => point(firstHour + i, verdicts[code], overrides));
}

export function rule(input: Partial<AlertRuleInput> = {}): AlertRule {
  return AlertRule.parse({ name: 'drift', channels: [], ...input });
}
