import { describe, expect, it } from 'vitest';
import { compareCategorical, compareFailedRates } from '@/lib/stats';
import { readJson } from '@/test/helpers/fixtures';

interface CategoricalCase {
  name: string;
  reference: Record<string, number>;
  live: Record<string, number>;
  categories: string[];
  chi2: { statistic: number; pvalue: number; dof: number };
  js: number;
  linf: number;
  psi: number;
}
interface FailedCase {
  name: string;
  failed_ref: number;
  n_ref: number;
  failed_live: number;
  n_live: number;
  z: number;
  pvalue: number;
}

const close = (actual: number, expected: number, rel = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-300) + 1e-15);

describe('categorical metrics against scipy (test/fixtures/reference-metrics/categorical.json)', () => {
  const { cases } = readJson<{ cases: CategoricalCase[] }>('categorical.json');
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = compareCategorical(c.reference, c.live);
    expect(m.rows.map((r) => r.category)).toEqual(c.categories);
    expect(m.chi2_dof).toBe(c.chi2.dof);
    close(m.chi2, c.chi2.statistic);
    close(m.chi2_pvalue, c.chi2.pvalue, 1e-8);
    close(m.js, c.js);
    close(m.linf, c.linf);
    close(m.psi, c.psi);
  });

  it('counts categories unseen in the reference instead of dropping them', () => {
    const m = compareCategorical({ DE: 90, FR: 10 }, new Map([['DE', 40], ['FR', 10], ['XX', 50]]));
    expect(m.unseen_categories).toEqual(['XX']);
    expect(m.unseen_rate).toBeCloseTo(0.5, 12);
    expect(m.linf).toBeCloseTo(0.5, 12);
    expect(m.rows.find((r) => r.category === 'XX')).toEqual({ category: 'XX', reference: 0, live: 0.5, unseen: true });
  });

  it('rejects a negative count with a message naming the category', () => {
    expect(() => compareCategorical({ a: -1 }, { a: 1 })).toThrow(/"a" has count -1/);
  });
});

describe('failed-value rates against scipy (test/fixtures/reference-metrics/failed-rate.json)', () => {
  const { cases } = readJson<{ cases: FailedCase[] }>('failed-rate.json');
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = compareFailedRates(c.failed_ref, c.n_ref, c.failed_live, c.n_live);
    close(r.z, c.z);
    close(r.p_value, c.pvalue, 1e-8);
    expect(r.significant).toBe(c.pvalue < 0.01);
  });

  it('a null rate jumping from 1% to 90% is significant; a drop is not', () => {
    expect(compareFailedRates(500, 50_000, 900, 1000).significant).toBe(true);
    expect(compareFailedRates(5000, 50_000, 10, 1000).significant).toBe(false);
  });

  it('rejects failed > total with a message naming the side', () => {
    expect(() => compareFailedRates(5, 4, 0, 1)).toThrow(/reference needs 0 ≤ failed ≤ total/);
  });
});
