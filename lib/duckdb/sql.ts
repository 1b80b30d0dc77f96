/** SQL text helpers: every name and path that reaches DuckDB goes through one of these. */

/** A string literal: `it's` → `'it''s'`. */
export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new RangeError(`SQL string must not contain NUL characters: ${JSON.stringify(value.slice(0, 40))}`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted identifier: `my "col"` → `"my ""col"""`. */
export function sqlIdent(name: string): string {
  if (name.includes('\u0000')) throw new RangeError(`SQL identifier must not contain NUL characters: ${JSON.stringify(name.slice(0, 40))}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** A list literal of strings: `['a', 'b']`. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}
