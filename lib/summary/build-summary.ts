import { buildDigest, DEFAULT_COMPRESSION, mergeDigests, TDigest } from '../digest';
import { MAX_CATEGORIES, OTHER_CATEGORY, type SummaryRow } from '../format';

/** Which feature and period a summary describes. */
export interface SummaryKey {
  model: string;
  feature: string;
  period_start: number;
  period_end: number;
  chunk?: number;
}

/**
 * A numeric summary from the feature's values in one period. `values` holds every value that was
 * a number (NaN and ±Inf included: they are counted as non-finite); nulls and wrong types are
 * counted by the caller, which saw the raw data.
 */
export function numericSummary(key: SummaryKey, values: Float64Array | readonly number[], nulls: number, typeErrors: number, compression = DEFAULT_COMPRESSION): SummaryRow {
  const { digest, nan, posInf, negInf } = buildDigest(values, compression);
  return digestSummary(key, digest, nulls, nan + posInf + negInf, typeErrors);
}

/** A typed array as a plain array: Array.from goes through the iterator, ~10× slower than this loop. */
export function numberArray(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** Digests of summaries built or decoded in this process, so a row is not re-parsed per use. */
const digestOfRow = new WeakMap<SummaryRow, TDigest>();

export function digestSummary(key: SummaryKey, digest: TDigest, nulls: number, nonFinite: number, typeErrors: number): SummaryRow {
  const count = digest.count;
  const row: SummaryRow = {
    model: key.model,
    feature: key.feature,
    kind: 'numeric',
    period_start: key.period_start,
    period_end: key.period_end,
    chunk: key.chunk ?? -1,
    rows: count + nulls + nonFinite + typeErrors,
    nulls,
    non_finite: nonFinite,
    type_errors: typeErrors,
    count,
    min: count > 0 ? digest.min : null,
    max: count > 0 ? digest.max : null,
    sum: count > 0 ? digest.mean() * count : null,
    compression: digest.compression,
    means: numberArray(digest.means),
    weights: numberArray(digest.weights),
    categories: [],
    category_counts: [],
  };
  digestOfRow.set(row, digest);
  return row;
}

/** A categorical summary from category counts: the top MAX_CATEGORIES kept, the rest folded. */
export function categoricalSummary(key: SummaryKey, counts: ReadonlyMap<string, number>, nulls: number, typeErrors: number): SummaryRow {
  const { categories, category_counts, total } = foldCategories(counts);
  return {
    model: key.model,
    feature: key.feature,
    kind: 'categorical',
    period_start: key.period_start,
    period_end: key.period_end,
    chunk: key.chunk ?? -1,
    rows: total + nulls + typeErrors,
    nulls,
    non_finite: 0,
    type_errors: typeErrors,
    count: total,
    min: null,
    max: null,
    sum: null,
    compression: null,
    means: [],
    weights: [],
    categories,
    category_counts,
  };
}

/** Sort by count (then name, for determinism) and fold everything past the top into OTHER. */
function foldCategories(counts: ReadonlyMap<string, number>): { categories: string[]; category_counts: number[]; total: number } {
  const entries = [...counts.entries()].filter(([, n]) => n > 0);
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let other = 0;
  let total = 0;
  const categories: string[] = [];
  const category_counts: number[] = [];
  for (const [category, n] of entries) {
    total += n;
    if (category !== OTHER_CATEGORY && categories.length < MAX_CATEGORIES) {
      categories.push(category);
      category_counts.push(n);
    } else other += n;
  }
  if (other > 0) {
    categories.push(OTHER_CATEGORY);
    category_counts.push(other);
  }
  return { categories, category_counts, total };
}

/** Record a decoded summary's digest (from its centroids, already checked) so it is not rebuilt. */
export function attachDigest(row: SummaryRow, means: Float64Array, weights: Float64Array): void {
  if (row.kind !== 'numeric' || row.count === 0) return;
  digestOfRow.set(row, new TDigest(means, weights, row.min ?? NaN, row.max ?? NaN, row.compression ?? DEFAULT_COMPRESSION));
}

/** The digest of a numeric summary. */
export function summaryDigest(row: SummaryRow): TDigest {
  const known = digestOfRow.get(row);
  if (known) return known;
  const digest =
    row.kind !== 'numeric' || row.count === 0
      ? TDigest.empty(row.compression ?? DEFAULT_COMPRESSION)
      : new TDigest(Float64Array.from(row.means), Float64Array.from(row.weights), row.min ?? NaN, row.max ?? NaN, row.compression ?? DEFAULT_COMPRESSION);
  digestOfRow.set(row, digest);
  return digest;
}

/** Category → count of a categorical summary. */
export function summaryCategories(row: SummaryRow): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < row.categories.length; i++) out.set(row.categories[i], row.category_counts[i]);
  return out;
}

/**
 * Merge summaries of one feature (hours into a day, hours and days into a window): counts add,
 * digests merge, category counts add and are re-folded. Rows of another kind are rejected: a
 * feature whose kind changed needs a new reference, not a silent mix.
 */
export function mergeSummaries(key: SummaryKey, rows: readonly SummaryRow[]): SummaryRow {
  if (rows.length === 0) throw new RangeError(`mergeSummaries: no summaries for feature "${key.feature}"`);
  const kind = rows[0].kind;
  for (const r of rows) {
    if (r.kind !== kind) throw new RangeError(`mergeSummaries: feature "${key.feature}" is ${kind} in one summary and ${r.kind} in another`);
  }
  let nulls = 0;
  let nonFinite = 0;
  let typeErrors = 0;
  for (const r of rows) {
    nulls += r.nulls;
    nonFinite += r.non_finite;
    typeErrors += r.type_errors;
  }
  if (kind === 'numeric') {
    const digest = mergeDigests(rows.map(summaryDigest), rows[0].compression ?? DEFAULT_COMPRESSION);
    return digestSummary(key, digest, nulls, nonFinite, typeErrors);
  }
  const counts = new Map<string, number>();
  for (const r of rows) {
    for (let i = 0; i < r.categories.length; i++) counts.set(r.categories[i], (counts.get(r.categories[i]) ?? 0) + r.category_counts[i]);
  }
  return categoricalSummary(key, counts, nulls, typeErrors);
}
