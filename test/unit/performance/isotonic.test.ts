import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest } from '@/lib/digest';
import { calibrate, calibrateAll, calibrationCurve, expectedCalibrationError, fitIsotonic } from '@/lib/performance';
import { splitByLabel } from './exact-metrics';
import { beta, mulberry32 } from './generate';

/** Labelled data whose true P(y=1 | s) is `truth(s)`, scores Beta(a, b). */
function labelled(n: number, seed: number, truth: (s: number) => number, a = 2, b = 3) {
  const rng = mulberry32(seed);
  const draw = beta(rng, a, b);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = draw();
    labels[i] = rng() < truth(scores[i]) ? 1 : 0;
  }
  return { scores, labels };
}

/** Textbook PAV on (sorted, tie-pooled) data, O(n²): the yardstick for the fitted values. */
function referencePav(scores: number[], labels: number[]): Map<number, number> {
  const byScore = new Map<number, { w: number; s: number }>();
  scores.forEach((x, i) => {
    const g = byScore.get(x) ?? { w: 0, s: 0 };
    g.w++;
    g.s += labels[i];
    byScore.set(x, g);
  });
  const xs = [...byScore.keys()].sort((a, b) => a - b);
  let blocks = xs.map((x) => ({ members: [x], ...byScore.get(x)! }));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i + 1 < blocks.length; i++) {
      if (blocks[i].s / blocks[i].w > blocks[i + 1].s / blocks[i + 1].w) {
        const [a, b] = [blocks[i], blocks[i + 1]];
        blocks = [...blocks.slice(0, i), { members: [...a.members, ...b.members], w: a.w + b.w, s: a.s + b.s }, ...blocks.slice(i + 2)];
        changed = true;
        break;
      }
    }
  }
  const fit = new Map<number, number>();
  for (const b of blocks) for (const x of b.members) fit.set(x, b.s / b.w);
  return fit;
}

describe('fitIsotonic and calibrate', () => {
  it('pools adjacent violators: a small worked example', () => {
    const map = fitIsotonic(Float64Array.from([1, 2, 3, 4, 5]), Uint8Array.from([0, 1, 0, 1, 1]));
    expect(map).toEqual({ xs: [1, 2, 3, 4, 5], ps: [0, 0.5, 0.5, 1, 1] });
    expect(calibrate(map, 0)).toBe(0);
    expect(calibrate(map, 1.5)).toBe(0.25);
    expect(calibrate(map, 9)).toBe(1);
  });

  it('matches textbook PAV at every training score, with ties (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 1)), { minLength: 1, maxLength: 300 }),
        (rows) => {
          const s = rows.map(([x]) => x / 40);
          const y = rows.map(([, l]) => l);
          const map = fitIsotonic(Float64Array.from(s), Uint8Array.from(y));
          const expected = referencePav(s, y);
          for (const [x, p] of expected) expect(calibrate(map, x)).toBeCloseTo(p, 12);
          for (let i = 1; i < map.xs.length; i++) {
            expect(map.xs[i]).toBeGreaterThan(map.xs[i - 1]);
            expect(map.ps[i]).toBeGreaterThanOrEqual(map.ps[i - 1]);
          }
        },
      ),
      { numRuns: 200, seed: 5 },
    );
  });

  it('fits 1e6 rows in under a second into at most 1,000 monotone knots close to the truth', () => {
    const truth = (s: number) => s * s;
    const { scores, labels } = labelled(1_000_000, 11, truth);
    const started = performance.now();
    const map = fitIsotonic(scores, labels);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(1000);
    expect(map.xs.length).toBeLessThanOrEqual(1000);
    for (let i = 1; i < map.xs.length; i++) expect(map.ps[i]).toBeGreaterThanOrEqual(map.ps[i - 1]);
    let worst = 0;
    for (let s = 0.1; s <= 0.9; s += 0.01) worst = Math.max(worst, Math.abs(calibrate(map, s) - truth(s)));
    console.log(`isotonic 1e6 rows: ${elapsedMs.toFixed(0)} ms, ${map.xs.length} knots, max |c(s) − s²| on [0.1, 0.9] = ${worst.toFixed(4)}`);
    expect(worst).toBeLessThan(0.03);
  });

  it('rejects mismatched lengths, non-finite scores and labels outside [0, 1]', () => {
    expect(() => fitIsotonic(Float64Array.from([1, 2]), Uint8Array.from([1]))).toThrow(/2 scores but 1 labels/);
    expect(() => fitIsotonic(Float64Array.from([NaN]), Uint8Array.from([1]))).toThrow(/score 0 is NaN/);
    expect(() => fitIsotonic(Float64Array.from([1]), Float64Array.from([2]))).toThrow(/label 0 is 2/);
    expect(() => calibrate({ xs: [], ps: [] }, 0.5)).toThrow(/no knots/);
  });
});

