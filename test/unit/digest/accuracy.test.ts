import { describe, expect, it } from 'vitest';
import { buildDigest, mergeDigests, type TDigest } from '@/lib/digest';
import { maxCdfError, sortedCopy } from '@/test/helpers/exact';
import { FAMILIES, sample } from '@/test/helpers/random';

// The bound of issue #2: max |CDF_digest − CDF_exact| over all x.
const CDF_BOUND = 1e-3;
const SIZES = [1e3, 1e4, 1e5, 1e6];

function errorOf(digest: TDigest, sorted: Float64Array): number {
  return maxCdfError(sorted, (x) => digest.cdf(x), (x) => digest.cdfBelow(x));
}

describe.each(FAMILIES)('digest accuracy on %s data', (family) => {
  it.each(SIZES)('one digest of n = %d is within 1e-3 of the exact CDF everywhere', (n) => {
    const values = sample(family, n, 11 + n);
    const { digest } = buildDigest(values);
    expect(digest.count).toBe(n);
    expect(errorOf(digest, sortedCopy(values))).toBeLessThanOrEqual(CDF_BOUND);
  });

  it.each(SIZES)('the merge of 720 contiguous slices of n = %d is within 1e-3', (n) => {
    const values = sample(family, n, 23 + n);
    const parts: TDigest[] = [];
    for (let p = 0; p < 720; p++) {
      parts.push(buildDigest(values.subarray(Math.floor((p * n) / 720), Math.floor(((p + 1) * n) / 720))).digest);
    }
    const merged = mergeDigests(parts);
    expect(merged.count).toBe(n);
    expect(merged.min).toBe(values.reduce((a, b) => Math.min(a, b), Infinity));
    expect(merged.max).toBe(values.reduce((a, b) => Math.max(a, b), -Infinity));
    expect(errorOf(merged, sortedCopy(values))).toBeLessThanOrEqual(CDF_BOUND);
  });
});

describe('point masses', () => {
  it('integers 0..5 give the exact CDF at every atom and between them', () => {
    const values = sample('int0to5', 200_000, 5);
    const { digest } = buildDigest(values);
    const sorted = sortedCopy(values);
    for (let k = 0; k <= 5; k++) {
      const exactAtOrBelow = sorted.filter((v) => v <= k).length / sorted.length;
      const exactBelow = sorted.filter((v) => v < k).length / sorted.length;
      expect(Math.abs(digest.cdf(k) - exactAtOrBelow)).toBeLessThan(1e-12);
      expect(Math.abs(digest.cdfBelow(k) - exactBelow)).toBeLessThan(1e-12);
      expect(Math.abs(digest.cdf(k + 0.5) - exactAtOrBelow)).toBeLessThan(1e-12);
    }
  });

  it('30% of the mass on one value stays one jump of 0.3 after merging hourly parts', () => {
    const values = sample('spike30', 300_000, 9);
    const parts: TDigest[] = [];
    for (let p = 0; p < 300; p++) parts.push(buildDigest(values.subarray(p * 1000, (p + 1) * 1000)).digest);
    const merged = mergeDigests(parts);
    const zeros = values.filter((v) => v === 0).length / values.length;
    const negatives = values.filter((v) => v < 0).length / values.length;
    expect(Math.abs(merged.cdf(0) - merged.cdfBelow(0) - zeros)).toBeLessThan(1e-12);
    expect(Math.abs(merged.cdfBelow(0) - negatives)).toBeLessThan(1e-12);
    expect(merged.quantile(negatives + zeros / 2)).toBe(0);
  });

  it('a constant feature is a single point mass', () => {
    const { digest } = buildDigest(new Float64Array(50_000).fill(3.25));
    expect(digest.cdfBelow(3.25)).toBe(0);
    expect(digest.cdf(3.25)).toBe(1);
    expect(digest.quantile(0.5)).toBe(3.25);
    expect(digest.size).toBe(2);
  });

  it('-0 and 0 are the same value', () => {
    const { digest } = buildDigest([-0, 0, -0, 0, 1]);
    expect(digest.cdf(0)).toBeCloseTo(0.8, 12);
    expect(digest.cdfBelow(0)).toBe(0);
  });
});

describe('incremental building', () => {
  it('a DigestBuilder fed value by value is as accurate as the batch path', async () => {
    const { DigestBuilder } = await import('@/lib/digest');
    const values = sample('lognormal', 300_000, 3);
    const builder = new DigestBuilder();
    for (let i = 0; i < values.length; i++) builder.add(values[i]);
    const digest = builder.digest();
    expect(digest.count).toBe(values.length);
    expect(errorOf(digest, sortedCopy(values))).toBeLessThanOrEqual(CDF_BOUND);
  });
});

describe('merging digests of very different sizes', () => {
  it('a large digest merged with a small one keeps its spread centroids spread', () => {
    const big = sample('normal', 1_000_000, 31);
    const small = sample('normal', 2_000, 32);
    const merged = mergeDigests([buildDigest(big).digest, buildDigest(small).digest]);
    const all = new Float64Array(big.length + small.length);
    all.set(big);
    all.set(small, big.length);
    expect(merged.count).toBe(all.length);
    expect(errorOf(merged, sortedCopy(all))).toBeLessThanOrEqual(CDF_BOUND);
    // Continuous data has no point masses: no two centroids may share a mean.
    let equalNeighbours = 0;
    for (let i = 1; i < merged.size; i++) if (merged.means[i] === merged.means[i - 1]) equalNeighbours++;
    expect(equalNeighbours).toBe(0);
  });
});
