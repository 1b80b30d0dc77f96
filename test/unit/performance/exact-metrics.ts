/** Exact metrics on raw scores and labels: the yardstick for the digest-based ones. */

/** Mann–Whitney AUC by one sort; tied scores count half. */
export function exactRocAuc(pos: Float64Array, neg: Float64Array): number {
  const p = Float64Array.from(pos).sort();
  const n = Float64Array.from(neg).sort();
  let concordant = 0;
  let below = 0;
  let j = 0;
  let i = 0;
  while (i < p.length) {
    const x = p[i];
    let k = i;
    while (k < p.length && p[k] === x) k++;
    while (j < n.length && n[j] < x) j++;
    below = j;
    let equal = 0;
    while (j + equal < n.length && n[j + equal] === x) equal++;
    concordant += (k - i) * (below + equal / 2);
    i = k;
  }
  return concordant / (p.length * n.length);
}

/** scikit-learn's average_precision_score: Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds, descending. */
export function exactAveragePrecision(pos: Float64Array, neg: Float64Array): number {
  const p = Float64Array.from(pos).sort();
  const n = Float64Array.from(neg).sort();
  let i = p.length;
  let j = n.length;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  while (i > 0) {
    const x = Math.max(p[i - 1], j > 0 ? n[j - 1] : -Infinity);
    let dtp = 0;
    while (i > 0 && p[i - 1] === x) {
      i--;
      dtp++;
    }
    while (j > 0 && n[j - 1] === x) {
      j--;
      fp++;
    }
    tp += dtp;
    if (dtp > 0) ap += (dtp / p.length) * (tp / (tp + fp));
  }
  return ap;
}

/** Split scores by 0/1 label. */
export function splitByLabel(scores: Float64Array, labels: Uint8Array): { pos: Float64Array; neg: Float64Array } {
  let k = 0;
  for (const y of labels) k += y;
  const pos = new Float64Array(k);
  const neg = new Float64Array(labels.length - k);
  let a = 0;
  let b = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 1) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  }
  return { pos, neg };
}
