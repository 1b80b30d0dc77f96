import { describe, expect, it } from 'vitest';
import { cumulative, logFactorial, mixSeed, mulberry32, Random } from '@/lib/demo/random';

function moments(draw: () => number, n: number) {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

describe('the demo random source', () => {
  it('mulberry32 repeats for a seed, stays in [0, 1) and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('mixSeed separates streams that differ in any part', () => {
    const seeds = new Set<number>();
    for (let stream = 0; stream < 4; stream++) for (let h = 0; h < 1000; h++) seeds.add(mixSeed(20261129, stream, h));
    expect(seeds.size).toBe(4000);
    expect(mixSeed(1, 2, 3)).toBe(mixSeed(1, 2, 3));
  });

  // 200k draws: the standard error of a mean is sd/447, so 5 standard errors stay far below these bounds.
  it.each([
    ['normal', (r: Random) => r.normal(), 0, 1],
    ['gamma(2.5, 2)', (r: Random) => r.gamma(2.5, 2), 5, 10],
    ['gamma(0.4)', (r: Random) => r.gamma(0.4), 0.4, 0.4],
    ['beta(2, 9)', (r: Random) => r.beta(2, 9), 2 / 11, (2 * 9) / (11 * 11 * 12)],
    ['poisson(3)', (r: Random) => r.poisson(3), 3, 3],
    ['poisson(37.5)', (r: Random) => r.poisson(37.5), 37.5, 37.5],
    ['poisson(640)', (r: Random) => r.poisson(640), 640, 640],
  ] as const)('%s has the right mean and variance', (_name, draw, mean, variance) => {
    const rng = new Random(7);
    const m = moments(() => draw(rng), 200_000);
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / 200_000) + 1e-12);
    expect(m.variance / variance).toBeGreaterThan(0.97);
    expect(m.variance / variance).toBeLessThan(1.03);
  });

  it('poisson returns non-negative integers and lognormal has the requested median', () => {
    const rng = new Random(11);
    const counts = Array.from({ length: 10_000 }, () => rng.poisson(400));
    expect(counts.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
    const xs = Array.from({ length: 100_001 }, () => rng.lognormal(200, 0.8)).sort((a, b) => a - b);
    expect(xs[50_000] / 200).toBeGreaterThan(0.98);
    expect(xs[50_000] / 200).toBeLessThan(1.02);
  });

  it('categorical follows the weights', () => {
    const rng = new Random(3);
    const cdf = cumulative([1, 2, 7]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[rng.categorical(cdf)]++;
    expect(counts.map((c) => Math.round(c / 1000))).toEqual([10, 20, 70]);
  });

  it('logFactorial is exact in the table and continuous across the Stirling switch', () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let exact = 0;
    for (let k = 1; k <= 300; k++) exact += Math.log(k);
    expect(Math.abs(logFactorial(300) - exact)).toBeLessThan(1e-9);
    expect(Math.abs(logFactorial(256) - (logFactorial(255) + Math.log(256)))).toBeLessThan(1e-9);
  });
});
