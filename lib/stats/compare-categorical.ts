import { jensenShannonDistance, lInfinityDistance, populationStabilityIndex } from './binned-distances';
import { chiSquareSf } from './special-functions';

/** Category → count. The profile keeps the top categories and folds the rest into one. */
export type CategoryCounts = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

export interface CategoryRow {
  category: string;
  reference: number;
  live: number;
  /** Present in live, absent from the reference: a new value reaching the model. */
  unseen: boolean;
}

export interface CategoricalMetrics {
  chi2: number;
  chi2_pvalue: number;
  chi2_dof: number;
  js: number;
  psi: number;
  linf: number;
  /** Categories of the live window that the reference never had. */
  unseen_categories: string[];
  /** Share of live rows whose category the reference never had. */
  unseen_rate: number;
  rows: CategoryRow[];
}

function entries(counts: CategoryCounts): Array<[string, number]> {
  const list = counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
  for (const [category, n] of list) {
    if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`category counts: "${category}" has count ${n}; counts must be finite and ≥ 0`);
  }
  return list;
}

/**
 * Categorical drift over the union of categories: those unseen in the reference are counted,
 * not dropped. Chi-square is the test of homogeneity on the 2×K table (no continuity correction).
 */
export function compareCategorical(reference: CategoryCounts, live: CategoryCounts): CategoricalMetrics {
  const ref = new Map(entries(reference));
  const cur = new Map(entries(live));
  const categories = [...new Set([...ref.keys(), ...cur.keys()])]
    .filter((c) => (ref.get(c) ?? 0) + (cur.get(c) ?? 0) > 0)
    .sort();
  const r = categories.map((c) => ref.get(c) ?? 0);
  const l = categories.map((c) => cur.get(c) ?? 0);
  const nRef = r.reduce((a, b) => a + b, 0);
  const nLive = l.reduce((a, b) => a + b, 0);
  if (nRef === 0 || nLive === 0) {
    return { chi2: NaN, chi2_pvalue: NaN, chi2_dof: 0, js: NaN, psi: NaN, linf: NaN, unseen_categories: [], unseen_rate: NaN, rows: [] };
  }
  const p = r.map((x) => x / nRef);
  const q = l.map((x) => x / nLive);

  let chi2 = 0;
  const total = nRef + nLive;
  for (let i = 0; i < categories.length; i++) {
    const column = r[i] + l[i];
    const expectedRef = (column * nRef) / total;
    const expectedLive = (column * nLive) / total;
    chi2 += (r[i] - expectedRef) ** 2 / expectedRef + (l[i] - expectedLive) ** 2 / expectedLive;
  }
  const dof = categories.length - 1;
  const rows = categories.map((category, i) => ({ category, reference: p[i], live: q[i], unseen: r[i] === 0 }));
  const unseen = rows.filter((row) => row.unseen);
  return {
    chi2: dof > 0 ? chi2 : 0,
    chi2_pvalue: dof > 0 ? chiSquareSf(chi2, dof) : 1,
    chi2_dof: dof,
    js: jensenShannonDistance(p, q),
    psi: populationStabilityIndex(p, q),
    linf: lInfinityDistance(p, q),
    unseen_categories: unseen.map((row) => row.category),
    unseen_rate: unseen.reduce((a, row) => a + row.live, 0),
    rows,
  };
}
