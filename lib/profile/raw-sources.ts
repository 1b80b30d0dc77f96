import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBStructType, DuckDBTypeId } from '@duckdb/node-api';
import { columnInfo, describeRelation, queryRows, scanSql, sqlIdent, sqlString, sqlStringList, type ColumnInfo } from '../duckdb';
import { HOUR_MS, type FeatureKind, type ModelMeta } from '../format';
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
 * Raw events, read with `features` as a STRUCT of the model's features (JSON values): DuckDB
 * finds a struct field once per row, where a MAP lookup searches the keys (1.2× slower here) and
 * a per-row check for unknown keys cost another 25%. New keys are found by `sampleNdjson`.
 */
export function ndjsonRelation(paths: readonly string[], meta: ModelMeta): string {
  const names = meta.features.map((f) => f.name).filter((n) => n !== meta.score);
  const struct: Record<string, string> = names.length > 0 ? { features: `STRUCT(${names.map((n) => `${sqlIdent(n)} JSON`).join(', ')})` } : {};
  const scan = scanSql(paths, 'ndjson', { jsonColumns: { id: 'VARCHAR', ts: 'VARCHAR', ...struct, score: 'JSON' }, hivePartitioning: false });
  // The hour comes from `ts` (ISO UTC in raw events); a row whose ts does not parse is left out.
  const hours = `(SELECT *, epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) // ${HOUR_MS} AS __hour FROM ${scan})`;
  // An id is counted once per hour, whichever raw batches (ingest, collector, another producer)
  // hold it: ingest already skips repeats, this catches producers that do not (docs/format.md).
  return `(SELECT * FROM ${hours} WHERE __hour IS NOT NULL QUALIFY id IS NULL OR row_number() OVER (PARTITION BY __hour, id) = 1) AS raw_events`;
}

/** The same files with `features` as a MAP: every key, for exact discovery. */
export function ndjsonMapRelation(paths: readonly string[]): string {
  return scanSql(paths, 'ndjson', { jsonColumns: { features: 'MAP(VARCHAR, JSON)', score: 'JSON' }, hivePartitioning: false });
}

/** The group of a row of raw Parquet: its hour (from the TIMESTAMPTZ column `ts`) counted from `baseHour` (hours since the epoch). */
export function hourGroupSql(ts: string, baseHour: number): string {
  return `epoch_ms(${ts}) // ${HOUR_MS} - ${baseHour}`;
}

/** Files and rows per file that `sampleNdjson` reads. */
const SAMPLE_FILES = 8;
const SAMPLE_ROWS = 2048;

/**
 * Does a sample (the first 2,048 rows of up to 8 files spread over the batch, read by DuckDB's
 * schema detection) show feature keys, or a score, that the model does not list? Ingest adds every
 * key it sees to model.json, so this is a safety net for raw files written by other producers.
 * Left to its defaults, detection read 32 files and took 4 s and 400 MiB for 1.5 M events.
 */
export async function sampleNdjson(connection: DuckDBConnection, paths: readonly string[], meta: ModelMeta): Promise<boolean> {
  const step = Math.max(1, Math.ceil(paths.length / SAMPLE_FILES));
  const sample = paths.filter((_, i) => i % step === 0 || i === paths.length - 1);
  const relation = `read_json(${sqlStringList(sample)}, format = 'newline_delimited', sample_size = ${SAMPLE_ROWS}, maximum_sample_files = ${sample.length}, union_by_name = true)`;
  const columns = await describeRelation(connection, relation);
  const known = new Set(meta.features.map((f) => f.name));
  const features = columns.find((c) => c.name === 'features');
  if (features && features.type.typeId === DuckDBTypeId.STRUCT) {
    if ((features.type as DuckDBStructType).entryNames.some((n) => !known.has(n))) return true;
  } else if (features) return true;
  const score = columns.find((c) => c.name === 'score');
  return meta.score === null && score !== undefined && score.type.typeId !== DuckDBTypeId.SQLNULL;
}

/** Raw events: features from the `features` struct, the score from `score`. */
export function ndjsonPass(relation: string, group: string, meta: ModelMeta): PassSpec {
  const inputs = modelFeatures(meta).map((f, index) => {
    const expr = f.name === meta.score ? 'score' : `struct_extract(features, ${sqlString(f.name)})`;
    const input: FeatureInput = { ...f, expr, typeClass: 'json' };
    return { index, input };
  });
  // The id window of `ndjsonRelation` mixes the hours: sorted again, each hour's values stay together.
  return { relation, group, inputs, orderBy: 'g' };
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

export function parquetRelation(paths: readonly string[]): string {
  return scanSql(paths, 'parquet', { unionByName: true, hivePartitioning: false });
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
export function parquetPass(relation: string, group: string, meta: ModelMeta, columns: ParquetColumns): PassSpec {
  const inputs = modelFeatures(meta).map((f, index) => {
    const column = f.name === meta.score ? columns.score : columns.features.get(f.name);
    const expr = f.name === meta.score ? 'score' : `struct_extract(features, ${sqlString(f.name)})`;
    const input: FeatureInput = column ? { ...f, expr, typeClass: column.typeClass, typeName: column.typeName } : { ...f, expr: 'NULL', typeClass: 'absent' };
    return { index, input };
  });
  return { relation, group, inputs };
}

/** Struct fields (and a score) of raw Parquet that the model does not list yet: kinds by type. */
export async function discoverParquet(connection: DuckDBConnection, relation: string, meta: ModelMeta, columns: ParquetColumns, scoreColumn: string | null): Promise<{ found: Map<string, FeatureKind>; score: string | null }> {
  const known = new Set(meta.features.map((f) => f.name));
  const score = meta.score ?? (columns.score ? (scoreColumn ?? 'score') : null);
  const candidates = [...columns.features.values()].filter((c) => !known.has(c.name) && c.name !== score).map((c) => ({ name: c.name, expr: `struct_extract(features, ${sqlString(c.name)})`, typeClass: c.typeClass }));
  if (score && columns.score && !known.has(score)) candidates.push({ name: score, expr: 'score', typeClass: columns.score.typeClass });
  return { found: await resolveKinds(connection, relation, candidates, new Map(), meta, false), score };
}