describe('expectedCalibrationError', () => {
  it('is near 0 for a calibrated score, large for a miscalibrated one, and small again after calibration on held-out rows', () => {
    const calibrated = labelled(100_000, 21, (s) => s);
    const raw = labelled(100_000, 22, (s) => s * s);
    const heldOut = labelled(100_000, 23, (s) => s * s);
    const eceCalibrated = expectedCalibrationError(calibrated.scores, calibrated.labels);
    const eceRaw = expectedCalibrationError(raw.scores, raw.labels);
    const map = fitIsotonic(raw.scores, raw.labels);
    const eceMapped = expectedCalibrationError(calibrateAll(map, heldOut.scores), heldOut.labels);
    console.log(`ECE (10 bins, 1e5 rows): calibrated score ${eceCalibrated.toFixed(4)}, raw s vs P=s² ${eceRaw.toFixed(4)}, isotonic map on held-out ${eceMapped.toFixed(4)}`);
    expect(eceCalibrated).toBeLessThan(0.01);
    expect(eceRaw).toBeGreaterThan(0.15);
    expect(eceMapped).toBeLessThan(0.01);
    expect(() => expectedCalibrationError(Float64Array.from([1.5]), Uint8Array.from([1]))).toThrow(/calibrate raw scores first/);
  });
});

describe('calibrationCurve', () => {
  it('matches exact equal-width binning of the raw labelled scores', () => {
    const { scores, labels } = labelled(200_000, 31, (s) => s * s);
    const { pos, neg } = splitByLabel(scores, labels);
    const curve = calibrationCurve(buildDigest(pos).digest, buildDigest(neg).digest, 10);
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of scores) {
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
    const count = new Float64Array(10);
    const positives = new Float64Array(10);
    const sum = new Float64Array(10);
    scores.forEach((s, i) => {
      const b = Math.min(9, Math.floor(((s - lo) / (hi - lo)) * 10));
      count[b]++;
      positives[b] += labels[i];
      sum[b] += s;
    });
    expect(curve).toHaveLength(10);
    expect(curve[0].lower).toBe(lo);
    expect(curve[9].upper).toBe(hi);
    for (let b = 0; b < 10; b++) {
      expect(Math.abs(curve[b].count - count[b])).toBeLessThanOrEqual(0.002 * scores.length);
      expect(curve[b].positiveRate!).toBeCloseTo(positives[b] / count[b], 2);
      expect(curve[b].meanScore!).toBeCloseTo(sum[b] / count[b], 3);
    }
  });

  it('keeps atoms whole and reports empty bins as null', () => {
    const pos = buildDigest([1, 1, 1, 1, 0]).digest;
    const neg = buildDigest([0, 0, 0, 1]).digest;
    const curve = calibrationCurve(pos, neg, 4);
    expect(curve.map((b) => b.count)).toEqual([4, 0, 0, 5]);
    expect(curve[0].positiveRate).toBe(0.25);
    expect(curve[1].meanScore).toBeNull();
    expect(curve[3].positiveRate).toBe(0.8);
  });
});
