import { proportionAtOrBelow, quantileAtLevel, type NumericDistribution } from './numeric-distribution';

export interface BinnedPair {
  /** Interior edges e1 < … < em; bins are (−∞, e1], (e1, e2], …, (em, +∞). */
  edges: number[];
  reference: number[];
  live: number[];
}

/** Bins per distribution for the shared bins of area, JS and Hellinger (5% quantile steps). */
export const SHARED_BIN_LEVELS = 20;
/** Bins of PSI: the reference's deciles. */
export const PSI_BIN_LEVELS = 10;

/**
 * Interior edges at the quantiles k/levels (k = 1 … levels−1) of each distribution, merged; with
 * `withRange`, also each one's min and max, so that disjoint distributions share no bin.
 */
export function quantileEdges(distributions: readonly NumericDistribution[], levels: number, withRange = false): number[] {
  const edges: number[] = [];
  for (const d of distributions) {
    for (let k = 1; k < levels; k++) edges.push(quantileAtLevel(d, k, levels));
    if (withRange) edges.push(quantileAtLevel(d, 0, 1), quantileAtLevel(d, 1, 1));
  }
  edges.sort((a, b) => a - b);
  return edges.filter((e, i) => i === 0 || e !== edges[i - 1]);
}

/** Proportion of the distribution in each bin of the edges (right-closed, open tails). */
export function binProportions(d: NumericDistribution, edges: readonly number[]): number[] {
  const out = new Array<number>(edges.length + 1);
  let previous = 0;
  for (let i = 0; i < edges.length; i++) {
    const f = proportionAtOrBelow(d, edges[i]);
    out[i] = Math.max(0, f - previous);
    previous = f;
  }
  out[edges.length] = Math.max(0, 1 - previous);
  return out;
}

/** Shared bins from both distributions' quantiles: outliers cannot squash the rest into one bin. */
export function sharedBins(reference: NumericDistribution, live: NumericDistribution, levels = SHARED_BIN_LEVELS): BinnedPair {
  const edges = quantileEdges([reference, live], levels, true);
  return { edges, reference: binProportions(reference, edges), live: binProportions(live, edges) };
}

/** Bins at the reference's deciles, the conventional PSI binning. */
export function referenceDecileBins(reference: NumericDistribution, live: NumericDistribution, levels = PSI_BIN_LEVELS): BinnedPair {
  const edges = quantileEdges([reference], levels);
  return { edges, reference: binProportions(reference, edges), live: binProportions(live, edges) };
}
