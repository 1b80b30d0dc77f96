import { describe, expect, it } from 'vitest';
import { alertKey, AlertConfig, AlertRule, evaluateAlerts, judgePerformance, PerformanceAlertRule, resolvePerformanceRules, type AlertEvent, type AlertStates, type PerformancePoint } from '@/lib/alerts';
import { alertConfig } from '@/lib/compare';
import { Config } from '@/lib/compare/config';
import { hourIso, point, rule as driftRule } from './points';

const AUC_LOW = { name: 'auc-low', on: 'performance', metric: 'roc_auc', source: 'estimated', below: 0.9, channels: [] } as const;

/** The first issue's path and message, as config.yaml's loader reports it. */
function problem(input: unknown): string {
  const r = AlertRule.safeParse(input);
  if (r.success) return 'valid';
  const issue = r.error.issues[0];
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('performance rules: syntax', () => {
  it('parses the example with the drift rules’ defaults (fire_after 2, resolve_after 3)', () => {
    expect(AlertRule.parse(AUC_LOW)).toEqual({ ...AUC_LOW, fire_after: 2, resolve_after: 3 });
    expect(AlertRule.parse({ ...AUC_LOW, source: 'realised', metric: 'log_loss', below: undefined, above: 0.4, min_coverage: 0.8, fire_after: 1, model: 'car-loan', reference: 'train' })).toMatchObject({ metric: 'log_loss', above: 0.4, min_coverage: 0.8, fire_after: 1 });
  });

  it('leaves drift rules as they were: no `on`, or on: drift', () => {
    expect(AlertRule.parse({ name: 'all', channels: [] })).toEqual({ name: 'all', channels: [], verdicts: ['drift', 'failing'], fire_after: 2, resolve_after: 3 });
    expect(AlertRule.parse({ name: 'all', on: 'drift', channels: [] })).toMatchObject({ on: 'drift', verdicts: ['drift', 'failing'] });
  });

  it('names the problem: kind, source, metric, bound, coverage, misspelt settings', () => {
    expect(problem({ ...AUC_LOW, on: 'perf' })).toBe('on: must be drift (the default: verdicts of features) or performance (a metric of the model)');
    expect(problem({ ...AUC_LOW, source: undefined })).toBe('source: Invalid option: expected one of "realised"|"estimated"');
    expect(problem({ ...AUC_LOW, metric: 'auc' })).toBe('metric: must be one of roc_auc, average_precision, precision, recall, f1, accuracy, log_loss, brier, positive_rate');
    expect(problem({ ...AUC_LOW, metric: 'log_loss' })).toBe('metric: "log_loss" has no estimate before labels arrive; estimated metrics are roc_auc, precision, recall, f1, accuracy (or use source: realised)');
    expect(problem({ ...AUC_LOW, below: undefined })).toBe('below: say when the rule breaches: below: (e.g. below: 0.9 for roc_auc under 0.9) or above:');
    expect(problem({ ...AUC_LOW, below: 90 })).toBe('below: roc_auc lies between 0 and 1, so below: 90 can never be crossed (for 90% write 0.9)');
    expect(problem({ ...AUC_LOW, below: 0.3, above: 0.2 })).toBe('above: with both, below: must be less than above: (the rule breaches outside [below, above]); got below 0.3, above 0.2');
    expect(problem({ ...AUC_LOW, min_coverage: 0.5 })).toBe('min_coverage: applies to realised metrics only: an estimate needs no labels');
    expect(problem({ ...AUC_LOW, source: 'realised', min_coverage: 50 })).toMatch(/^min_coverage: Too big: expected number to be <=1/);
    expect(problem({ ...AUC_LOW, for: 2 })).toBe(': unknown setting "for": use fire_after (consecutive breaching evaluations before the alert fires)');
    expect(problem({ ...AUC_LOW, fire_afer: 3 })).toBe(': unknown setting "fire_afer": a performance rule takes name, on, model, reference, source, metric, below, above, min_coverage, fire_after, resolve_after, channels');
    expect(problem({ ...AUC_LOW, threshold: 0.9 })).toBe(': unknown setting "threshold": use below: or above: (the value that breaches)');
    expect(problem({ ...AUC_LOW, verdicts: ['drift'] })).toBe('verdicts: a performance rule fires on its metric crossing below: or above:, not on verdicts');
    expect(problem({ ...AUC_LOW, feature: 'amount' })).toBe('feature: a performance rule is about the whole model, not one feature');
    expect(problem({ ...AUC_LOW, metric: 'log_loss', source: 'realised', below: undefined, above: 3 })).toBe('valid');
  });

  it('config.yaml errors name the rule and the setting', () => {
    const config = Config.parse({ alerts: { rules: [{ name: 'drift', channels: ['log'] }, { ...AUC_LOW, metric: 'brier', channels: ['log'] }], channels: [{ name: 'log', type: 'log' }] } });
    expect(() => alertConfig(config)).toThrow('config.yaml: alerts.rules.1 (auc-low).metric: "brier" has no estimate before labels arrive; estimated metrics are roc_auc, precision, recall, f1, accuracy (or use source: realised)');
    const unknownChannel = Config.parse({ alerts: { rules: [{ ...AUC_LOW, channels: ['pager'] }], channels: [] } });
    expect(() => alertConfig(unknownChannel)).toThrow('config.yaml: alerts.rules.0 (auc-low).channels: rule "auc-low" names unknown channel "pager"');
    expect(AlertConfig.safeParse({ rules: [AUC_LOW, { ...AUC_LOW, source: 'realised' }], channels: [] }).error?.issues[0].message).toBe('rule name "auc-low" is used more than once');
  });

  it('resolves an absent reference to the first configured and the realised gate to performance.min_coverage', () => {
    const rules = resolvePerformanceRules([driftRule(), AlertRule.parse(AUC_LOW), AlertRule.parse({ ...AUC_LOW, name: 'real', source: 'realised', reference: 'train' })], { reference: 'test', minCoverage: 0.6 });
    expect(rules[0]).toEqual(driftRule());
    expect(rules[1]).toMatchObject({ reference: 'test' });
    expect(rules[1]).not.toHaveProperty('min_coverage');
    expect(rules[2]).toMatchObject({ reference: 'train', min_coverage: 0.6 });
  });
});

/** A performance point `hour` hours after 2026-11-29 00:00 UTC: estimated and realised ROC AUC, label coverage. */
function perf(hour: number, estimated: number | null, realised: number | null = null, coverage = 0): PerformancePoint {
  return {
    on: 'performance',
    model: 'car-loan',
    reference: 'test',
    at: hourIso(hour),
    window_from: hourIso(hour - 12),
    window_to: hourIso(hour),
    predictions: 1000,
    labelled: Math.round(coverage * 1000),
    coverage,
    realised: realised === null ? null : { roc_auc: realised, log_loss: 0.3 },
    estimated: estimated === null ? null : { roc_auc: estimated, precision: 0.8 },
    estimated_roc_auc_band: estimated === null ? null : { lower: estimated - 0.02, upper: estimated + 0.02 },
  };
}

function perfRule(input: Record<string, unknown> = {}): AlertRule {
  return resolvePerformanceRules([AlertRule.parse({ ...AUC_LOW, ...input })], { reference: 'test', minCoverage: 0.5 })[0];
}

/** Feed points one evaluation at a time, as the hourly job does. */
function hourly(rules: AlertRule[], points: PerformancePoint[], key: string) {
  let states: AlertStates = {};
  const events: AlertEvent[] = [];
  const statuses: string[] = [];
  for (const p of points) {
    const result = evaluateAlerts(rules, states, [p]);
    states = result.states;
    events.push(...result.events);
    statuses.push(states[key]?.status ?? '-');
  }
  return { states, events, statuses };
}

const ESTIMATED_KEY = alertKey('auc-low', 'car-loan', 'estimated roc_auc', 'test');
const REALISED_KEY = alertKey('auc-low', 'car-loan', 'realised roc_auc', 'test');

describe('performance rules: firing and resolving', () => {
  it('fires once after fire_after breaches and resolves after resolve_after clear ones, with a message a person understands', () => {
    const aucs = [0.95, 0.87, 0.86, 0.85, 0.93, 0.94, 0.95, 0.96];
    const { events, statuses, states } = hourly([perfRule()], aucs.map((a, i) => perf(i, a)), ESTIMATED_KEY);
    expect(statuses).toEqual(['ok', 'pending', 'firing', 'firing', 'firing', 'firing', 'ok', 'ok']);
    expect(events.map((e) => [e.kind, e.at, e.verdict, e.value])).toEqual([
      ['firing', hourIso(2), 'degraded', 0.86],
      ['resolved', hourIso(6), 'ok', 0.95],
    ]);
    expect(events[0]).toMatchObject({ id: `${ESTIMATED_KEY}|firing|${hourIso(2)}`, rule: 'auc-low', feature: 'estimated roc_auc', on: 'performance', source: 'estimated', metric: 'roc_auc', threshold: 0.9, since: hourIso(1), coverage: 0 });
    expect(events[0].band?.lower).toBeCloseTo(0.84, 12);
    expect(events[0].message).toBe('car-loan: estimated ROC AUC 0.86 (band 0.84–0.88) below 0.90 for 2 evaluations, since 2026-11-29 01:00 UTC');
    expect(events[1].message).toBe('car-loan: estimated ROC AUC back to 0.95 (band 0.93–0.97), at or above 0.90 for 3 evaluations since 2026-11-29 04:00 UTC; had been firing since 2026-11-29 02:00 UTC');
    expect(states[ESTIMATED_KEY]).toMatchObject({ on: 'performance', feature: 'estimated roc_auc', status: 'ok' });
  });

  it('prints enough decimals to tell the value from the threshold', () => {
    const { events } = hourly([perfRule({ below: 0.9, fire_after: 1 })], [perf(0, 0.8996)], ESTIMATED_KEY);
    expect(events[0].message).toMatch(/^car-loan: estimated ROC AUC 0\.8996 \(band 0\.8796–0\.9196\) below 0\.9000 for 1 evaluation, /);
  });

  it('a window without an estimate is neutral: it neither extends a streak nor resolves', () => {
    const { events, statuses } = hourly([perfRule()], [perf(0, 0.85), perf(1, null), perf(2, 0.85), perf(3, null), perf(4, null), perf(5, null), perf(6, 0.95)], ESTIMATED_KEY);
    expect(statuses).toEqual(['pending', 'pending', 'firing', 'firing', 'firing', 'firing', 'firing']);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['firing', hourIso(2)]]);
  });

  it('realised: under the coverage gate the metric neither fires nor resolves, however low or high', () => {
    const rules = [perfRule({ source: 'realised', min_coverage: 0.8 })];
    // Low AUCs at 30% coverage: nothing. Then covered: fires. Then good AUCs at 50%: still firing. Covered and good: resolves.
    const points = [perf(0, 0.95, 0.5, 0.3), perf(1, 0.95, 0.5, 0.3), perf(2, 0.95, 0.85, 0.85), perf(3, 0.95, 0.85, 0.9), perf(4, 0.95, 0.97, 0.5), perf(5, 0.95, 0.97, 0.5), perf(6, 0.95, 0.97, 0.5), perf(7, 0.95, 0.97, 0.95), perf(8, 0.95, 0.97, 0.95), perf(9, 0.95, 0.97, 1)];
    const { events, statuses } = hourly(rules, points, REALISED_KEY);
    expect(statuses).toEqual(['ok', 'ok', 'pending', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'ok']);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['firing', hourIso(3)], ['resolved', hourIso(9)]]);
    expect(events[0].message).toBe('car-loan: realised ROC AUC 0.85 (labels for 90% of 1,000 predictions) below 0.90 for 2 evaluations, since 2026-11-29 02:00 UTC');
    expect(events[0]).toMatchObject({ source: 'realised', coverage: 0.9 });
    expect(events[0]).not.toHaveProperty('band');
  });

  it('realised: the default gate is performance.min_coverage (resolved into the rule)', () => {
    const gated = judgePerformance(perfRule({ source: 'realised' }) as PerformanceAlertRule, perf(0, 0.95, 0.5, 0.49));
    expect([gated.kind, gated.neutral]).toEqual(['neutral', 'label coverage 49% under 50%']);
    expect(judgePerformance(perfRule({ source: 'realised' }) as PerformanceAlertRule, perf(0, 0.95, 0.5, 0.5)).kind).toBe('breach');
    // An estimated rule ignores coverage: estimates need no labels.
    expect(judgePerformance(perfRule() as PerformanceAlertRule, perf(0, 0.85, null, 0)).kind).toBe('breach');
  });

  it('above: and a range: breaches outside, says which bound', () => {
    const logLoss = perfRule({ name: 'loss-high', source: 'realised', metric: 'log_loss', below: undefined, above: 0.25, fire_after: 1, resolve_after: 1 });
    const p = (h: number, v: number) => ({ ...perf(h, 0.95, 0.9, 1), realised: { log_loss: v } });
    const { events } = hourly([logLoss], [p(0, 0.2), p(1, 0.31), p(2, 0.24)], alertKey('loss-high', 'car-loan', 'realised log_loss', 'test'));
    expect(events.map((e) => e.message)).toEqual([
      'car-loan: realised log loss 0.31 (labels for 100% of 1,000 predictions) above 0.25 for 1 evaluation, since 2026-11-29 01:00 UTC',
      'car-loan: realised log loss back to 0.24 (labels for 100% of 1,000 predictions), at or below 0.25 for 1 evaluation since 2026-11-29 02:00 UTC; had been firing since 2026-11-29 01:00 UTC',
    ]);
    const range = perfRule({ name: 'rate', source: 'estimated', metric: 'precision', below: 0.6, above: 0.9, fire_after: 1 }) as PerformanceAlertRule;
    expect(judgePerformance(range, { ...perf(0, 0.95), estimated: { precision: 0.95 } })).toMatchObject({ kind: 'breach', threshold: 0.9 });
    expect(judgePerformance(range, { ...perf(0, 0.95), estimated: { precision: 0.5 } })).toMatchObject({ kind: 'breach', threshold: 0.6 });
    expect(judgePerformance(range, { ...perf(0, 0.95), estimated: { precision: 0.7 } })).toMatchObject({ kind: 'clear', threshold: 0.6 });
  });

  it('drift rules ignore performance points and performance rules ignore drift points', () => {
    const result = evaluateAlerts([driftRule({ fire_after: 1 }), perfRule({ fire_after: 1 })], {}, [point(0, 'drift'), perf(0, 0.5)]);
    expect(result.events.map((e) => [e.rule, e.feature, e.verdict])).toEqual([
      ['auc-low', 'estimated roc_auc', 'degraded'],
      ['drift', 'time_to_order', 'drift'],
    ]);
    expect(Object.keys(result.states)).toEqual([ESTIMATED_KEY, alertKey('drift', 'checkout-fraud', 'time_to_order', 'test')]);
  });

  it('narrows by model and reference; is idempotent on a re-run', () => {
    const other = { ...perf(0, 0.5), model: 'other' };
    const train = { ...perf(0, 0.5), reference: 'train' };
    const once = evaluateAlerts([perfRule({ model: 'car-loan', fire_after: 1 })], {}, [other, train, perf(0, 0.5)]);
    expect(once.events.map((e) => [e.model, e.reference])).toEqual([['car-loan', 'test']]);
    const again = evaluateAlerts([perfRule({ model: 'car-loan', fire_after: 1 })], once.states, [perf(0, 0.5)]);
    expect(again).toEqual({ states: once.states, events: [] });
  });
});
