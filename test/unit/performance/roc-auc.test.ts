import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest, mergeDigests } from '@/lib/digest';
import { averagePrecisionFromDigests, rocAucFromDigests } from '@/lib/performance';
import { exactAveragePrecision, exactRocAuc } from './exact-metrics';
import { SHAPES, scores } from './generate';

// Issue #12 asks AUC within 0.002 of exact; measured worst 1.7e-5. AP has no bound from the CDF
// error alone (precision near the top is a ratio of small counts); measured worst 2.2e-4.
const AUC_TOLERANCE = 0.002;
const AP_TOLERANCE = 1e-3;

const cases = fc.record({
  shape: fc.constantFrom(...SHAPES),
  nPos: fc.integer({ min: 50, max: 100_000 }),
  nNeg: fc.integer({ min: 50, max: 100_000 }),
  shift: fc.constantFrom(0, 0.1, 0.5, 1, 2, 4, 8),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

function metricsOf(shape: (typeof SHAPES)[number], nPos: number, nNeg: number, shift: number, seed: number) {
  const pos = scores(shape, nPos, shift, seed);
  const neg = scores(shape, nNeg, 0, seed + 7919);
  const dp = buildDigest(pos).digest;
  const dn = buildDigest(neg).digest;
  return {
    aucError: Math.abs(rocAucFromDigests(dp, dn) - exactRocAuc(pos, neg)),
    apError: Math.abs(averagePrecisionFromDigests(dp, dn) - exactAveragePrecision(pos, neg)),
  };
}

describe('ROC AUC and average precision from class-conditional digests', () => {
  it('match the exact values on raw data (fast-check over shapes, sizes 50..1e5, shifts)', () => {
    let worstAuc = 0;
    let worstAp = 0;
    fc.assert(
      fc.property(cases, ({ shape, nPos, nNeg, shift, seed }) => {
        const { aucError, apError } = metricsOf(shape, nPos, nNeg, shift, seed);
        worstAuc = Math.max(worstAuc, aucError);
        worstAp = Math.max(worstAp, apError);
        expect(aucError).toBeLessThanOrEqual(AUC_TOLERANCE);
        expect(apError).toBeLessThanOrEqual(AP_TOLERANCE);
      }),
      { numRuns: 80, seed: 12 },
    );
    console.log(`property run: worst |ΔAUC| = ${worstAuc.toExponential(2)}, worst |ΔAP| = ${worstAp.toExponential(2)}`);
  });

  it.each(SHAPES)('%s: very unbalanced (1 in 100 positives), identical and separated classes at 1e5 rows', (shape) => {
    const rows: string[] = [];
    for (const [nPos, nNeg] of [
      [1_000, 99_000],
      [99_000, 1_000],
      [100_000, 100_000],
      [50, 100_000],
    ]) {
      for (const shift of [0, 1, 8]) {
        const { aucError, apError } = metricsOf(shape, nPos, nNeg, shift, 1000 + nPos + shift);
        rows.push(`${nPos}/${nNeg} shift ${shift}: ${aucError.toExponential(1)} ${apError.toExponential(1)}`);
        expect(aucError).toBeLessThanOrEqual(AUC_TOLERANCE);
        expect(apError).toBeLessThanOrEqual(AP_TOLERANCE);
      }
    }
    console.log(`${shape} |ΔAUC| |ΔAP|: ${rows.join('; ')}`);
  });

  it('is exact on small data (every value a centroid) and after merging hourly digests', () => {
    const pos = scores('rounded2', 700, 1, 5);
    const neg = scores('rounded2', 900, 0, 6);
    const dp = buildDigest(pos).digest;
    const dn = buildDigest(neg).digest;
    expect(rocAucFromDigests(dp, dn)).toBeCloseTo(exactRocAuc(pos, neg), 12);
    expect(averagePrecisionFromDigests(dp, dn)).toBeCloseTo(exactAveragePrecision(pos, neg), 12);

    const hours = 48;
    const posAll = scores('mixture', 48_000, 1, 7);
    const negAll = scores('mixture', 96_000, 0, 8);
    const perHour = (v: Float64Array, k: number) => v.subarray((k * v.length) / hours, ((k + 1) * v.length) / hours);
    const mp = mergeDigests(Array.from({ length: hours }, (_, k) => buildDigest(perHour(posAll, k)).digest));
    const mn = mergeDigests(Array.from({ length: hours }, (_, k) => buildDigest(perHour(negAll, k)).digest));
    expect(Math.abs(rocAucFromDigests(mp, mn) - exactRocAuc(posAll, negAll))).toBeLessThanOrEqual(AUC_TOLERANCE);
    expect(Math.abs(averagePrecisionFromDigests(mp, mn) - exactAveragePrecision(posAll, negAll))).toBeLessThanOrEqual(AP_TOLERANCE);
  });

  it('gives 0.5 for one shared atom, 1 and 0 for disjoint classes, and throws on an empty class', () => {
    const ones = buildDigest(new Float64Array(500).fill(0.3)).digest;
    expect(rocAucFromDigests(ones, ones)).toBe(0.5);
    const low = buildDigest(scores('beta', 5000, -1, 1).map((x) => x / 2)).digest;
    const high = buildDigest(scores('beta', 5000, 1, 2).map((x) => 0.5 + x / 2)).digest;
    expect(rocAucFromDigests(high, low)).toBe(1);
    expect(rocAucFromDigests(low, high)).toBe(0);
    expect(averagePrecisionFromDigests(high, low)).toBeCloseTo(1, 12);
    expect(() => rocAucFromDigests(buildDigest([]).digest, low)).toThrow(/positive digest is empty/);
  });
});
