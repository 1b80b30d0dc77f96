import { HOUR_MS, type SummaryRow } from '../format';
import type { WindowPart } from '../compare';
import { summaryCategories, summaryDigest } from '../summary';

/** Rows per hour of a window: what data the verdicts stand on. */
export interface Coverage {
  /** Every hour of the window, oldest first; `rows` is 0 for an hour without data. */
  hours: { at: string; rows: number }[];
  rows: number;
  empty_hours: number;
  /**
   * True when some hours were read from a rollup (6 h, day, week) whose per-hour counts are not
   * stored: such an hour shows the rollup's average over its hours with data.
   */
  approximate: boolean;
}

/**
 * Coverage from the files a window merged and the hours that have a profile: empty hours are
 * exact (from the listing); rows of an hour inside a rollup are its average over its data hours.
 */
export function windowCoverage(parts: readonly WindowPart[], dataHours: ReadonlySet<number>, fromMs: number, toMs: number): Coverage {
  const rowsAt = new Map<number, number>();
  let approximate = false;
  for (const part of parts) {
    const hours: number[] = [];
    for (let t = part.startMs; t < part.endMs; t += HOUR_MS) if (dataHours.has(t)) hours.push(t);
    if (part.endMs - part.startMs > HOUR_MS) approximate = true;
    const share = hours.length > 0 ? part.rows / hours.length : 0;
    for (const t of hours) rowsAt.set(t, share);
  }
  const hours: Coverage['hours'] = [];
  let rows = 0;
  let empty = 0;
  for (let t = fromMs; t < toMs; t += HOUR_MS) {
    const n = rowsAt.get(t) ?? 0;
    if (n === 0) empty++;
    rows += n;
    hours.push({ at: new Date(t).toISOString(), rows: Math.round(n * 10) / 10 });
  }
  return { hours, rows: Math.round(rows), empty_hours: empty, approximate };
}

/** Data quality of one feature over a period. */
export interface QualityStats {
  rows: number;
  nulls: number;
  non_finite: number;
  type_errors: number;
  failed_rate: number | null;
  /** Numeric: share of valid values below the reference's minimum or above its maximum. */
  outside_range_share: number | null;
  /** Categorical: categories the reference never had, with their counts, most frequent first. */
  new_categories: { name: string; count: number }[];
}

/** Count of valid values outside [reference min, reference max] (numeric), or null. */
function outsideRange(live: SummaryRow, reference: SummaryRow | undefined): number | null {
  if (live.kind !== 'numeric' || !reference || reference.count === 0 || reference.min === null || reference.max === null) return null;
  if (live.count === 0) return 0;
  const digest = summaryDigest(live);
  const share = digest.cdfBelow(reference.min) + (1 - digest.cdf(reference.max));
  return Math.min(live.count, Math.max(0, share * live.count));
}

export function qualityStats(live: SummaryRow, reference?: SummaryRow): QualityStats {
  const outside = outsideRange(live, reference);
  const known = reference && reference.kind === 'categorical' ? summaryCategories(reference) : undefined;
  const fresh: { name: string; count: number }[] = [];
  if (live.kind === 'categorical' && known) {
    for (const [name, count] of summaryCategories(live)) if (!known.has(name) && count > 0) fresh.push({ name, count });
    fresh.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  }
  return {
    rows: live.rows,
    nulls: live.nulls,
    non_finite: live.non_finite,
    type_errors: live.type_errors,
    failed_rate: live.rows > 0 ? (live.nulls + live.non_finite + live.type_errors) / live.rows : null,
    outside_range_share: outside === null ? null : live.count > 0 ? outside / live.count : 0,
    new_categories: fresh,
  };
}

/** One point of the data-quality trend: the failures of one stored summary (an hour or a rollup). */
export interface QualityPoint {
  at: string;
  to: string;
  rows: number;
  nulls: number;
  non_finite: number;
  type_errors: number;
  /** Valid values outside the reference's range (a count), numeric features only. */
  outside_range: number | null;
}

export function qualitySeries(parts: readonly SummaryRow[], reference?: SummaryRow): QualityPoint[] {
  return [...parts]
    .sort((a, b) => a.period_start - b.period_start)
    .map((row) => {
      const outside = outsideRange(row, reference);
      return {
        at: new Date(row.period_start).toISOString(),
        to: new Date(row.period_end).toISOString(),
        rows: row.rows,
        nulls: row.nulls,
        non_finite: row.non_finite,
        type_errors: row.type_errors,
        outside_range: outside === null ? null : Math.round(outside),
      };
    });
}
