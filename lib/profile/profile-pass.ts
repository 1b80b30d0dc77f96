import type { DuckDBConnection } from '@duckdb/node-api';
import { streamChunks } from '../duckdb';
import type { ProfileAccumulator } from './accumulator';
import { categorySql, numericSql, type FeatureInput } from './feature-sql';

/** One scan of a relation into the accumulator: which rows form which group, which features to read. */
export interface PassSpec {
  /** FROM clause: a table function or a parenthesised subquery with an alias. */
  relation: string;
  /** SQL expression of the group (hour index, reference chunk) as an integer. */
  group: string;
  /** SQL expression of the row's time in epoch ms, tracked per group as min/max. */
  time?: string;
  /** ORDER BY of the stream, so groups arrive one after another. */
  orderBy?: string;
  /** Feature inputs and their index in the accumulator. */
  inputs: readonly { index: number; input: FeatureInput }[];
  /** Also add every row to this group (the whole reference). */
  whole?: number;
}

/**
 * One streaming scan: numbers arrive as DOUBLE vectors and go into digests without becoming JS
 * objects; categories arrive as strings and are counted. A second scan for a SQL GROUP BY of
 * the categories cost more than decoding them: re-parsing NDJSON is the expensive part.
 */
export async function runProfilePass(connection: DuckDBConnection, spec: PassSpec, acc: ProfileAccumulator): Promise<number> {
  const columns = [`CAST(${spec.group} AS INTEGER) AS g`];
  const add = (sql: string): number => columns.push(sql) - 1;
  const timeCol = spec.time ? add(`CAST(${spec.time} AS DOUBLE) AS t`) : -1;
  const numeric = spec.inputs.filter((f) => f.input.kind === 'numeric');
  const categorical = spec.inputs.filter((f) => f.input.kind === 'categorical');
  const valueCols: number[] = [];
  const presentCols: number[] = [];
  numeric.forEach(({ input }, i) => {
    const sql = numericSql(input);
    valueCols.push(add(`${sql.value} AS v${i}`));
    presentCols.push(sql.present ? add(`${sql.present} AS p${i}`) : -1);
  });
  const categoryCols = categorical.map(({ input }, i) => add(`${categorySql(input)} AS c${i}`));
  const order = spec.orderBy ? ` ORDER BY ${spec.orderBy}` : '';

  let rows = 0;
  let current: number | undefined;
  for await (const chunk of streamChunks(connection, `SELECT ${columns.join(', ')} FROM ${spec.relation}${order}`)) {
    const n = chunk.rowCount;
    rows += n;
    const groups = chunk.int32(0);
    const times = timeCol >= 0 ? chunk.float64(timeCol) : null;
    const timeMask = timeCol >= 0 ? chunk.validity(timeCol) : null;
    const values = valueCols.map((c) => chunk.float64(c));
    const masks = valueCols.map((c) => chunk.validity(c));
    const present = presentCols.map((c) => (c >= 0 ? chunk.bool(c) : null));
    const categories = categoryCols.map((c) => chunk.varchar(c));
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
        numeric.forEach(({ index }, i) => acc.addNumeric(target, index, values[i], masks[i], present[i], start, end));
        categorical.forEach(({ index }, i) => acc.addCategories(target, index, categories[i], start, end));
      }
      start = end;
    }
  }
  return rows;
}

