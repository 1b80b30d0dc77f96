/** Exact empirical quantities on raw samples, the yardstick for digest accuracy. */

/** max over all x of |F_approx(x) − F_exact(x)|, checking both sides of every data point and gaps. */
export function maxCdfError(
  sorted: Float64Array,
  cdf: (x: number) => number,
  cdfBelow: (x: number) => number,
): number {
  const n = sorted.length;
  let worst = 0;
  let i = 0;
  while (i < n) {
    const x = sorted[i];
    let j = i + 1;
    while (j < n && sorted[j] === x) j++;
    worst = Math.max(worst, Math.abs(cdf(x) - j / n), Math.abs(cdfBelow(x) - i / n));
    if (j < n) {
      const mid = x + (sorted[j] - x) / 2;
      if (mid > x && mid < sorted[j]) worst = Math.max(worst, Math.abs(cdf(mid) - j / n));
    }
    i = j;
  }
  return worst;
}

export function sortedCopy(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}
