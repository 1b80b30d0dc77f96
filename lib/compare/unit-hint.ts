import type { NumericDistribution } from '../stats';
import { quantileAtLevel } from '../stats';

/** Unit mix-ups worth naming: factor → what it usually means. */
const FACTORS: ReadonlyArray<[number, string]> = [
  [1000, 'seconds sent as milliseconds?'],
  [1 / 1000, 'milliseconds sent as seconds?'],
  [3600, 'hours sent as seconds?'],
  [1 / 3600, 'seconds sent as hours?'],
  [60, 'minutes sent as seconds?'],
  [1 / 60, 'seconds sent as minutes?'],
  [100, 'a fraction sent as a percentage?'],
  [1 / 100, 'a percentage sent as a fraction?'],
];
const LEVELS = [10, 25, 50, 75, 90];
/** Every quantile ratio must sit within this factor of the candidate (±15%). */
const TOLERANCE = 1.15;

/**
 * When the live quantiles are a near-constant multiple of the reference's (×1000, ×60, ×3600,
 * ×100 or the inverse), name the likely unit error, e.g. "values look ×1000 larger: seconds sent
 * as milliseconds?". Needs positive quantiles on both sides; returns undefined otherwise.
 */
export function unitHint(reference: NumericDistribution, live: NumericDistribution): string | undefined {
  if (reference.count === 0 || live.count === 0) return undefined;
  const ratios: number[] = [];
  for (const level of LEVELS) {
    const r = quantileAtLevel(reference, level, 100);
    const l = quantileAtLevel(live, level, 100);
    if (!(r > 0 && l > 0)) return undefined;
    ratios.push(l / r);
  }
  for (const [factor, meaning] of FACTORS) {
    if (ratios.every((ratio) => ratio / factor < TOLERANCE && factor / ratio < TOLERANCE)) {
      const shown = factor >= 1 ? `×${factor} larger` : `×${Math.round(1 / factor)} smaller`;
      return `values look ${shown}: ${meaning}`;
    }
  }
  return undefined;
}
