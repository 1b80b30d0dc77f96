import type { NumericDistribution } from '../stats';
import { proportionAtOrBelow, quantileAtLevel } from '../stats';

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
/** Quantile ratios must sit within this factor of the candidate. */
const TOLERANCE = 1.2;
/** The part of the window that moved must hold at least this share of its values. */
const MIN_SHARE = 0.03;

/**
 * When the live values — all of them, or the part beyond the reference's whole range (a switch
 * that happened inside the window) — are a near-constant multiple of the reference's quantiles
 * (×1000, ×60, ×3600, ×100 or the inverse), name the likely unit error: "values look ×1000
 * larger: seconds sent as milliseconds?" or "12% of values look ×1000 larger: …".
 */
export function unitHint(reference: NumericDistribution, live: NumericDistribution): string | undefined {
  if (reference.count === 0 || live.count === 0) return undefined;
  const refMin = quantileAtLevel(reference, 0, 1);
  const refMax = quantileAtLevel(reference, 1, 1);
  if (!(refMin > 0)) return undefined;
  for (const [factor, meaning] of FACTORS) {
    // The share of live values beyond the reference's range on the side the factor moves them to.
    const beyond = factor > 1 ? 1 - proportionAtOrBelow(live, refMax) : proportionAtOrBelow(live, refMin, true);
    const share = beyond > 0.97 ? 1 : beyond;
    if (share < MIN_SHARE) continue;
    const moved = share * live.count;
    const levels = moved >= 500 ? [10, 25, 50, 75, 90] : [25, 50, 75];
    const matches = levels.every((level) => {
      const p = level / 100;
      // Quantile p of the moved part: the top share of live values (or the bottom, for factors < 1).
      const liveLevel = factor > 1 ? 1 - share + share * p : share * p;
      const ratio = quantileAtLevel(live, Math.round(liveLevel * 1e6), 1e6) / quantileAtLevel(reference, level, 100);
      return ratio / factor < TOLERANCE && factor / ratio < TOLERANCE;
    });
    if (!matches) continue;
    const shown = factor >= 1 ? `×${factor} larger` : `×${Math.round(1 / factor)} smaller`;
    const who = share === 1 ? 'values' : `${Math.round(share * 100)}% of values`;
    return `${who} look ${shown}: ${meaning}`;
  }
  return undefined;
}
