import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_CEILING, minRowsForVerdict, thresholdAt, type MetricName, type Threshold } from '@/lib/compare';

const METRICS: MetricName[] = ['area', 'ks', 'js', 'hellinger', 'linf', 'psi', 'wasserstein_norm'];

/** The answer by scanning every live count from 1 up: the first whose threshold is below the metric's ceiling. */
function bruteForce(threshold: Threshold, metric: MetricName, nReference: number, upTo: number): number | null {
  for (let n = 1; n <= upTo; n++) if (thresholdAt(threshold, metric, nReference, n) < METRIC_CEILING[metric]) return n;
  return null;
}

const calibrated = (chunk_mean: number, chunk_sd: number, n_eff: number, floor = 0.05): Threshold => ({ value: Math.max(floor, chunk_mean + 3 * chunk_sd), source: 'reference', chunk_mean, chunk_sd, chunks: 10, n_eff, floor, sigmas: 3 });

describe('minRowsForVerdict', () => {
  it('equals a scan of thresholdAt over every live count, for every metric', () => {
    const cases: [Threshold, number][] = [
      [calibrated(0.05, 0.01, 450), 5000],
      [calibrated(0.2, 0.05, 90), 1000],
      [calibrated(0.02, 0.004, 1800), 40_000],
      [calibrated(0.3, 0.1, 20, 0.1), 200],
      [{ value: 0.08, source: 'floor', floor: 0.08 }, 3000],
    ];
    for (const [threshold, nReference] of cases) {
      for (const metric of METRICS) expect(minRowsForVerdict(threshold, metric, nReference), `${metric} ${JSON.stringify(threshold)}`).toBe(bruteForce(threshold, metric, nReference, 200_000));
    }
  });

  it('is the first live count whose threshold is below the ceiling (property, any calibration)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.constantFrom(...METRICS),
        (mean, sd, nEff, nReference, metric) => {
          const t = calibrated(mean, sd, nEff);
          const n = minRowsForVerdict(t, metric, nReference);
          const below = (live: number) => thresholdAt(t, metric, nReference, live) < METRIC_CEILING[metric];
          if (n === null) {
            expect(below(Number.MAX_SAFE_INTEGER)).toBe(false);
          } else {
            expect(below(n)).toBe(true);
            if (n > 1) expect(below(n - 1)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is null when no window can reach the threshold, 1 when any can', () => {
    // Chunk values near 5 on a metric bounded by 1: even an infinite window leaves the threshold above 1.
    expect(minRowsForVerdict(calibrated(5, 1, 400), 'area', 500)).toBeNull();
    expect(minRowsForVerdict({ value: 1.2, source: 'floor', floor: 1.2 }, 'ks', 500)).toBeNull();
    expect(minRowsForVerdict({ value: 0.2, source: 'config' }, 'area', 500)).toBe(1);
    expect(minRowsForVerdict({ value: 1, source: 'config' }, 'linf', 500)).toBeNull();
    // A reference calibrated on 450-value comparisons: area 0.05 + 3·0.01 = 0.08 reaches 1 at n_eff ≈ 450·0.08² ≈ 2.9.
    expect(minRowsForVerdict(calibrated(0.05, 0.01, 450), 'area', 5000)).toBe(3);
    // PSI scales as 1/n: 0.08·450/n_eff < 8.28 from n_eff ≈ 4.35, i.e. 5 live values against 5,000.
    expect(minRowsForVerdict(calibrated(0.05, 0.01, 450), 'psi', 5000)).toBe(5);
  });
});
