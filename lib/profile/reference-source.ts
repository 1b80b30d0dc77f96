import type { DuckDBConnection } from '@duckdb/node-api';
import { dataFormatOf, describeDataFile, queryRows, scanSql, sqlIdent, sqlString, type DataFormat } from '../duckdb';
import { SCORE_FEATURE, type FeatureKind, type ModelMeta } from '../format';
import type { FeatureInput } from './feature-sql';
import { inferKinds, type KindCandidate } from './infer-kinds';
import { kindsOf } from './model-store';
import { ProfileInputError, type ColumnFlags } from './options';
import { kindOverrides, planTableColumns } from './table-columns';
import { timestampMsSql } from './timestamp-sql';

/** A data file seen as rows of features: what to scan, which expressions are the features. */
export interface DatasetSource {
  format: DataFormat;
  /** NDJSON prediction events (`features` object, `score`, `ts`) rather than a wide table. */
  events: boolean;
  relation: string;
  /** Epoch ms of each row, or null when the data has no timestamps. */
  timeSql: string | null;
  features: FeatureInput[];
  /** The feature that holds the score, if the data has one. */
  score: string | null;
  overrides: Map<string, FeatureKind>;
  columns: ModelMeta['columns'];
}

const EVENT_COLUMNS = { ts: 'JSON', features: 'MAP(VARCHAR, JSON)', score: 'JSON' };

/**
 * Open a CSV/Parquet/NDJSON file as features. Kinds: --numeric/--categorical first, then
 * model.json, then inference from the data. The score is a feature under the model's score name.
 */
export async function openDataset(connection: DuckDBConnection, file: string, flags: ColumnFlags, meta: ModelMeta | undefined): Promise<DatasetSource> {
  const format = dataFormatOf(file);
  const columns = await describeDataFile(connection, file, format);
  const events = format === 'ndjson' && columns.some((c) => c.name === 'features') && (columns.some((c) => c.name === 'ts') || columns.some((c) => c.name === 'id'));
  return events ? openEvents(connection, file, flags, meta) : openTable(connection, file, format, columns, flags, meta);
}

async function openTable(connection: DuckDBConnection, file: string, format: DataFormat, columns: Awaited<ReturnType<typeof describeDataFile>>, flags: ColumnFlags, meta: ModelMeta | undefined): Promise<DatasetSource> {
  const plan = planTableColumns(file, columns, flags, meta?.columns);
  const relation = scanSql(file, format);
  const scoreName = plan.score ? (meta?.score ?? plan.score.name) : null;
  const raw = [...plan.features.map((c) => ({ name: c.name, column: c })), ...(plan.score && scoreName ? [{ name: scoreName, column: plan.score }] : [])];
  const candidates: KindCandidate[] = raw.map(({ name, column }) => ({ name, expr: sqlIdent(column.name), typeClass: column.typeClass }));
  const overrides = kindOverrides(file, flags, candidates.map((c) => c.name));
  const kinds = await resolveKinds(connection, relation, candidates, overrides, meta, format !== 'parquet');
  return {
    format,
    events: false,
    relation,
    timeSql: plan.timestamp ? timestampMsSql(sqlIdent(plan.timestamp.name), plan.timestamp.typeClass) : null,
    features: raw.map(({ name, column }) => ({ name, kind: kinds.get(name)!, expr: sqlIdent(column.name), typeClass: column.typeClass, typeName: column.typeName })),
    score: scoreName,
    overrides,
    columns: { id: plan.id?.name ?? null, timestamp: plan.timestamp?.name ?? null, label: plan.label?.name ?? null, score: plan.score?.name ?? null },
  };
}

async function openEvents(connection: DuckDBConnection, file: string, flags: ColumnFlags, meta: ModelMeta | undefined): Promise<DatasetSource> {
  const relation = scanSql(file, 'ndjson', { jsonColumns: EVENT_COLUMNS });
  const keyRows = await queryRows(connection, `SELECT DISTINCT unnest(map_keys(features)) AS k FROM ${relation} ORDER BY k`);
  const keys = keyRows.map((r) => String(r.k)).filter((k) => !(flags.exclude ?? []).includes(k));
  const [{ scores }] = await queryRows(connection, `SELECT CAST(count(score) FILTER (json_type(score) <> 'NULL') AS DOUBLE) AS scores FROM ${relation}`);
  const scoreName = Number(scores) > 0 ? (meta?.score ?? SCORE_FEATURE) : null;
  const candidates: KindCandidate[] = keys.filter((k) => k !== scoreName).map((k) => ({ name: k, expr: `features[${sqlString(k)}]`, typeClass: 'json' as const }));
  if (scoreName) candidates.push({ name: scoreName, expr: 'score', typeClass: 'json' });
  const overrides = kindOverrides(file, flags, candidates.map((c) => c.name));
  const kinds = await resolveKinds(connection, relation, candidates, overrides, meta, true);
  return {
    format: 'ndjson',
    events: true,
    relation,
    timeSql: timestampMsSql('ts', 'json'),
    features: candidates.map((c) => ({ ...c, kind: kinds.get(c.name)! })),
    score: scoreName,
    overrides,
    columns: { id: null, timestamp: null, label: null, score: null },
  };
}

/** Overrides, then model.json, then inference (one aggregate query for the text columns left). */
export async function resolveKinds(
  connection: DuckDBConnection,
  relation: string,
  candidates: readonly KindCandidate[],
  overrides: ReadonlyMap<string, FeatureKind>,
  meta: ModelMeta | undefined,
  judgeText: boolean,
): Promise<Map<string, FeatureKind>> {
  const known = kindsOf(meta);
  const unknown = candidates.filter((c) => !overrides.has(c.name) && !known.has(c.name));
  const inferred = await inferKinds(connection, relation, unknown, judgeText);
  const out = new Map<string, FeatureKind>();
  for (const c of candidates) {
    const kind = overrides.get(c.name) ?? known.get(c.name) ?? inferred.get(c.name);
    if (!kind) throw new ProfileInputError(`no kind could be found for feature "${c.name}"`);
    out.set(c.name, kind);
  }
  return out;
}
