import { failedCount, OTHER_CATEGORY, type SummaryRow } from '../format';
import { binProportions, quantileEdges, quantileAtLevel } from '../stats';
import { summaryCategories, summaryDigest } from '../summary';

/** Points per CDF series: enough for a smooth curve on any screen, small enough to send. */
export const CDF_POINTS = 201;
/** Quantile levels per source for the shared histogram bins (each source adds its 5% steps). */
export const HISTOGRAM_LEVELS = 20;
/** Categories shown per categorical feature; the rest are summed into "other". */
export const TOP_CATEGORIES = 30;

/** Summary statistics of one source (live window or a reference) for the feature view's table. */
export interface SourceStats {
  rows: number;
  /** Valid values. */
  count: number;
  failed: number;
  failed_rate: number | null;
  nulls: number;
  non_finite: number;
  type_errors: number;
  min: number | null;
  p1: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function sourceStats(row: SummaryRow): SourceStats {
  const failed = failedCount(row);
  const numeric = row.kind === 'numeric' && row.count > 0;
  const d = numeric ? summaryDigest(row) : undefined;
  const q = (k: number): number | null => (d ? quantileAtLevel(d, k, 100) : null);
  return {
    rows: row.rows,
    count: row.count,
    failed,
    failed_rate: row.rows > 0 ? failed / row.rows : null,
    nulls: row.nulls,
    non_finite: row.non_finite,
    type_errors: row.type_errors,
    min: numeric ? row.min : null,
    p1: q(1),
    p5: q(5),
    p50: q(50),
    p95: q(95),
    p99: q(99),
    max: numeric ? row.max : null,
  };
}

/**
 * The CDF of a numeric summary as [x, P(X ≤ x)] points at evenly spaced probability levels:
 * the digest's quantile function sampled at i/(n−1), so the curve keeps its shape where the mass
 * is and never exceeds `points` points whatever the data.
 */
export function cdfPoints(row: SummaryRow, points = CDF_POINTS): [number, number][] {
  if (row.kind !== 'numeric' || row.count === 0) return [];
  const d = summaryDigest(row);
  const out: [number, number][] = [];
  for (let i = 0; i < points; i++) {
    const x = quantileAtLevel(d, i, points - 1);
    const p = i / (points - 1);
    // Equal x (a point mass): keep the bottom and the top of the jump, so it draws as one vertical.
    const n = out.length;
    if (n >= 2 && out[n - 1][0] === x && out[n - 2][0] === x) out[n - 1][1] = p;
    else out.push([x, p]);
  }
  return out;
}

export interface SharedHistogram {
  /** Bin edges e0 < e1 < … < em: bin i is (e_i, e_{i+1}] (the first also holds e0). */
  edges: number[];
  /** Per source, the proportion of its valid values in each bin (same order as `edges` bins). */
  proportions: number[][];
}

/**
 * Histograms of several numeric summaries on one set of bins: the union of each source's 5%
 * quantiles and of their ranges, so a heavy tail or a shifted source still gets bins of its own.
 * Heights are proportions; the chart divides by width (or log-width) for a density.
 */
export function sharedHistogram(rows: readonly SummaryRow[], levels = HISTOGRAM_LEVELS): SharedHistogram {
  const digests = rows.filter((r) => r.kind === 'numeric' && r.count > 0).map(summaryDigest);
  if (digests.length === 0) return { edges: [], proportions: rows.map(() => []) };
  const edges = quantileEdges(digests, levels, true);
  if (edges.length === 1) return { edges: [edges[0], edges[0]], proportions: rows.map((r) => (r.count > 0 ? [1] : [0])) };
  const interior = edges.slice(1, -1);
  const proportions = rows.map((r) => {
    if (r.kind !== 'numeric' || r.count === 0) return new Array<number>(edges.length - 1).fill(0);
    // binProportions has open tails; values outside [e0, em] cannot exist (e0, em are the minima and maxima).
    return binProportions(summaryDigest(r), interior);
  });
  return { edges, proportions };
}

export interface CategoryBars {
  categories: string[];
  /** Per source, the proportion of its valid values in each category (the last is "other" when present). */
  proportions: number[][];
}

/** The most frequent categories over all sources (by their largest proportion), the rest summed as "other". */
export function categoryBars(rows: readonly SummaryRow[], top = TOP_CATEGORIES): CategoryBars {
  const maps = rows.map((r) => summaryCategories(r));
  const totals = rows.map((r) => r.count);
  const weight = new Map<string, number>();
  maps.forEach((m, i) => {
    for (const [c, n] of m) if (totals[i] > 0) weight.set(c, Math.max(weight.get(c) ?? 0, n / totals[i]));
  });
  const ranked = [...weight.entries()].filter(([c]) => c !== OTHER_CATEGORY).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = ranked.slice(0, top).map(([c]) => c);
  const hasOther = ranked.length > top || weight.has(OTHER_CATEGORY);
  const proportions = maps.map((m, i) => {
    const total = totals[i];
    const shares = shown.map((c) => (total > 0 ? (m.get(c) ?? 0) / total : 0));
    if (hasOther) shares.push(total > 0 ? Math.max(0, 1 - shares.reduce((a, b) => a + b, 0)) : 0);
    return shares;
  });
  return { categories: hasOther ? [...shown, 'other'] : shown, proportions };
}

export { binDensities, mergeNarrowBins, MIN_BIN_SHARE } from './histogram-bins';
