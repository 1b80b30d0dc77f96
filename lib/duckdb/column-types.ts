import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';

/**
 * What a column's DuckDB type means for profiling: numbers are numbers, text must be judged by
 * its content, JSON values carry their own type per value, nested values are never a feature value.
 */
export type TypeClass = 'number' | 'boolean' | 'text' | 'json' | 'temporal' | 'nested' | 'other';

const NUMBER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL, DuckDBTypeId.BIGNUM,
]);

const TEMPORAL_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.DATE,
]);

const NESTED_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.UNION]);

export function typeClass(type: DuckDBType): TypeClass {
  if (type.typeId === DuckDBTypeId.VARCHAR) return type.alias === 'JSON' ? 'json' : 'text';
  if (type.typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  if (NUMBER_TYPES.has(type.typeId)) return 'number';
  if (TEMPORAL_TYPES.has(type.typeId)) return 'temporal';
  if (NESTED_TYPES.has(type.typeId)) return 'nested';
  if (type.typeId === DuckDBTypeId.ENUM) return 'text';
  return 'other';
}

/** A column of a data file or query: its name, DuckDB type and what that type means here. */
export interface ColumnInfo {
  name: string;
  type: DuckDBType;
  /** DuckDB's spelling, e.g. `DOUBLE`, `STRUCT(a DOUBLE)`, `JSON`. */
  typeName: string;
  typeClass: TypeClass;
}

export function columnInfo(name: string, type: DuckDBType): ColumnInfo {
  return { name, type, typeName: type.alias ?? type.toString(), typeClass: typeClass(type) };
}
