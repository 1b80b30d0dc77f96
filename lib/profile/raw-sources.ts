import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBStructType, DuckDBTypeId } from '@duckdb/node-api';
import { columnInfo, describeRelation, queryRows, scanSql, sqlIdent, sqlString, sqlStringList, type ColumnInfo } from '../duckdb';
import type { FeatureKind, ModelMeta } from '../format';
import type { FeatureInput } from './feature-sql';
import type { PassSpec } from './profile-pass';
import { resolveKinds } from './reference-source';

/** A model's profiled features in order; a score missing from the list is profiled as numeric. */
export function modelFeatures(meta: ModelMeta): { name: string; kind: FeatureKind }[] {
  const out = meta.features.map((f) => ({ name: f.name, kind: f.kind }));
  if (meta.score && !out.some((f) => f.name === meta.score)) out.push({ name: meta.score, kind: 'numeric' });
  return out;
}

/**
 * Raw events are read twice: numbers through a STRUCT of the known keys (JSON values; a struct
 * field is found once per row, a MAP key by search, twice as slow here), categories through a
 * MAP, which also shows keys the model does not know yet.
 */
export function ndjsonRelations(paths: readonly string[], meta: ModelMeta): { values: string; map: string } {
  const names = meta.features.map((f) => f.name).filter((n) => n !== meta.score);
  const struct: Record<string, string> = names.length > 0 ? { features: `STRUCT(${names.map((n) => `${sqlIdent(n)} JSON`).join(', ')})` } : {};
  return {
    values: scanSql(paths, 'ndjson', { jsonColumns: { ...struct, score: 'JSON' }, hivePartitioning: true }),
    map: scanSql(paths, 'ndjson', { jsonColumns: { features: 'MAP(VARCHAR, JSON)', score: 'JSON' }, hivePartitioning: true }),
  };
}

export function parquetRelation(paths: readonly string[]): string {
  return scanSql(paths, 'parquet', { hivePartitioning: true, unionByName: true });
}

/** Raw events: features from the `features` object, the score from `score`; unknown keys flagged. */
export function ndjsonPass(relations: { values: string; map: string }, meta: ModelMeta): PassSpec {
  const score = meta.score;
  const inputs = modelFeatures(meta).map((f, index) => {
    const input: FeatureInput = f.name === score ? { ...f, expr: 'score', typeClass: 'json' } : { ...f, expr: `struct_extract(features, ${sqlString(f.name)})`, typeClass: 'json' };
    return { index, input };
  });
  const categoryInputs = inputs.map(({ index, input }) => ({ index, input: input.expr === 'score' ? input : { ...input, expr: `features[${sqlString(input.name)}]` } }));
  const names = meta.features.map((f) => f.name);
  const known = `list_has_all(CAST(${sqlStringList(names)} AS VARCHAR[]), map_keys(features))`;
  return {
    relation: relations.values,
    categoryRelation: relations.map,
    group: 'g',
    inputs,
    categoryInputs,
    allKnown: score ? known : `(${known} AND (score IS NULL OR json_type(score) = 'NULL'))`,
  };
}

/** Feature keys and score presence of raw events that the model does not list yet, with their kinds. */
export async function discoverNdjson(connection: DuckDBConnection, relation: string, meta: ModelMeta): Promise<{ found: Map<string, FeatureKind>; score: string | null }> {
  const known = new Set(meta.features.map((f) => f.name));
  const keys = (await queryRows(connection, `SELECT DISTINCT unnest(map_keys(features)) AS k FROM ${relation} ORDER BY k`)).map((r) => String(r.k)).filter((k) => !known.has(k));
  const [{ scores }] = await queryRows(connection, `SELECT CAST(count(*) FILTER (json_type(score) <> 'NULL') AS DOUBLE) AS scores FROM ${relation}`);
  const score = meta.score ?? (Number(scores) > 0 ? 'score' : null);
  const candidates = keys.filter((k) => k !== score).map((k) => ({ name: k, expr: `features[${sqlString(k)}]`, typeClass: 'json' as const }));
  if (score && !known.has(score)) candidates.push({ name: score, expr: 'score', typeClass: 'json' });
  return { found: await resolveKinds(connection, relation, candidates, new Map(), meta, true), score };
}

interface ParquetColumns {
  features: Map<string, ColumnInfo>;
  score: ColumnInfo | null;
}

export async function describeRawParquet(connection: DuckDBConnection, relation: string): Promise<ParquetColumns> {
  const columns = await describeRelation(connection, relation);
  const features = new Map<string, ColumnInfo>();
  const struct = columns.find((c) => c.name === 'features');
  if (struct && struct.type.typeId === DuckDBTypeId.STRUCT) {
    const t = struct.type as DuckDBStructType;
    t.entryNames.forEach((name, i) => features.set(name, columnInfo(name, t.entryTypes[i])));
  }
  return { features, score: columns.find((c) => c.name === 'score') ?? null };
}

/** Raw wide-table Parquet: typed struct fields; features the files lack are null. */
export function parquetPass(relation: string, meta: ModelMeta, columns: ParquetColumns): PassSpec {
  const inputs = modelFeatures(meta).map((f, index) => {
    const column = f.name === meta.score ? columns.score : columns.features.get(f.name);
    const expr = f.name === meta.score ? 'score' : `struct_extract(features, ${sqlString(f.name)})`;
    const input: FeatureInput = column ? { ...f, expr, typeClass: column.typeClass, typeName: column.typeName } : { ...f, expr: 'NULL', typeClass: 'absent' };
    return { index, input };
  });
  return { relation, group: 'g', inputs };
}

/** Struct fields (and a score) of raw Parquet that the model does not list yet: kinds by type. */
export async function discoverParquet(connection: DuckDBConnection, relation: string, meta: ModelMeta, columns: ParquetColumns, scoreColumn: string | null): Promise<{ found: Map<string, FeatureKind>; score: string | null }> {
  const known = new Set(meta.features.map((f) => f.name));
  const score = meta.score ?? (columns.score ? (scoreColumn ?? 'score') : null);
  const candidates = [...columns.features.values()].filter((c) => !known.has(c.name) && c.name !== score).map((c) => ({ name: c.name, expr: `struct_extract(features, ${sqlString(c.name)})`, typeClass: c.typeClass }));
  if (score && columns.score && !known.has(score)) candidates.push({ name: score, expr: 'score', typeClass: columns.score.typeClass });
  return { found: await resolveKinds(connection, relation, candidates, new Map(), meta, false), score };
}
