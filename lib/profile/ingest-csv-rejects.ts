import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, scanSql, sqlIdent } from '../duckdb';
import { LineReader } from './line-reader';
import type { Quarantine } from './quarantine';

/** Passes that each take one unterminated quote off the file; past them, a record keeps what it swallowed. */
const MAX_PASSES = 20;
/** More rejected than this share of the rows means the dialect guess is wrong, not the rows. */
const MAX_REJECTED_SHARE = 0.5;
/** Kept lines are below DuckDB's max_line_size (2 MB); longer ones are rejected, not copied. */
const COPY_LINE_BYTES = 8 << 20;
const NEWLINE = Buffer.from('\n');

export interface CsvRejects {
  /** The file to read: the input, or a copy without the rejected lines. */
  file: string;
  /** Physical lines of the input (header = line 1) left out of `file`, ascending. */
  removed: number[];
  /** Rejected records quarantined (a record may span several physical lines). */
  records: number;
}

interface Group {
  /** Input lines of the record, ascending. */
  lines: number[];
  reason: string;
}

/**
 * Rows DuckDB cannot split into the header's fields (wrong number of fields, an unterminated
 * quote, a line over 2 MB) are quarantined with their original bytes, and the rest of the file
 * is copied without them, so one bad line never aborts the file (docs/operations.md, "CSV rows
 * DuckDB rejects"). An unterminated quote swallows the lines after it into one record: only its
 * own line is taken off and the file read again. A clean file is returned as it is.
 */
export async function rejectCsvLines(connection: DuckDBConnection, file: string, dir: string, quarantine: Quarantine, capBytes: number): Promise<CsvRejects> {
  const header = await headerOf(file);
  if (header === undefined) return { file, removed: [], records: 0 };
  const removed: number[] = [];
  let current = file;
  let records = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const scan = await structuralScan(connection, current, header).catch(() => undefined);
    // DuckDB refusing even the structure (an odd dialect): the file is read whole, as before.
    if (!scan && pass === 0) return { file, removed: [], records: 0 };
    const { rows, rejects } = scan ?? { rows: 0, rejects: [] };
    if (rejects.length === 0) break;
    if (pass === 0 && rejects.length > MAX_REJECTED_SHARE * (rows + rejects.length)) return { file, removed: [], records: 0 };
    const last = pass === MAX_PASSES - 1;
    const groups = rejects.map((r) => ({ lines: Array.from({ length: r.swallows && !last ? 1 : r.lines }, (_, i) => originalLine(r.line + i, removed)), reason: r.reason }));
    for (const g of groups) removed.push(...g.lines);
    removed.sort((a, b) => a - b);
    const copy = join(dir, `rejected-${pass}-${basename(file).replace(/\.gz$/i, '')}`);
    await copyWithout(file, copy, new Set(removed), groups, quarantine, capBytes);
    if (current !== file) await rm(current, { force: true });
    current = copy;
    records += groups.length;
  }
  return { file: current, removed, records };
}

/** Fields of the header line, and the delimiter it uses. */
async function headerOf(file: string): Promise<{ fields: number; delimiter: string } | undefined> {
  for await (const line of new LineReader(file, COPY_LINE_BYTES).lines()) {
    const text = line.bytes.toString('utf8').replace(/^\uFEFF/, '');
    const delimiter = /\.tsv(\.gz)?$/i.test(file) ? '\t' : [',', ';', '\t', '|'].reduce((best, d) => (count(text, d) > count(text, best) ? d : best), ',');
    return { fields: count(text, delimiter), delimiter };
  }
  return undefined;
}

const count = (text: string, d: string): number => splitFields(text, d).length;

function splitFields(text: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') field += text[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

interface Reject {
  /** Line in the scanned file where the record starts (header = 1). */
  line: number;
  /** Physical lines of the record. */
  lines: number;
  /** An unterminated quote: the lines after its own were swallowed, not bad. */
  swallows: boolean;
  reason: string;
}

let scans = 0;

async function structuralScan(connection: DuckDBConnection, file: string, header: { fields: number; delimiter: string }): Promise<{ rows: number; rejects: Reject[] }> {
  const id = `${process.pid}_${++scans}_${randomBytes(4).toString('hex')}`;
  const names = { rejectsTable: `driftwatch_rejects_${id}`, rejectsScan: `driftwatch_rejects_scan_${id}` };
  try {
    const [{ rows }] = await queryRows(connection, `SELECT CAST(count(*) AS DOUBLE) AS rows FROM ${scanSql(file, 'csv', { csvStructure: { ...header, ...names } })}`);
    const found = await queryRows(
      connection,
      `SELECT CAST(line AS DOUBLE) AS line, first(error_type ORDER BY byte_position) AS type, first(error_message ORDER BY byte_position) AS message, first(csv_line ORDER BY byte_position) AS text FROM ${sqlIdent(names.rejectsTable)} GROUP BY line ORDER BY line`,
    );
    const rejects = found.map((r) => {
      const type = String(r.type);
      const text = String(r.text ?? '').replace(/^[\r\n]+|[\r\n]+$/g, '');
      const oneLine = type === 'LINE SIZE OVER MAXIMUM';
      return { line: Number(r.line), lines: oneLine ? 1 : text.split('\n').length, swallows: type === 'UNQUOTED VALUE' && /unterminated quote/i.test(String(r.message)), reason: `csv ${type.toLowerCase()}: ${String(r.message).split('\n')[0]}` };
    });
    return { rows: Number(rows), rejects };
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${sqlIdent(names.rejectsTable)}`);
    await connection.run(`DROP TABLE IF EXISTS ${sqlIdent(names.rejectsScan)}`);
  }
}

/** The input line of the `line`-th line of a copy that leaves out `removed` (ascending). */
function originalLine(line: number, removed: readonly number[]): number {
  let original = line;
  for (const r of removed) {
    if (r <= original) original++;
    else break;
  }
  return original;
}

/** Copy `file` without the `removed` lines; the records of `groups` go to the quarantine. */
async function copyWithout(file: string, out: string, removed: ReadonlySet<number>, groups: readonly Group[], quarantine: Quarantine, capBytes: number): Promise<void> {
  const stream = createWriteStream(out);
  const groupOf = new Map(groups.flatMap((g) => g.lines.map((l) => [l, g] as const)));
  const parts = new Map<Group, Buffer[]>();
  for await (const line of new LineReader(file, Math.max(capBytes, COPY_LINE_BYTES), capBytes).lines()) {
    if (!removed.has(line.number)) {
      if (line.oversized) throw new Error(`${file}: line ${line.number} is longer than ${COPY_LINE_BYTES} bytes yet was read by DuckDB`);
      if (!stream.write(Buffer.concat([line.bytes, NEWLINE]))) await once(stream, 'drain');
      continue;
    }
    const group = groupOf.get(line.number);
    if (!group) continue;
    if (group.lines.length === 1) {
      const info = line.oversized ? { length: line.length, sha256: line.sha256, tail: line.tail } : {};
      if (quarantine.add(line.number, group.reason, Buffer.from(line.bytes), info)) await quarantine.write();
      continue;
    }
    const held = parts.get(group) ?? [];
    parts.set(group, [...held, ...(held.length > 0 ? [NEWLINE] : []), Buffer.from(line.bytes)]);
    if (line.number === group.lines[group.lines.length - 1]) {
      if (quarantine.add(group.lines[0], group.reason, Buffer.concat(parts.get(group)!))) await quarantine.write();
      parts.delete(group);
    }
  }
  stream.end();
  await finished(stream);
}
