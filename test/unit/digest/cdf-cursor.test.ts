import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest, CdfCursor, cdfAt, mergeSorted } from '@/lib/digest';

describe('CdfCursor', () => {
  it('returns exactly what cdfAt returns for non-decreasing queries, point masses and outside values included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 400 }),
        fc.array(fc.double({ min: -12, max: 12, noNaN: true }), { maxLength: 200 }),
        (values, queries) => {
          const { xs, fs } = buildDigest(Float64Array.from(values), 20).digest.knots();
          // Queries at the knots themselves too: that is where KS and Wasserstein evaluate.
          const sorted = mergeSorted(Float64Array.from(queries).sort(), xs);
          const strict = new CdfCursor(xs, fs);
          const loose = new CdfCursor(xs, fs);
          for (const x of sorted) {
            expect(strict.value(x, true)).toBe(cdfAt(xs, fs, x, true));
            expect(loose.value(x, false)).toBe(cdfAt(xs, fs, x, false));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merges sorted arrays into their sorted union', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true })), fc.array(fc.double({ noNaN: true })), (a, b) => {
        const merged = mergeSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort());
        expect(Array.from(merged)).toEqual(Array.from(Float64Array.from([...a, ...b]).sort()));
      }),
    );
  });
});
