import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  chiSquareSf,
  kolmogorovSf,
  logGamma,
  normalSf,
  regularizedGammaQ,
} from '../../../lib/stats/special-functions';

// scipy reference values, made by test/fixtures/reference-metrics/generate.py.
interface XRow { x: number; value: number }
interface Chi2Row { x: number; dof: number; value: number }
interface GammaRow { a: number; x: number; value: number }
interface SpecialFunctionFixture {
  versions: Record<string, string>;
  normal_sf: XRow[];
  chi2_sf: Chi2Row[];
  kolmogorov_sf: XRow[];
  log_gamma: XRow[];
  gamma_q: GammaRow[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/reference-metrics/special-functions.json', import.meta.url), 'utf8'),
) as SpecialFunctionFixture;

const REL_TOL = 1e-9;
// Probabilities are checked relatively all the way down the tail (the smallest scipy value
// here is ~6e-294); the absolute floor only covers values that underflow to 0.
const PROB_ABS_FLOOR = 1e-300;
// ln Gamma has zeros at 1 and 2, where only an absolute check makes sense.
const LGAMMA_ABS_FLOOR = 1e-14;

interface Mismatch { input: string; expected: number; got: number; relError: number }

/** Every row whose value is off by more than REL_TOL relative (or absFloor absolute). */
function mismatches<R extends { value: number }>(
  rows: R[],
  fn: (row: R) => number,
  absFloor: number,
): { bad: Mismatch[]; maxRel: number } {
  const bad: Mismatch[] = [];
  let maxRel = 0;
  for (const row of rows) {
    const got = fn(row);
    const expected = row.value;
    const absError = Math.abs(got - expected);
    const relError = expected === 0 ? (absError === 0 ? 0 : Infinity) : absError / Math.abs(expected);
    if (Math.abs(expected) > absFloor) maxRel = Math.max(maxRel, relError);
    if (!(absError <= REL_TOL * Math.abs(expected) || absError <= absFloor)) {
      bad.push({ input: JSON.stringify({ ...row, value: undefined }), expected, got, relError });
    }
  }
  return { bad, maxRel };
}

describe('special functions against scipy', () => {
  it('fixture holds the grids asked for', () => {
    expect(fixture.normal_sf.length).toBe(68);
    expect(new Set(fixture.chi2_sf.map((r) => r.dof))).toEqual(new Set([1, 2, 3, 5, 10, 30, 100, 999]));
    expect(fixture.kolmogorov_sf.length).toBe(57);
    expect(fixture.log_gamma.length).toBeGreaterThan(30);
    expect(fixture.gamma_q.length).toBeGreaterThan(50);
  });

  it('normalSf matches scipy.stats.norm.sf', () => {
    const { bad, maxRel } = mismatches(fixture.normal_sf, (r) => normalSf(r.x), PROB_ABS_FLOOR);
    expect(bad).toEqual([]);
    expect(maxRel).toBeLessThan(REL_TOL);
  });

  it('chiSquareSf matches scipy.stats.chi2.sf', () => {
    const { bad } = mismatches(fixture.chi2_sf, (r) => chiSquareSf(r.x, r.dof), PROB_ABS_FLOOR);
    expect(bad).toEqual([]);
  });

  it('kolmogorovSf matches scipy.stats.kstwobign.sf', () => {
    const { bad } = mismatches(fixture.kolmogorov_sf, (r) => kolmogorovSf(r.x), PROB_ABS_FLOOR);
    expect(bad).toEqual([]);
  });

  it('logGamma matches scipy.special.gammaln', () => {
    const { bad } = mismatches(fixture.log_gamma, (r) => logGamma(r.x), LGAMMA_ABS_FLOOR);
    expect(bad).toEqual([]);
  });

  it('regularizedGammaQ matches scipy.special.gammaincc', () => {
    const { bad } = mismatches(fixture.gamma_q, (r) => regularizedGammaQ(r.a, r.x), PROB_ABS_FLOOR);
    expect(bad).toEqual([]);
  });
});

function grid(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  const n = Math.round((to - from) / step);
  for (let i = 0; i <= n; i++) out.push(from + i * step);
  return out;
}

function expectNonIncreasing(values: number[], label: string): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] > values[i - 1]) {
      expect.fail(`${label}: value ${i} (${values[i]}) exceeds value ${i - 1} (${values[i - 1]})`);
    }
  }
}

