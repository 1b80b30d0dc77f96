import TDigestPackage from 'tdigest';
import { describe, expect, it } from 'vitest';
import { buildDigest, digestFromJSON, DigestFormatError } from '@/lib/digest';
import { sample } from '@/test/helpers/random';

describe('serialised digest', () => {
  const { digest } = buildDigest(sample('lognormal', 200_000, 1));

  it('is plain engine-neutral data that survives a JSON round trip', () => {
    const json = JSON.parse(JSON.stringify(digest));
    expect(Object.keys(json).sort()).toEqual(['compression', 'count', 'max', 'means', 'min', 'weights']);
    const back = digestFromJSON(json);
    expect(back.count).toBe(digest.count);
    expect(back.size).toBe(digest.size);
    for (const x of [0, 50, 100, 148.4, 500, 5000]) expect(Math.abs(back.cdf(x) - digest.cdf(x))).toBeLessThan(1e-9);
    for (const q of [0, 0.01, 0.5, 0.99, 1]) expect(back.quantile(q)).toBeCloseTo(digest.quantile(q), 6);
  });

  it('keeps a point mass a point mass', () => {
    const { digest: d } = buildDigest(sample('spike30', 100_000, 2));
    const back = digestFromJSON(JSON.parse(JSON.stringify(d)));
    expect(back.cdf(0) - back.cdfBelow(0)).toBeCloseTo(d.cdf(0) - d.cdfBelow(0), 12);
  });

  it('stays under 16 KB as JSON for a million values', () => {
    const { digest: d } = buildDigest(sample('normal', 1_000_000, 3));
    expect(JSON.stringify(d).length).toBeLessThanOrEqual(16 * 1024);
  });

  it.each([
    [null, /expected an object/],
    [{ count: 1, min: 0, max: 0, means: [0, 1], weights: [1] }, /means has 2 entries but weights has 1/],
    [{ count: 2, min: 0, max: 1, means: [1, 0], weights: [1, 1] }, /sorted ascending/],
    [{ count: 3, min: 0, max: 1, means: [0, 1], weights: [1, 1] }, /count is 3 but the weights sum to 2/],
    [{ count: 1, min: 0, max: 1, means: [0], weights: [-1] }, /weights\[0\] must be positive/],
    [{ count: 1, min: 0, max: 1, means: ['a'], weights: [1] }, /means\[0\] must be a finite number/],
    [{ count: 1, min: 2, max: 3, means: [1], weights: [1] }, /must enclose every mean/],
  ])('rejects %j with a message naming the problem', (input, message) => {
    expect(() => digestFromJSON(input)).toThrow(DigestFormatError);
    expect(() => digestFromJSON(input)).toThrow(message);
  });
});

describe('interoperability with the tdigest npm package', () => {
  it('our centroids load into the package and its CDF agrees with ours', () => {
    const values = sample('normal', 100_000, 4);
    const { digest } = buildDigest(values);
    // K = 0 disables the package's automatic recompression, so it keeps our centroids as they are.
    const theirs = new TDigestPackage.TDigest(0.01, 0, 1.1);
    theirs.push_centroid(digest.toCentroidObjects());
    expect(theirs.size()).toBe(digest.size);
    expect(theirs.n).toBe(digest.count);
    for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) {
      const x = digest.quantile(q);
      expect(Math.abs(theirs.p_rank(x) - digest.cdf(x))).toBeLessThan(2e-3);
    }
  });

  it('an independent digest (the package, built from the raw values) agrees with ours on every decile', () => {
    const values = sample('bimodal', 50_000, 5);
    const ours = buildDigest(values).digest;
    const theirs = new TDigestPackage.TDigest();
    theirs.push(Array.from(values));
    theirs.compress();
    for (let k = 1; k < 10; k++) {
      const x = ours.quantile(k / 10);
      expect(Math.abs(theirs.p_rank(x) - k / 10)).toBeLessThan(5e-3);
    }
  });
});
