import { describe, expect, it } from 'vitest';
import { parseSort, sortRows, type FeatureTableRow } from '@/components/FeatureTable';
import { sparklineTop } from '@/components/Sparkline';

const row = (name: string, verdict: FeatureTableRow['verdict'], value: number | null, extra: Partial<FeatureTableRow> = {}): FeatureTableRow => ({
  name,
  type: 'numeric',
  verdict,
  metric: 'area',
  value,
  threshold: 0.1,
  failed_rate: 0,
  reference_failed_rate: 0,
  count: 100,
  sparkline: [],
  alert: null,
  ...extra,
});

const rows = [
  row('a_ok_low', 'ok', 0.01),
  row('b_unmonitored_high', 'not_monitored', 0.9),
  row('c_drift', 'drift', 0.2),
  row('d_failing', 'failing', 0.05, { failed_rate: 0.4, count: 5 }),
  row('e_ok_high', 'ok', 0.09, { failed_rate: null, count: 1000 }),
  row('f_drift_more', 'drift', 0.5, { hint: 'shifted right' }),
];
const names = (rs: FeatureTableRow[]) => rs.map((r) => r.name);

describe('the feature table order', () => {
  it('defaults to severity (failing, drift, ok, not monitored), then value ÷ threshold descending', () => {
    const { key, dir } = parseSort(null, null);
    expect(names(sortRows(rows, key, dir))).toEqual(['d_failing', 'f_drift_more', 'c_drift', 'e_ok_high', 'a_ok_low', 'b_unmonitored_high']);
  });
  it('sorts any column both ways, missing values last', () => {
    expect(names(sortRows(rows, 'failed', 'desc'))[0]).toBe('d_failing');
    expect(names(sortRows(rows, 'failed', 'desc')).at(-1)).toBe('e_ok_high');
    expect(names(sortRows(rows, 'failed', 'asc')).at(-1)).toBe('e_ok_high');
    expect(names(sortRows(rows, 'count', 'asc'))).toEqual(['d_failing', 'a_ok_low', 'b_unmonitored_high', 'c_drift', 'f_drift_more', 'e_ok_high']);
    expect(names(sortRows(rows, 'name', 'desc'))).toEqual([...names(rows)].sort().reverse());
    expect(names(sortRows(rows, 'ratio', 'desc')).slice(0, 2)).toEqual(['b_unmonitored_high', 'f_drift_more']);
    expect(names(sortRows(rows, 'hint', 'asc'))[0]).toBe('f_drift_more');
  });
  it('reads the URL: unknown columns fall back to the default, a column alone gets its natural direction', () => {
    expect(parseSort('banana', 'sideways')).toEqual({ key: 'severity', dir: 'asc' });
    expect(parseSort('count', null)).toEqual({ key: 'count', dir: 'desc' });
    expect(parseSort('name', 'desc')).toEqual({ key: 'name', dir: 'desc' });
  });
});

describe('the sparkline scale', () => {
  it('is shared: at least 2× threshold, the table’s largest value, at most 10×', () => {
    expect(sparklineTop([[0.2, 0.5], [null, 1.1]])).toBe(2);
    expect(sparklineTop([[0.2, 3.5], [null, 1.1]])).toBe(3.5);
    expect(sparklineTop([[0.2, 350], [Number.NaN]])).toBe(10);
  });
});
