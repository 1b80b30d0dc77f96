import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb';
import type { ColumnNotice } from '../compare';
import { categorySql, numericSql, type FeatureInput } from './feature-sql';

/** Distinct values per non-null row at or above which a category is an identifier or free text. */
export const UNIQUE_SHARE = 0.95;
/** Below this many non-null values, uniqueness says nothing (a 40-row reference is all distinct). */
export const MIN_VALUES_FOR_UNIQUE = 100;
/** Share of steps in one direction, in the reference's row order, of a monotone integer (ids, epoch times). */
export const MONOTONE_SHARE = 0.95;
/** Text averaging this many characters, or with spaces in most values, is free text rather than an identifier. */
const FREE_TEXT_LENGTH = 40;
/** Epoch seconds and milliseconds from 2000 to 2100: a monotone number in one of these ranges is a time. */
const EPOCH_RANGES: readonly [number, number][] = [
  [946_684_800, 4_102_444_800],
  [946_684_800_000, 4_102_444_800_000],
];

interface ColumnStats {
  values: number;
  distinct: number;
  /** Numeric: every value an integer; share of increasing / decreasing steps in row order; min, max. */
  integral?: boolean;
  up?: number;
  down?: number;
  min?: number;
  max?: number;
  /** Text: mean length, share of values with a space, share that parse as a timestamp. */
  length?: number;
  spaced?: number;
  timestamps?: number;
}

const pct = (x: number): string => `${(Math.floor(x * 1000) / 10).toString()}%`;
const num = (n: number): string => n.toLocaleString('en-US');

/** The kind of column a feature is, from its statistics; undefined for an ordinary feature. */
export function classifyColumn(input: Pick<FeatureInput, 'kind' | 'typeClass'>, s: ColumnStats): ColumnNotice | undefined {
  if (input.typeClass === 'temporal') return { kind: 'timestamp', reason: 'a date or time column: every window holds other times than the reference' };
  if (s.values === 0) return undefined;
  if (input.kind === 'categorical' && s.timestamps !== undefined && s.timestamps >= UNIQUE_SHARE * s.values && s.distinct > 1) {
    return { kind: 'timestamp', reason: `${pct(s.timestamps / s.values)} of its values are dates or times: every window holds other times than the reference` };
  }
  if (s.distinct === 1) return { kind: 'constant', reason: `one value in all ${num(s.values)} non-null rows of the reference: any change is a new value, seen by the failed-value and unseen-category checks` };
  const monotone = s.up !== undefined && s.down !== undefined && Math.max(s.up, s.down) >= MONOTONE_SHARE;
  if (input.kind === 'numeric' && monotone && s.min !== undefined && s.max !== undefined && EPOCH_RANGES.some(([lo, hi]) => s.min! >= lo && s.max! <= hi)) {
    return { kind: 'timestamp', reason: 'epoch times increasing with the rows: every window holds other times than the reference' };
  }
  if (s.values < MIN_VALUES_FOR_UNIQUE) return undefined;
  if (input.kind === 'numeric') {
    return s.integral && s.distinct === s.values && monotone ? { kind: 'identifier', reason: `integers, all ${num(s.values)} distinct and ${s.up! >= s.down! ? 'increasing' : 'decreasing'} with the rows: a row number or id` } : undefined;
  }
  const share = s.distinct / s.values;
  if (share < UNIQUE_SHARE) return undefined;
  const text = (s.length ?? 0) >= FREE_TEXT_LENGTH || (s.spaced ?? 0) >= 0.5;
  return { kind: text ? 'free_text' : 'identifier', reason: `${pct(share)} of its ${num(s.values)} non-null values are distinct${text ? ' (text)' : ''}: every window is mostly values the reference never saw` };
}

/**
 * One aggregate query over the reference rows in their calibration order (`numbered`, with a
 * row number `__rn`): per feature, non-null values, distinct values and what classifyColumn needs.
 */
export async function detectColumns(connection: DuckDBConnection, numbered: string, features: readonly FeatureInput[]): Promise<Map<string, ColumnNotice>> {
  if (features.length === 0) return new Map();
  const valueCols: string[] = ['__rn'];
  const stepCols: string[] = [];
  const aggregates: string[] = [];
  features.forEach((f, i) => {
    if (f.kind === 'numeric') {
      const v = numericSql(f).value;
      valueCols.push(`CASE WHEN isfinite(${v}) THEN ${v} END AS v${i}`);
      stepCols.push(`v${i} - lag(v${i}) OVER (ORDER BY __rn) AS d${i}`);
      aggregates.push(
        `CAST(count(v${i}) AS DOUBLE) AS n${i}`,
        `CAST(count(DISTINCT v${i}) AS DOUBLE) AS d${i}`,
        `bool_and(v${i} = trunc(v${i})) AS int${i}`,
        `min(v${i}) AS lo${i}`,
        `max(v${i}) AS hi${i}`,
        `avg(CASE WHEN d${i} > 0 THEN 1.0 WHEN d${i} IS NOT NULL THEN 0.0 END) AS up${i}`,
        `avg(CASE WHEN d${i} < 0 THEN 1.0 WHEN d${i} IS NOT NULL THEN 0.0 END) AS down${i}`,
      );
    } else {
      const c = categorySql(f);
      valueCols.push(`CASE WHEN NOT starts_with(${c}, chr(1)) THEN ${c} END AS c${i}`);
      aggregates.push(
        `CAST(count(c${i}) AS DOUBLE) AS n${i}`,
        `CAST(count(DISTINCT c${i}) AS DOUBLE) AS d${i}`,
        `avg(length(c${i})) AS len${i}`,
        `avg(CASE WHEN contains(trim(c${i}), ' ') THEN 1.0 WHEN c${i} IS NOT NULL THEN 0.0 END) AS sp${i}`,
        `CAST(count(CASE WHEN length(c${i}) >= 8 THEN TRY_CAST(c${i} AS TIMESTAMP) END) AS DOUBLE) AS ts${i}`,
      );
    }
  });
  // Steps in row order need the values first: values, then steps (lag), then the aggregates.
  const sql = `SELECT ${aggregates.join(', ')} FROM (SELECT *${stepCols.map((c) => `, ${c}`).join('')} FROM (SELECT ${valueCols.join(', ')} FROM ${numbered}))`;
  const [row] = await queryRows(connection, sql);
  const out = new Map<string, ColumnNotice>();
  const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  features.forEach((f, i) => {
    const stats: ColumnStats =
      f.kind === 'numeric'
        ? { values: n(row[`n${i}`]), distinct: n(row[`d${i}`]), integral: row[`int${i}`] === true, up: n(row[`up${i}`]), down: n(row[`down${i}`]), min: n(row[`lo${i}`]), max: n(row[`hi${i}`]) }
        : { values: n(row[`n${i}`]), distinct: n(row[`d${i}`]), length: n(row[`len${i}`]), spaced: n(row[`sp${i}`]), timestamps: n(row[`ts${i}`]) };
    const notice = classifyColumn(f, stats);
    if (notice) out.set(f.name, notice);
  });
  return out;
}
