import { describe, expect, it } from 'vitest';
import { buildDigest, DigestBuilder, sortFloat64, TDigest } from '@/lib/digest';
import { mulberry32 } from '@/test/helpers/random';

describe('buildDigest', () => {
  it('counts NaN and ±Infinity as failed and leaves them out of the distribution', () => {
    const { digest, nan, posInf, negInf } = buildDigest([1, NaN, 2, Infinity, -Infinity, NaN, 3]);
    expect({ nan, posInf, negInf }).toEqual({ nan: 2, posInf: 1, negInf: 1 });
    expect(digest.count).toBe(3);
    expect(digest.min).toBe(1);
    expect(digest.max).toBe(3);
  });

  it('does not modify its input', () => {
    const input = Float64Array.from([3, 1, 2, NaN]);
    buildDigest(input);
    expect(Array.from(input)).toEqual([3, 1, 2, NaN]);
  });

  it('accepts a plain array and a Float64Array alike', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 1000);
    expect(buildDigest(values).digest.toJSON()).toEqual(buildDigest(Float64Array.from(values)).digest.toJSON());
  });

  it('keeps the mean exactly: centroids preserve the sum of their values', () => {
    const rng = mulberry32(1);
    const values = Float64Array.from({ length: 100_000 }, () => rng() * 1000);
    const exact = values.reduce((a, b) => a + b, 0) / values.length;
    expect(buildDigest(values).digest.mean()).toBeCloseTo(exact, 8);
  });

  it('an empty input gives an empty digest whose queries are NaN', () => {
    const { digest } = buildDigest([]);
    expect(digest.count).toBe(0);
    expect(digest.cdf(1)).toBeNaN();
    expect(digest.quantile(0.5)).toBeNaN();
  });

  it('rejects a quantile level outside [0, 1] with a message naming q', () => {
    const { digest } = buildDigest([1, 2, 3]);
    expect(() => digest.quantile(1.5)).toThrow(/q must be in \[0, 1\]/);
  });

  it('the DigestBuilder counts failed values too', () => {
    const b = new DigestBuilder();
    b.addAll([1, NaN, Infinity, 2]);
    expect(b.failed).toEqual({ nan: 1, posInf: 1, negInf: 0 });
    expect(b.digest().count).toBe(2);
  });

  it('stays within δ/2 … 0.85·δ centroids for large inputs', () => {
    const rng = mulberry32(2);
    const { digest } = buildDigest(Float64Array.from({ length: 1_000_000 }, () => rng()));
    expect(digest.size).toBeGreaterThan(500);
    expect(digest.size).toBeLessThan(850);
    expect(digest).toBeInstanceOf(TDigest);
  });
});

describe('sortFloat64', () => {
  it('sorts like Float64Array#sort on mixed signs, magnitudes, ties and values sharing a high word', () => {
    const rng = mulberry32(3);
    const values = new Float64Array(200_000);
    for (let i = 0; i < values.length; i++) {
      const r = rng();
      if (r < 0.1) values[i] = Math.floor(rng() * 5) - 2;
      else if (r < 0.2) values[i] = 1.7e12 + Math.floor(rng() * 3_600_000); // epoch ms: one high word
      else if (r < 0.3) values[i] = -Math.exp(rng() * 40 - 20);
      else values[i] = (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6);
    }
    const expected = Float64Array.from(values).sort();
    expect(Array.from(sortFloat64(values))).toEqual(Array.from(expected));
  });
});
