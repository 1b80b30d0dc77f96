import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, streamChunks, streamRowObjects } from '../duckdb';
import type { ProfileAccumulator } from './accumulator';
import { categorySql, NULL_CATEGORY, numericSql, TYPE_ERROR_CATEGORY, type FeatureInput } from './feature-sql';

/** One scan of a relation into the accumulator: which rows form which group, which features to read. */
export interface PassSpec {
  /** FROM clause: a table function or a parenthesised subquery with an alias. */
  relation: string;
  /** SQL expression of the group (hour index, reference chunk) as an integer. */
  group: string;
  /** SQL expression of the row's time in epoch ms, tracked per group as min/max. */
  time?: string;
  /** ORDER BY of the numeric stream, so groups arrive one after another. */
  orderBy?: string;
  /** Feature inputs and their index in the accumulator. */
  inputs: readonly { index: number; input: FeatureInput }[];
  /** Also add every row to this group (the whole reference). */
  whole?: number;
  /** FROM clause for the category counts, when it must differ from `relation`... */
  categoryRelation?: string;
  /** ...and the inputs as expressions over it. */
  categoryInputs?: readonly { index: number; input: FeatureInput }[];
  /** BOOLEAN SQL over `categoryRelation`: false for a row carrying features not among the inputs. */
  allKnown?: string;
}

export interface PassResult {
  rows: number;
  /** Some row had a feature the pass did not read. */
  unknownFeatures: boolean;
}

/**
 * Numbers stream to JS as DOUBLE vectors and go into digests; categories are counted by DuckDB
 * (GROUP BY) in a second scan. Numbers never become JS objects: one Float64Array view per chunk.
 */
export async function runProfilePass(connection: DuckDBConnection, spec: PassSpec, acc: ProfileAccumulator): Promise<PassResult> {
  const numeric = spec.inputs.filter((f) => f.input.kind === 'numeric');
  const categorical = (spec.categoryInputs ?? spec.inputs).filter((f) => f.input.kind === 'categorical');
  const columns = [`CAST(${spec.group} AS INTEGER) AS g`];
  const timeCol = spec.time ? columns.push(`CAST(${spec.time} AS DOUBLE) AS t`) - 1 : -1;
  const valueCols: number[] = [];
  const errorCols: number[] = [];
  numeric.forEach(({ input }, i) => {
    const sql = numericSql(input);
    valueCols.push(columns.push(`${sql.value} AS v${i}`) - 1);
    errorCols.push(sql.typeError ? columns.push(`${sql.typeError} AS e${i}`) - 1 : -1);
  });
  const order = spec.orderBy ? ` ORDER BY ${spec.orderBy}` : '';
  const result: PassResult = { rows: 0, unknownFeatures: false };
  let current: number | undefined;
  for await (const chunk of streamChunks(connection, `SELECT ${columns.join(', ')} FROM ${spec.relation}${order}`)) {
    const n = chunk.rowCount;
    result.rows += n;
    const groups = chunk.int32(0);
    const times = timeCol >= 0 ? chunk.float64(timeCol) : null;
    const timeMask = timeCol >= 0 ? chunk.validity(timeCol) : null;
    const values = valueCols.map((c) => chunk.float64(c));
    const masks = valueCols.map((c) => chunk.validity(c));
    const errors = errorCols.map((c) => (c >= 0 ? chunk.bool(c) : null));
    let start = 0;
    while (start < n) {
      const id = groups[start];
      let end = start + 1;
      while (end < n && groups[end] === id) end++;
      if (current !== undefined && current !== id) acc.park(current);
      current = id;
      for (const target of spec.whole === undefined ? [id] : [id, spec.whole]) {
        acc.addRows(target, end - start);
        if (times) acc.addTime(target, times, timeMask, start, end);
        numeric.forEach(({ index }, i) => acc.addNumeric(target, index, values[i], masks[i], errors[i], start, end));
      }
      start = end;
    }
  }
  if (categorical.length > 0) result.unknownFeatures = await countCategories(connection, spec, categorical, acc);
  else if (spec.allKnown) result.unknownFeatures = await hasUnknown(connection, spec);
  return result;
}

async function hasUnknown(connection: DuckDBConnection, spec: PassSpec): Promise<boolean> {
  const [row] = await queryRows(connection, `SELECT bool_or(NOT COALESCE(${spec.allKnown}, true)) AS unknown FROM ${spec.categoryRelation ?? spec.relation}`);
  return row.unknown === true;
}

/** Category counts by one GROUP BY; returns whether some row had features the pass did not read. */
async function countCategories(connection: DuckDBConnection, spec: PassSpec, categorical: PassSpec['inputs'], acc: ProfileAccumulator): Promise<boolean> {
  const indexes = categorical.map((_, i) => i).join(', ');
  const cats = categorical.map(({ input }) => categorySql(input)).join(', ');
  const known = spec.allKnown ? `COALESCE(${spec.allKnown}, true)` : 'true';
  const sql =
    `SELECT g, fi, cat, known, CAST(count(*) AS DOUBLE) AS n FROM (` +
    `SELECT CAST(${spec.group} AS INTEGER) AS g, ${known} AS known, unnest([${indexes}]) AS fi, unnest([${cats}]) AS cat FROM ${spec.categoryRelation ?? spec.relation}` +
    `) GROUP BY ALL`;
  let unknown = false;
  for await (const batch of streamRowObjects(connection, sql)) {
    for (const row of batch) {
      if (row.known === false) unknown = true;
      const cat = String(row.cat);
      const kind = cat === NULL_CATEGORY ? 'null' : cat === TYPE_ERROR_CATEGORY ? 'type_error' : 'value';
      const index = categorical[Number(row.fi)].index;
      const targets = spec.whole === undefined ? [Number(row.g)] : [Number(row.g), spec.whole];
      for (const target of targets) acc.addCategory(target, index, cat, Number(row.n), kind);
    }
  }
  return unknown;
}
