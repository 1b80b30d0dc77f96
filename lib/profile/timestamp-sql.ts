import type { TypeClass } from '../duckdb';

/**
 * SQL twin of `parseTimestamp` (lib/format/timestamps.ts): epoch ms as BIGINT, NULL when the value
 * is not a timestamp. Strings: digits are epoch seconds (< 1e11) or ms; ISO without a zone is
 * UTC; ISO with `Z` or an offset is converted. test/unit/profile/timestamp-sql.test.ts keeps the
 * two in step.
 */
export function timestampMsSql(expr: string, typeClass: TypeClass): string {
  switch (typeClass) {
    case 'temporal':
      return `epoch_ms(CAST(${expr} AS TIMESTAMP))`;
    case 'number':
      return epochNumber(`CAST(${expr} AS DOUBLE)`);
    case 'text':
      return textTimestamp(`trim(CAST(${expr} AS VARCHAR))`);
    case 'json':
      return `CASE json_type(${expr}) WHEN 'VARCHAR' THEN ${textTimestamp(`trim(${expr} ->> '$')`)} ELSE ${epochNumber(`TRY_CAST(${expr} AS DOUBLE)`)} END`;
    default:
      return 'CAST(NULL AS BIGINT)';
  }
}

function epochNumber(d: string): string {
  return `CASE WHEN ${d} IS NULL OR NOT isfinite(${d}) OR ${d} < 0 THEN NULL WHEN ${d} < 1e11 THEN TRY_CAST(round(${d} * 1000) AS BIGINT) ELSE TRY_CAST(round(${d}) AS BIGINT) END`;
}

const DIGITS = `'^\\d+(\\.\\d+)?$'`;
const ISO_LOCAL = `'^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?$'`;
// A zone of hours only (`+00`) is how DuckDB writes a TIMESTAMPTZ as text: quarantined table rows hold it.
const ISO_ZONED = `'^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)$'`;

function textTimestamp(s: string): string {
  return (
    `CASE WHEN regexp_matches(${s}, ${DIGITS}) THEN ${epochNumber(`TRY_CAST(${s} AS DOUBLE)`)} ` +
    // Fractions past microseconds are cut to 6 digits: DuckDB's TIMESTAMP holds µs, the ms are floored alike.
    `WHEN regexp_matches(${s}, ${ISO_LOCAL}) THEN epoch_ms(TRY_CAST(regexp_replace(replace(${s}, 'T', ' '), '(\\.\\d{6})\\d+$', '\\1') AS TIMESTAMP)) ` +
    `WHEN regexp_matches(${s}, ${ISO_ZONED}) THEN epoch_ms(CAST(TRY_CAST(upper(${s}) AS TIMESTAMPTZ) AS TIMESTAMP)) ` +
    `ELSE NULL END`
  );
}
