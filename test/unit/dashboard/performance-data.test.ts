import { describe, expect, it } from 'vitest';
import { chartRows, emptyStates, metricDomain, performanceMetricOf, selectedWindow, type PerformanceSeries, type PerformanceWindow } from '@/components/performance-data';
import { performanceArgsOf } from '@/components/queries/performance';

const confusion = { tp: 1, fp: 1, tn: 1, fn: 1 };
const win = (day: number, parts: Partial<PerformanceWindow> = {}): PerformanceWindow => ({
  from: new Date(Date.UTC(2026, 9, day)).toISOString(),
  to: new Date(Date.UTC(2026, 9, day + 1)).toISOString(),
  task: 'binary',
  realised_regression: null,
  predictions: 100,
  labelled: 0,
  coverage: 0,
  realised: null,
  estimated: null,
  label_delay_hours: null,
  ...parts,
});
const realised = (roc_auc: number) => ({ roc_auc, average_precision: 0.5, precision: 0.6, recall: null, f1: 0.7, accuracy: 0.8, log_loss: 0.4, brier: 0.2, positive_rate: 0.3, confusion, calibration_curve: [] });
const estimated = (roc_auc: number) => ({ roc_auc, roc_auc_lower: roc_auc - 0.03, roc_auc_upper: roc_auc + 0.03, precision: 0.6, recall: 0.5, f1: 0.55, accuracy: 0.8, confusion });
const series = (windows: PerformanceWindow[], reference_roc_auc: number | null = 0.9): PerformanceSeries => ({ model: 'm', reference: 'test', threshold: 0.5, min_coverage: 0.5, reference_roc_auc, windows });

describe('performance page helpers', () => {
  it('plots each window at its middle, with the band for ROC AUC only and coverage in percent', () => {
    const ws = [win(1, { coverage: 1, labelled: 100, realised: realised(0.9), estimated: estimated(0.88) }), win(2, { predictions: 0, coverage: null })];
    const [a, b] = chartRows(ws, 'roc_auc');
    expect(a).toEqual({ t: Date.UTC(2026, 9, 1, 12), from: ws[0].from, realised: 0.9, estimated: 0.88, band: [0.85, 0.91], coverage: 100 });
    expect(b).toMatchObject({ realised: null, estimated: null, band: null, coverage: null });
    // Recall undefined at the threshold stays a gap; log loss has no estimate.
    expect(chartRows(ws, 'recall')[0]).toMatchObject({ realised: null, estimated: 0.5, band: null });
    expect(chartRows(ws, 'log_loss')[0]).toMatchObject({ realised: 0.4, estimated: null });
  });

  it('zooms the metric axis to the data and the reference level, within [0, 1]', () => {
    const rows = chartRows([win(1, { realised: realised(0.95), estimated: estimated(0.96) })], 'roc_auc');
    const [lo, hi] = metricDomain(rows, 'roc_auc', 0.9);
    expect(lo).toBeLessThanOrEqual(0.9);
    expect(lo).toBeGreaterThan(0.85);
    expect(hi).toBe(1);
    expect(metricDomain([], 'roc_auc', null)).toEqual([0, 1]);
  });

  it('selects the named window, else the latest with realised figures, else the latest with predictions', () => {
    const ws = [win(1, { realised: realised(0.9) }), win(2, { realised: realised(0.8) }), win(3), win(4, { predictions: 0 })];
    expect(selectedWindow(ws, ws[0].from)).toBe(ws[0]);
    expect(selectedWindow(ws, '2026-10-01T00:00:00Z')).toBe(ws[0]);
    expect(selectedWindow(ws, null)).toBe(ws[1]);
    expect(selectedWindow(ws, '1999-01-01T00:00:00Z')).toBe(ws[1]);
    expect(selectedWindow([win(1), win(2, { predictions: 0 })], undefined)?.from).toBe(win(1).from);
    expect(selectedWindow([], undefined)).toBeUndefined();
  });

  it('says in plain words what is missing: predictions, labels, a reference with labels', () => {
    expect(emptyStates(series([win(1, { predictions: 0 })]), 'm').map((e) => e.kind)).toEqual(['no-predictions']);
    const noLabels = emptyStates(series([win(1)], null), 'm');
    expect(noLabels.map((e) => e.kind)).toEqual(['no-labels', 'no-reference-labels']);
    expect(noLabels[0].message).toMatch(/driftwatch labels add --model m --file labels\.csv/);
    expect(noLabels[1].message).toMatch(/driftwatch reference add --model m --name test .*--label-col/);
    expect(emptyStates(series([win(1, { labelled: 10 })]), 'm')).toEqual([]);
    // Before the first `labels add` there are no performance profiles: say so, not "no predictions".
    const before = emptyStates(series([win(1, { predictions: 0 })]), 'm', false);
    expect(before.map((e) => e.kind)).toEqual(['no-labels-added']);
    expect(before[0].message).toMatch(/^No labels have been added for m yet/);
  });

  it('reads the page URL with its defaults: 30 days by day; a chosen range keeps its own length', () => {
    expect(performanceArgsOf(() => null)).toEqual({ window: '30d', step: '1d' });
    const query = new URLSearchParams('from=2026-10-01T00:00:00Z&to=2026-10-08T00:00:00Z&step=6h&reference=train&metric=f1');
    expect(performanceArgsOf((n) => query.get(n))).toEqual({ from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z', step: '6h', reference: 'train' });
    expect(performanceMetricOf('ks')).toBe('roc_auc');
    expect(performanceMetricOf('brier')).toBe('brier');
  });
});
