import { describe, expect, it } from 'vitest';
import { buildDigest } from '@/lib/digest';
import { compareNumeric, ksTest, meanAndStd, proportionAtOrBelow, sharedBins } from '@/lib/stats';
import { readJson, readSample } from '@/test/helpers/fixtures';
import { FAMILIES } from '@/test/helpers/random';

interface PairMetrics {
  n_ref: number;
  n_live: number;
  ks: number;
  ks_pvalue_kstwobign: number;
  wasserstein: number;
  ref_std: number;
  wasserstein_norm: number;
  area: number;
  js: number;
  hellinger: number;
  psi: number;
  shared_bins: { edges: number[]; p: number[]; q: number[] };
}
interface FamilyFixture {
  pairs: Record<'same' | 'drift', PairMetrics>;
  ref_ecdf_probes: Array<{ x: number; count_le: number; count_lt: number }>;
}
const fixture = readJson<{ families: Record<string, FamilyFixture> }>('metrics.json');

// A compression far above n keeps every value as its own point: the exact empirical distribution.
const exact = (values: Float64Array) => buildDigest(values, 1e7).digest;

describe.each(FAMILIES)('numeric metrics on %s data against scipy/numpy (test/fixtures/reference-metrics)', (family) => {
  const f = fixture.families[family];
  const ref = readSample(family, 'ref');

  it('the exact path reproduces the reference ECDF at the probe points', () => {
    const d = exact(ref);
    for (const probe of f.ref_ecdf_probes) {
      expect(proportionAtOrBelow(d, probe.x) * ref.length).toBeCloseTo(probe.count_le, 6);
      expect(proportionAtOrBelow(d, probe.x, true) * ref.length).toBeCloseTo(probe.count_lt, 6);
    }
  });

  describe.each(['same', 'drift'] as const)('reference vs %s', (pair) => {
    const expected = f.pairs[pair];
    const live = readSample(family, pair);

    it('on exact distributions every metric equals the independent computation', () => {
      const r = exact(ref);
      const l = exact(live);
      const m = compareNumeric(r, l);
      expect(m.ks).toBeCloseTo(expected.ks, 10);
      expect(m.area).toBeCloseTo(expected.area, 10);
      expect(m.psi).toBeCloseTo(expected.psi, 9);
      expect(m.js).toBeCloseTo(expected.js, 9);
      expect(m.hellinger).toBeCloseTo(expected.hellinger, 9);
      expect(m.wasserstein / expected.wasserstein).toBeCloseTo(1, 9);
      expect(meanAndStd(r).std / expected.ref_std).toBeCloseTo(1, 9);
      expect(m.wasserstein_norm / expected.wasserstein_norm).toBeCloseTo(1, 9);
      const bins = sharedBins(r, l);
      expect(bins.edges).toEqual(expected.shared_bins.edges);
      const pValue = ksTest(r, l).pValue;
      if (expected.ks_pvalue_kstwobign > 1e-300) expect(pValue / expected.ks_pvalue_kstwobign).toBeCloseTo(1, 6);
      else expect(pValue).toBeLessThan(1e-290);
    });

    it('from default digests the metrics are within the bounds of issue #2', () => {
      const m = compareNumeric(buildDigest(ref).digest, buildDigest(live).digest);
      expect(Math.abs(m.ks - expected.ks)).toBeLessThanOrEqual(2e-3);
      expect(Math.abs(m.wasserstein / expected.wasserstein - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(m.wasserstein_norm / expected.wasserstein_norm - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(m.area - expected.area)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(m.psi - expected.psi)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(m.js - expected.js)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(m.hellinger - expected.hellinger)).toBeLessThanOrEqual(0.01);
    });
  });
});

describe('distances at their extremes', () => {
  const a = buildDigest(Float64Array.from({ length: 5000 }, (_, i) => i / 5000)).digest;
  const b = buildDigest(Float64Array.from({ length: 3000 }, (_, i) => 10 + i / 3000)).digest;

  it('identical distributions are at distance 0', () => {
    const m = compareNumeric(a, a);
    expect([m.area, m.ks, m.wasserstein, m.psi, m.js, m.hellinger]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(m.ks_pvalue).toBe(1);
  });

  it('disjoint distributions are at area, KS, JS and Hellinger distance 1', () => {
    const m = compareNumeric(a, b);
    expect(m.area).toBe(1);
    expect(m.ks).toBe(1);
    expect(m.js).toBeCloseTo(1, 12);
    expect(m.hellinger).toBeCloseTo(1, 12);
    expect(m.wasserstein).toBeCloseTo(10, 3);
    expect(m.ks_pvalue).toBeLessThan(1e-100);
  });

  it('a ×1000 unit change is far from the reference on every metric', () => {
    const seconds = Float64Array.from({ length: 20000 }, (_, i) => 50 + ((i * 7919) % 400));
    const millis = seconds.map((s) => s * 1000);
    const m = compareNumeric(buildDigest(seconds).digest, buildDigest(millis).digest);
    expect(m.area).toBe(1);
    expect(m.psi).toBeGreaterThan(5);
    expect(m.wasserstein_norm).toBeGreaterThan(100);
  });

  it('an empty side gives NaN metrics, not a crash', () => {
    const m = compareNumeric(a, buildDigest([]).digest);
    expect(Number.isNaN(m.area) && Number.isNaN(m.ks)).toBe(true);
  });
});
