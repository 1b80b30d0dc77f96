import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest, mergeDigests, type TDigest } from '@/lib/digest';
import { maxCdfError, sortedCopy } from '@/test/helpers/exact';

const values = fc.array(
  fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -5, max: 5 }),
  ),
  { minLength: 1, maxLength: 3000 },
);

function cdfDistance(a: TDigest, b: TDigest, probes: Float64Array): number {
  let worst = 0;
  for (const x of probes) worst = Math.max(worst, Math.abs(a.cdf(x) - b.cdf(x)), Math.abs(a.cdfBelow(x) - b.cdfBelow(x)));
  return worst;
}

describe('digest algebra (fast-check)', () => {
  it('merging is associative and order-independent within the accuracy bound', () => {
    fc.assert(
      fc.property(values, values, values, (xs, ys, zs) => {
        const [a, b, c] = [xs, ys, zs].map((v) => buildDigest(v).digest);
        const left = mergeDigests([mergeDigests([a, b]), c]);
        const right = mergeDigests([a, mergeDigests([b, c])]);
        const shuffled = mergeDigests([c, a, b]);
        const probes = sortedCopy(Float64Array.from([...xs, ...ys, ...zs]));
        expect(left.count).toBe(xs.length + ys.length + zs.length);
        expect(cdfDistance(left, right, probes)).toBeLessThanOrEqual(2e-3);
        expect(cdfDistance(left, shuffled, probes)).toBeLessThanOrEqual(2e-3);
        expect(maxCdfError(probes, (x) => left.cdf(x), (x) => left.cdfBelow(x))).toBeLessThanOrEqual(1e-3);
      }),
      { numRuns: 60 },
    );
  });

  it('the CDF is monotone and runs from 0 below min to 1 at max', () => {
    fc.assert(
      fc.property(values, fc.array(fc.double({ min: -2e6, max: 2e6, noNaN: true }), { minLength: 2, maxLength: 50 }), (xs, probes) => {
        const { digest } = buildDigest(xs);
        const sortedProbes = [...probes].sort((a, b) => a - b);
        for (let i = 1; i < sortedProbes.length; i++) {
          expect(digest.cdf(sortedProbes[i])).toBeGreaterThanOrEqual(digest.cdf(sortedProbes[i - 1]));
          expect(digest.cdfBelow(sortedProbes[i])).toBeLessThanOrEqual(digest.cdf(sortedProbes[i]));
        }
        expect(digest.cdfBelow(digest.min)).toBe(0);
        expect(digest.cdf(digest.max)).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it('quantile inverts the CDF: cdf(quantile(q)) ≥ q, and quantile(cdf(x)) = x where the CDF rises', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const { digest } = buildDigest(xs);
        const x = digest.quantile(q);
        expect(digest.cdf(x)).toBeGreaterThanOrEqual(q - 1e-12);
        expect(digest.cdfBelow(x)).toBeLessThanOrEqual(q + 1e-12);
        const scale = Math.max(1, Math.abs(digest.min), Math.abs(digest.max));
        for (const v of xs) {
          const back = digest.quantile(digest.cdf(v));
          // Equal unless v sits on a flat stretch of the CDF, where quantile returns its left end.
          if (back !== v) expect(digest.cdf(back)).toBeCloseTo(digest.cdf(v), 9);
          expect(back).toBeLessThanOrEqual(v + 1e-9 * scale);
        }
      }),
      { numRuns: 100 },
    );
  });
});