describe('monotonicity', () => {
  it('normalSf is non-increasing in x and stays in [0, 1]', () => {
    const values = grid(-40, 40, 0.01).map(normalSf);
    expectNonIncreasing(values, 'normalSf');
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('chiSquareSf is non-increasing in x and non-decreasing in dof', () => {
    for (const dof of [0.5, 1, 2, 3, 7, 30, 999]) {
      expectNonIncreasing(grid(0, 6 * dof + 40, (6 * dof + 40) / 2000).map((x) => chiSquareSf(x, dof)), `chiSquareSf dof=${dof}`);
    }
    for (const x of [0.5, 3, 20, 200]) {
      const byDof = grid(1, 400, 1).map((dof) => chiSquareSf(x, dof));
      expectNonIncreasing(byDof.map((v) => -v), `chiSquareSf x=${x} over dof`);
    }
  });

  it('kolmogorovSf is non-increasing, including across the series switch near 1.18', () => {
    expectNonIncreasing(grid(0, 4, 0.0005).map(kolmogorovSf), 'kolmogorovSf');
    const below = kolmogorovSf(1.18 - 1e-12);
    const at = kolmogorovSf(1.18);
    expect(Math.abs(below - at) / at).toBeLessThan(1e-10);
  });

  it('regularizedGammaQ is non-increasing in x', () => {
    for (const a of [0.1, 1, 4.5, 50, 1000]) {
      expectNonIncreasing(grid(0, 4 * a + 30, (4 * a + 30) / 2000).map((x) => regularizedGammaQ(a, x)), `Q a=${a}`);
    }
  });

  it('logGamma is increasing above its minimum near 1.4616', () => {
    const values = grid(1.5, 300, 0.25).map(logGamma);
    expectNonIncreasing(values.map((v) => -v), 'logGamma');
  });
});

describe('identities and limits', () => {
  it('normalSf(x) + normalSf(-x) = 1 and the limits', () => {
    for (const x of grid(0, 8, 0.1)) expect(normalSf(x) + normalSf(-x)).toBeCloseTo(1, 15);
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(Infinity)).toBe(0);
    expect(normalSf(-Infinity)).toBe(1);
    expect(normalSf(40)).toBe(0);
    expect(normalSf(-40)).toBe(1);
  });

  it('chi-square with 1 and 2 degrees of freedom has closed forms', () => {
    for (const x of [0.01, 0.5, 1, 3.84, 10, 50, 300]) {
      expect(Math.abs(chiSquareSf(x, 2) - Math.exp(-x / 2)) / Math.exp(-x / 2)).toBeLessThan(1e-13);
      const twoTail = 2 * normalSf(Math.sqrt(x));
      expect(Math.abs(chiSquareSf(x, 1) - twoTail) / twoTail).toBeLessThan(1e-12);
    }
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(-5, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
  });

  it('regularizedGammaQ(1, x) = exp(-x); limits in x', () => {
    for (const x of [0.001, 0.5, 1, 2, 10, 100, 700]) {
      expect(Math.abs(regularizedGammaQ(1, x) - Math.exp(-x)) / Math.exp(-x)).toBeLessThan(1e-13);
    }
    expect(regularizedGammaQ(2.5, 0)).toBe(1);
    expect(regularizedGammaQ(2.5, Infinity)).toBe(0);
  });

  it('logGamma of integers and one half', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n++) {
      // logGamma(n) = ln((n-1)!)
      const got = logGamma(n);
      expect(Math.abs(got - logFactorial)).toBeLessThanOrEqual(1e-13 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(Infinity)).toBe(Infinity);
    expect(logGamma(1e-300)).toBeCloseTo(-Math.log(1e-300), 10);
  });

  it('kolmogorovSf limits', () => {
    expect(kolmogorovSf(0)).toBe(1);
    expect(kolmogorovSf(-1)).toBe(1);
    expect(kolmogorovSf(0.05)).toBe(1);
    expect(kolmogorovSf(Infinity)).toBe(0);
    expect(kolmogorovSf(30)).toBe(0);
  });
});

describe('invalid input throws a RangeError naming the argument', () => {
  const cases: Array<[string, () => number, RegExp]> = [
    ['normalSf(NaN)', () => normalSf(NaN), /argument x\b/],
    ['logGamma(0)', () => logGamma(0), /argument x\b/],
    ['logGamma(-1)', () => logGamma(-1), /argument x\b/],
    ['logGamma(NaN)', () => logGamma(NaN), /argument x\b/],
    ['regularizedGammaQ(0, 1)', () => regularizedGammaQ(0, 1), /argument a\b/],
    ['regularizedGammaQ(-1, 1)', () => regularizedGammaQ(-1, 1), /argument a\b/],
    ['regularizedGammaQ(NaN, 1)', () => regularizedGammaQ(NaN, 1), /argument a\b/],
    ['regularizedGammaQ(Infinity, 1)', () => regularizedGammaQ(Infinity, 1), /argument a\b/],
    ['regularizedGammaQ(1, -1)', () => regularizedGammaQ(1, -1), /argument x\b/],
    ['regularizedGammaQ(1, NaN)', () => regularizedGammaQ(1, NaN), /argument x\b/],
    ['chiSquareSf(1, 0)', () => chiSquareSf(1, 0), /argument dof\b/],
    ['chiSquareSf(1, -2)', () => chiSquareSf(1, -2), /argument dof\b/],
    ['chiSquareSf(1, NaN)', () => chiSquareSf(1, NaN), /argument dof\b/],
    ['chiSquareSf(1, Infinity)', () => chiSquareSf(1, Infinity), /argument dof\b/],
    ['chiSquareSf(NaN, 3)', () => chiSquareSf(NaN, 3), /argument x\b/],
    ['kolmogorovSf(NaN)', () => kolmogorovSf(NaN), /argument lambda\b/],
  ];
  for (const [label, call, message] of cases) {
    it(label, () => {
      expect(call).toThrow(RangeError);
      expect(call).toThrow(message);
    });
  }
});
