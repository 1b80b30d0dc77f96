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
  value: string;
  /** BOOLEAN, never NULL; null when the source type cannot hold a wrong type. */
  typeError: string | null;
}

export function numericSql(f: FeatureInput): NumericSql {
  const x = f.expr;
  switch (f.typeClass) {
    case 'number':
      return { value: `CAST(${x} AS DOUBLE)`, typeError: null };
    case 'boolean':
      return { value: `CAST(CAST(${x} AS INTEGER) AS DOUBLE)`, typeError: null };
    case 'text':
      return {
        value: `TRY_CAST(NULLIF(trim(${x}), '') AS DOUBLE)`,
        typeError: `COALESCE(trim(${x}) <> '' AND TRY_CAST(trim(${x}) AS DOUBLE) IS NULL, false)`,
      };
    case 'json':
      return {
        value:
          `CASE json_type(${x}) WHEN 'VARCHAR' THEN TRY_CAST(NULLIF(trim(${x} ->> '$'), '') AS DOUBLE) ` +
          `WHEN 'BOOLEAN' THEN CASE WHEN CAST(${x} AS BOOLEAN) THEN 1.0 ELSE 0.0 END ` +
          `WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE TRY_CAST(${x} AS DOUBLE) END`,
        typeError:
          `COALESCE(CASE json_type(${x}) WHEN 'OBJECT' THEN true WHEN 'ARRAY' THEN true ` +
          `WHEN 'VARCHAR' THEN trim(${x} ->> '$') <> '' AND TRY_CAST(trim(${x} ->> '$') AS DOUBLE) IS NULL ELSE false END, false)`,
      };
    case 'temporal':
      return { value: `CAST(epoch(${x}) AS DOUBLE)`, typeError: null };
    case 'absent':
      return { value: 'CAST(NULL AS DOUBLE)', typeError: null };
    case 'nested':
    case 'other':
      return { value: 'CAST(NULL AS DOUBLE)', typeError: `(${x} IS NOT NULL)` };
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
      return `CASE WHEN ${x} IS NULL OR ${x} = '' THEN ${NULL_CAT} ELSE CAST(${x} AS VARCHAR) END`;
    case 'json':
      return (
        `CASE json_type(${x}) WHEN 'VARCHAR' THEN COALESCE(NULLIF(${x} ->> '$', ''), ${NULL_CAT}) ` +
        `WHEN 'BOOLEAN' THEN CASE WHEN CAST(${x} AS BOOLEAN) THEN 'true' ELSE 'false' END ` +
        `WHEN 'OBJECT' THEN ${TYPE_ERROR_CAT} WHEN 'ARRAY' THEN ${TYPE_ERROR_CAT} ` +
        `ELSE ${canonicalNumber(`TRY_CAST(${x} AS DOUBLE)`)} END`
      );
    case 'temporal':
    case 'other':
      return `COALESCE(CAST(${x} AS VARCHAR), ${NULL_CAT})`;
    case 'absent':
      return NULL_CAT;
    case 'nested':
      return `CASE WHEN ${x} IS NULL THEN ${NULL_CAT} ELSE ${TYPE_ERROR_CAT} END`;
  }
}
