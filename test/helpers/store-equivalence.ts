import { readSummaryParquetMany } from '@/lib/duckdb';
import { layout, type SummaryRow } from '@/lib/format';
import type { Storage } from '@/lib/storage';
import { summaryDigest } from '@/lib/summary';

/** Quantile levels checked: 0.01, 0.02, …, 0.99. */
export const QUANTILES = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

export interface SummaryEquivalence {
  /** One line per difference found (empty: the stores' summaries are equivalent). */
  differences: string[];
  /** What was compared: profile files, summary rows, numeric rows whose quantiles were checked. */
  files: number;
  rows: number;
  numericRows: number;
  /** The largest rank error of a quantile found (either direction), and where. */
  maxRankError: number;
  maxRankErrorAt: string;
}

const PROFILE_PREFIXES = (model: string) => [layout.hourlyProfilesPrefix(model), layout.sixHourProfilesPrefix(model), layout.dailyProfilesPrefix(model), layout.weeklyProfilesPrefix(model)];

const rowKey = (r: SummaryRow): string => `${r.feature} ${new Date(r.period_start).toISOString()}…${new Date(r.period_end).toISOString()}${r.chunk >= 0 ? ` chunk ${r.chunk}` : ''}`;

/**
 * How far the rank q is from the ranks `other` gives the value `digest` puts at q: the distance
 * from q to [P(X < x), P(X ≤ x)] under `other`, so a point mass spanning q counts as exact. x is
 * widened by 1e-9 relative: a centroid mean rounded differently (summation order) is the same value,
 * not a rank error of a whole point mass.
 */
export function rankError(digest: ReturnType<typeof summaryDigest>, other: ReturnType<typeof summaryDigest>, q: number): number {
  const x = digest.quantile(q);
  const slack = 1e-9 * Math.max(1, Math.abs(x));
  const lo = other.cdfBelow(x - slack);
  const hi = other.cdf(x + slack);
  return Math.max(0, lo - q, q - hi);
}

/**
 * The summaries of two stores compared (hourly packs, 6-hourly, daily and weekly rollups): the
 * same files and rows; row, null, non-finite, type-error and category counts identical; min and
 * max equal, sum within 1e-9 relative; every quantile at q = 0.01 … 0.99 of one digest within
 * `rankTolerance` in rank under the other, both ways.
 */
export async function compareStoreSummaries(a: Storage, b: Storage, model: string, rankTolerance = 1e-3): Promise<SummaryEquivalence> {
  const out: SummaryEquivalence = { differences: [], files: 0, rows: 0, numericRows: 0, maxRankError: 0, maxRankErrorAt: '' };
  const diff = (line: string) => {
    if (out.differences.length < 200) out.differences.push(line);
  };
  for (const prefix of PROFILE_PREFIXES(model)) {
    const keysA = (await a.list(prefix)).filter((k) => k.endsWith('.parquet')).sort();
    const keysB = (await b.list(prefix)).filter((k) => k.endsWith('.parquet')).sort();
    for (const k of keysA) if (!keysB.includes(k)) diff(`${k}: only in the first store`);
    for (const k of keysB) if (!keysA.includes(k)) diff(`${k}: only in the second store`);
    const keys = keysA.filter((k) => keysB.includes(k));
    const read = async (s: Storage) => readSummaryParquetMany(await Promise.all(keys.map(async (k) => (await s.read(k)) ?? new Uint8Array())));
    const [filesA, filesB] = [await read(a), await read(b)];
    for (const [i, key] of keys.entries()) {
      out.files++;
      const byKey = new Map(filesB[i].map((r) => [rowKey(r), r]));
      if (filesA[i].length !== filesB[i].length) diff(`${key}: ${filesA[i].length} rows vs ${filesB[i].length}`);
      for (const ra of filesA[i]) {
        const where = `${key} ${rowKey(ra)}`;
        const rb = byKey.get(rowKey(ra));
        if (!rb) {
          diff(`${where}: only in the first store`);
          continue;
        }
        out.rows++;
        compareRows(ra, rb, where, rankTolerance, diff, out);
      }
    }
  }
  return out;
}

function compareRows(ra: SummaryRow, rb: SummaryRow, where: string, rankTolerance: number, diff: (l: string) => void, out: SummaryEquivalence): void {
  for (const f of ['kind', 'rows', 'nulls', 'non_finite', 'type_errors', 'count', 'min', 'max', 'compression'] as const) {
    if (ra[f] !== rb[f]) diff(`${where}: ${f} ${String(ra[f])} vs ${String(rb[f])}`);
  }
  const countsA = new Map(ra.categories.map((c, j) => [c, ra.category_counts[j]]));
  const countsB = new Map(rb.categories.map((c, j) => [c, rb.category_counts[j]]));
  if (countsA.size !== countsB.size || [...countsA].some(([c, n]) => countsB.get(c) !== n)) {
    const shown = [...new Set([...countsA.keys(), ...countsB.keys()])].filter((c) => countsA.get(c) !== countsB.get(c)).slice(0, 5);
    diff(`${where}: category counts differ (${shown.map((c) => `${JSON.stringify(c)} ${countsA.get(c) ?? 0} vs ${countsB.get(c) ?? 0}`).join(', ')})`);
  }
  if (ra.kind !== 'numeric' || rb.kind !== 'numeric' || ra.count === 0 || rb.count === 0) return;
  if (ra.sum !== null && rb.sum !== null && Math.abs(ra.sum - rb.sum) > 1e-9 * Math.max(1, Math.abs(ra.sum))) diff(`${where}: sum ${ra.sum} vs ${rb.sum}`);
  out.numericRows++;
  const [da, db] = [summaryDigest(ra), summaryDigest(rb)];
  for (const q of QUANTILES) {
    const e = Math.max(rankError(da, db, q), rankError(db, da, q));
    if (e > out.maxRankError) {
      out.maxRankError = e;
      out.maxRankErrorAt = `${where} q=${q}`;
    }
    if (e > rankTolerance) {
      diff(`${where}: quantile ${q} differs by ${e.toExponential(2)} in rank (${da.quantile(q)} vs ${db.quantile(q)})`);
      return;
    }
  }
}

/**
 * Two JSON values compared: strings, booleans and nulls identical, numbers within `tolerance`
 * absolute (relative above 1, for metrics in the feature's units), arrays and objects key by key.
 */
export function jsonDifferences(a: unknown, b: unknown, path = '', tolerance = 1e-3, out: string[] = []): string[] {
  if (out.length >= 200) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(a === b || Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items vs ${b.length}`);
    else a.forEach((x, i) => jsonDifferences(x, b[i], `${path}[${i}]`, tolerance, out));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = a as Record<string, unknown>;
    const kb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) jsonDifferences(ka[k], kb[k], path ? `${path}.${k}` : k, tolerance, out);
  } else if (a !== b) {
    out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return out;
}
