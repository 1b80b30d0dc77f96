/**
 * Shared histogram bins made readable: bins narrower than a minimum share of the plotted range are
 * merged with a neighbour, so a density (proportion ÷ width) has no false spikes from near-zero-width
 * bins. Pure (no imports): the feature page's chart calls it in the browser, per log-x state.
 */

export interface HistogramBins {
  /** Bin edges e0 ≤ e1 ≤ … ≤ em. */
  edges: number[];
  /** Per source, the proportion in each bin. */
  proportions: number[][];
}

/** Merged bins are at least this share of the plotted range (in log₁₀ space on a log axis). */
export const MIN_BIN_SHARE = 0.005;

/**
 * Merges every bin narrower than `minShare` of the range (measured in log₁₀ x when `log`) into its
 * narrower neighbour until none is left (or one bin remains). Proportions of merged bins are summed,
 * so every source's total and every proportion over merged edges are exactly those of the input.
 */
export function mergeNarrowBins(histogram: HistogramBins, options: { log?: boolean; minShare?: number } = {}): HistogramBins {
  const { edges } = histogram;
  if (edges.length < 3) return { edges: [...edges], proportions: histogram.proportions.map((p) => [...p]) };
  const f = options.log ? (x: number) => Math.log10(x) : (x: number) => x;
  const minWidth = (options.minShare ?? MIN_BIN_SHARE) * (f(edges[edges.length - 1]) - f(edges[0]));
  const e = [...edges];
  const p = histogram.proportions.map((row) => [...row]);
  const width = (i: number) => f(e[i + 1]) - f(e[i]);
  for (;;) {
    const bins = e.length - 1;
    if (bins < 2) break;
    let narrowest = -1;
    for (let i = 0; i < bins; i++) if (width(i) < minWidth && (narrowest < 0 || width(i) < width(narrowest))) narrowest = i;
    if (narrowest < 0) break;
    // Merge with the narrower neighbour: the merged bin stays as close to the original resolution as it can.
    const left = narrowest > 0 ? width(narrowest - 1) : Infinity;
    const right = narrowest < bins - 1 ? width(narrowest + 1) : Infinity;
    const into = left <= right ? narrowest - 1 : narrowest;
    e.splice(into + 1, 1);
    for (const row of p) row.splice(into, 2, row[into] + row[into + 1]);
  }
  return { edges: e, proportions: p };
}

/** Density of each bin, proportion ÷ width (in log₁₀ x when `log`); 0 for an empty-width bin. */
export function binDensities(histogram: HistogramBins, log = false): number[][] {
  const f = log ? (x: number) => Math.log10(x) : (x: number) => x;
  const { edges } = histogram;
  // Every source constant at one value: no width to divide by; the bars show each share instead.
  if (edges.length > 1 && edges[edges.length - 1] === edges[0]) return histogram.proportions.map((row) => [...row]);
  return histogram.proportions.map((row) =>
    row.map((q, i) => {
      const w = f(histogram.edges[i + 1]) - f(histogram.edges[i]);
      return w > 0 ? q / w : 0;
    }),
  );
}
