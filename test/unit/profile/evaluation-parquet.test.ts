import { describe, expect, it } from 'vitest';
import type { EvaluationRow } from '@/lib/format';
import { EvaluationFileError, evaluationParquet } from '@/lib/duckdb';

const row = (over: Partial<EvaluationRow> = {}): EvaluationRow => ({
  model: 'checkout-fraud',
  reference: 'test',
  window_from: '2026-11-09T00:00:00.000Z',
  window_to: '2026-11-09T12:00:00.000Z',
  window_hours: 12,
  name: 'time_to_order',
  type: 'numeric',
  count: 4123,
  failed_rate: 0,
  reference_failed_rate: 0.011,
  metrics: { area: 1, ks: 1, ks_pvalue: 0, wasserstein: 1.5e5, wasserstein_norm: 812.25, psi: 9.31, js: 0.83, hellinger: 1, linf: null },
  metric: 'area',
  value: 1,
  threshold: 0.082,
  threshold_source: 'reference',
  verdict: 'drift',
  hint: 'values look ×1000 larger: seconds sent as milliseconds?',
  ...over,
});

describe('evaluation Parquet', () => {
  it('round-trips every field: metrics with nulls, optional hint and unseen categories, ISO times', async () => {
    const rows = [
      row(),
      row({ name: 'payment_method', type: 'categorical', metrics: { js: 0.28, psi: 1.2, linf: 0.15, chi2: 5012.5, chi2_pvalue: 0, unseen_rate: 0.15, area: null }, metric: 'js', threshold_source: 'floor', unseen_categories: ['crypto', 'bnpl ✓'], hint: undefined }),
      row({ name: 'device_score', verdict: 'failing', value: null, failed_rate: 0.897, threshold_source: 'config', hint: undefined }),
    ];
    const back = await evaluationParquet.decode(await evaluationParquet.encode(rows));
    expect(back).toEqual(rows.map((r) => JSON.parse(JSON.stringify(r)) as EvaluationRow));
  });

  it('reads files of several DuckDB chunks in order', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row({ name: `f${i % 200}`, window_to: new Date(Date.parse('2026-11-09T12:00:00Z') + Math.floor(i / 200) * 3_600_000).toISOString(), value: i / 5000, metrics: { area: i / 5000, ks: null } }));
    const back = await evaluationParquet.decode(await evaluationParquet.encode(rows));
    expect(back).toEqual(rows);
  });

  it('writes an empty file that reads back as no rows', async () => {
    expect(await evaluationParquet.decode(await evaluationParquet.encode([]))).toEqual([]);
  });

  it('refuses bytes that are not an evaluations file', async () => {
    await expect(evaluationParquet.decode(new TextEncoder().encode('{"rows":[]}'))).rejects.toThrow(EvaluationFileError);
  });
});
