import type { TypeClass } from '../duckdb';
import type { FeatureKind } from '../format';

/**
 * SQL that turns one raw value into what the profile counts. A numeric feature gives a DOUBLE
 * (NULL for null or a wrong type; NaN and ±Inf pass through and are counted as non-finite by the
 * digest) and, where the source type allows wrong types, a BOOLEAN type-error flag. A categorical
 * feature gives a category that is never NULL: nulls and type errors become sentinel categories.
 */

/** Where one feature's values come from: a SQL expression over the scanned relation and its type. */
export interface FeatureInput {
  name: string;
  kind: FeatureKind;
  /** SQL expression of the raw value, e.g. `"car_value"` or `features['amount']`. */
  expr: string;
  /** `absent`: the source has no such column; every row is null. */
  typeClass: TypeClass | 'absent';
  /** DuckDB type name, for telling integer types from floating ones. */
  typeName?: string;
}

/** Category sentinels: a leading U+0001 never occurs in real category labels we have seen. */
export const NULL_CATEGORY = '\u0001null';
export const TYPE_ERROR_CATEGORY = '\u0001type_error';
const NULL_CAT = `(chr(1) || 'null')`;
const TYPE_ERROR_CAT = `(chr(1) || 'type_error')`;

/** Numbers as category labels: integral values without a fraction (`60`, whether sent as 60 or 60.0). */
function canonicalNumber(d: string): string {
  return (
    `CASE WHEN ${d} IS NULL OR isnan(${d}) THEN ${NULL_CAT} WHEN isinf(${d}) THEN ${TYPE_ERROR_CAT} ` +
    `WHEN ${d} = trunc(${d}) AND abs(${d}) < 1e15 THEN CAST(CAST(${d} AS BIGINT) AS VARCHAR) ELSE CAST(${d} AS VARCHAR) END`
  );
}

const INTEGER_TYPE = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/;

export interface NumericSql {
  /** DOUBLE: the number, or NULL (null, empty, or a wrong type). */
  value: string;
  /**
   * BOOLEAN, never NULL: the row holds something (not null, not empty), so a NULL value there is
   * a type error. Null when the source type cannot hold a wrong type.
   */
  present: string | null;
}

export function numericSql(f: FeatureInput): NumericSql {
  const x = f.expr;
  switch (f.typeClass) {
    case 'number':
      return { value: `CAST(${x} AS DOUBLE)`, present: null };
    case 'boolean':
      return { value: `CAST(CAST(${x} AS INTEGER) AS DOUBLE)`, present: null };
    case 'text':
      return { value: `TRY_CAST(${x} AS DOUBLE)`, present: `COALESCE(trim(${x}) <> '', false)` };
    case 'json':
      // One parse per value: JSON → DOUBLE takes numbers, booleans and numeric strings (NaN and
      // inf too); presence is a text comparison with the minified JSON, no second parse.
      return { value: `TRY_CAST(${x} AS DOUBLE)`, present: `COALESCE(CAST(${x} AS VARCHAR) NOT IN ('null', '""'), false)` };
    case 'temporal':
      return { value: `CAST(epoch(${x}) AS DOUBLE)`, present: null };
    case 'absent':
      return { value: 'CAST(NULL AS DOUBLE)', present: null };
    case 'nested':
    case 'other':
      return { value: 'CAST(NULL AS DOUBLE)', present: `(${x} IS NOT NULL)` };
  }
}

/** VARCHAR, never NULL: the category, NULL_CATEGORY or TYPE_ERROR_CATEGORY. */
export function categorySql(f: FeatureInput): string {
  const x = f.expr;
  switch (f.typeClass) {
    case 'number':
      return INTEGER_TYPE.test(f.typeName ?? '') ? `COALESCE(CAST(${x} AS VARCHAR), ${NULL_CAT})` : canonicalNumber(`CAST(${x} AS DOUBLE)`);
    case 'boolean':
      return `CASE WHEN ${x} IS NULL THEN ${NULL_CAT} WHEN ${x} THEN 'true' ELSE 'false' END`;
    case 'text':
      // U+FFFD marks bytes that were not UTF-8 (utf8-repair.ts): a failed value, never a category.
      return `CASE WHEN ${x} IS NULL OR ${x} = '' THEN ${NULL_CAT} WHEN contains(${x}, chr(65533)) THEN ${TYPE_ERROR_CAT} ELSE CAST(${x} AS VARCHAR) END`;
    case 'json': {
      // Minified JSON text tells the type by its first character: no json_type parse per value.
      const t = `CAST(${x} AS VARCHAR)`;
      return (
        `CASE WHEN ${t} IS NULL OR ${t} = 'null' OR ${t} = '""' THEN ${NULL_CAT} WHEN starts_with(${t}, '"') THEN ${x} ->> '$' ` +
        `WHEN ${t} = 'true' OR ${t} = 'false' THEN ${t} WHEN starts_with(${t}, '{') OR starts_with(${t}, '[') THEN ${TYPE_ERROR_CAT} ` +
        `ELSE ${canonicalNumber(`TRY_CAST(${x} AS DOUBLE)`)} END`
      );
    }
    case 'temporal':
    case 'other':
      return `COALESCE(CAST(${x} AS VARCHAR), ${NULL_CAT})`;
    case 'absent':
      return NULL_CAT;
    case 'nested':
      return `CASE WHEN ${x} IS NULL THEN ${NULL_CAT} ELSE ${TYPE_ERROR_CAT} END`;
  }
}
