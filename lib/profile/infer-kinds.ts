import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, type TypeClass } from '../duckdb';
import type { FeatureKind } from '../format';

/**
 * Feature kinds from data: numbers are numeric; strings, booleans and everything else categorical.
 * Text from untyped sources (CSV cells, JSON strings) is judged by its content: a column whose
 * non-empty values are at least 95% numbers (or `NaN`/`Infinity`) is numeric, its other values
 * being type errors. Parquet's VARCHAR is taken at its word. --numeric/--categorical override.
 */
export const NUMERIC_SHARE = 0.95;

/** Counts of one feature's non-null values by what they look like. */
export interface ValueCounts {
  /** Non-null, non-empty values. */
  values: number;
  /** Of those: numbers, and strings that parse as numbers. */
  numeric: number;
}

export function kindFromCounts(counts: ValueCounts): FeatureKind {
  if (counts.values === 0) return 'numeric';
  return counts.numeric >= NUMERIC_SHARE * counts.values ? 'numeric' : 'categorical';
}

export function kindFromType(typeClass: TypeClass): FeatureKind | 'judge' {
  if (typeClass === 'number') return 'numeric';
  if (typeClass === 'text' || typeClass === 'json') return 'judge';
  return 'categorical';
}

/** Numbers as DuckDB's TRY_CAST(… AS DOUBLE) accepts them, including nan and inf spellings. */
const NUMERIC_TEXT = /^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|nan|inf|infinity)\s*$/i;

/** Running counts for values seen in JS (NDJSON events at ingest). */
export class ValueCounter {
  readonly counts = new Map<string, ValueCounts>();

  add(name: string, value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    let c = this.counts.get(name);
    if (!c) this.counts.set(name, (c = { values: 0, numeric: 0 }));
    c.values++;
    if (typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value))) c.numeric++;
  }

  /** Also registers a name seen only with null values. */
  touch(name: string): void {
    if (!this.counts.has(name)) this.counts.set(name, { values: 0, numeric: 0 });
  }

  kinds(): Map<string, FeatureKind> {
    const out = new Map<string, FeatureKind>();
    for (const [name, c] of this.counts) out.set(name, kindFromCounts(c));
    return out;
  }
}

export interface KindCandidate {
  name: string;
  expr: string;
  typeClass: TypeClass;
}

/**
 * Kinds of candidate features of a relation; text and JSON candidates are judged by one
 * aggregate query over the relation (untyped sources only: `judgeText`).
 */
export async function inferKinds(connection: DuckDBConnection, relation: string, candidates: readonly KindCandidate[], judgeText: boolean): Promise<Map<string, FeatureKind>> {
  const out = new Map<string, FeatureKind>();
  const judged: KindCandidate[] = [];
  for (const c of candidates) {
    const k = kindFromType(c.typeClass);
    if (k !== 'judge') out.set(c.name, k);
    else if (c.typeClass === 'text' && !judgeText) out.set(c.name, 'categorical');
    else judged.push(c);
  }
  if (judged.length === 0) return out;
  const aggregates = judged.flatMap((c, i) => {
    const s = c.typeClass === 'json' ? `CASE WHEN json_type(${c.expr}) IN ('VARCHAR') THEN ${c.expr} ->> '$' WHEN json_type(${c.expr}) IN ('OBJECT', 'ARRAY', 'BOOLEAN') THEN '' || chr(1) WHEN json_type(${c.expr}) = 'NULL' THEN NULL ELSE CAST(${c.expr} AS VARCHAR) END` : c.expr;
    return [`CAST(count(NULLIF(trim(${s}), '')) AS DOUBLE) AS v${i}`, `CAST(count(TRY_CAST(NULLIF(trim(${s}), '') AS DOUBLE)) AS DOUBLE) AS n${i}`];
  });
  const [row] = await queryRows(connection, `SELECT ${aggregates.join(', ')} FROM ${relation}`);
  judged.forEach((c, i) => out.set(c.name, kindFromCounts({ values: Number(row[`v${i}`]), numeric: Number(row[`n${i}`]) })));
  return out;
}
