import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { dataFormatOf, describeDataFile, queryRows, scanSql, sqlIdent, sqlString, streamRowObjects, withConnection, withTempDir, type ColumnInfo } from '../duckdb';
import { layout, ModelName } from '../format';
import type { Storage } from '../storage/storage';
import { batchIdOf } from '../profile/file-hash';
import { ProfileInputError } from '../profile/options';
import { Quarantine } from '../profile/quarantine';
import { timestampMsSql } from '../profile/timestamp-sql';

/** Lines per timestamp step in the latest-label key (HUGEINT: ms × 2^32 + line never wraps): the line breaks ties between equal times. */
const LINE_SPAN = 4294967296;

export interface AddLabelsOptions {
  storage: Storage;
  model: string;
  /** CSV, Parquet or NDJSON: label events `{"model", "id", "ts", "label"}` or a table with those columns. */
  file: string;
  /** Default `id`. */
  idCol?: string;
  /** Default `label`. */
  labelCol?: string;
  /** When the label became known; default `ts` when the file has it, else the time of the run. */
  timestampCol?: string;
  /** The time of the run (epoch ms), for tests; default now. */
  nowMs?: number;
}

export interface AddLabelsResult {
  /** Rows read: accepted + quarantined. */
  linesRead: number;
  accepted: number;
  quarantined: number;
  /** Ids given more than once in the file: the row with the latest `ts` (then the last row) is kept. */
  repeatedInFile: number;
  /** 1 when this file's labels were stored now, 0 when the same file was added before. */
  batches: number;
  duplicateBatches: number;
  quarantineKeys: string[];
  /** The stored key of this file's labels (undefined when none were accepted). */
  key?: string;
}

/**
 * Store a file of delayed labels (docs/format.md, "Labels"): one Parquet object per added file,
 * `id, label, ts`, under the day it was added. Nothing is joined here: the performance profile
 * joins every label to its prediction by id, whenever either arrives (lib/labels/performance-profile.ts).
 * Adding the same file again writes nothing; rows without an id or a label are quarantined.
 */
export async function addLabels(options: AddLabelsOptions): Promise<AddLabelsResult> {
  const { storage, file } = options;
  const model = ModelName.parse(options.model);
  const nowMs = options.nowMs ?? Date.now();
  const format = dataFormatOf(file);
  const batchId = await batchIdOf(file, { kind: 'labels', model, id: options.idCol, label: options.labelCol, ts: options.timestampCol });
  return withConnection(async (connection) => {
    const scan = scanSql(file, format);
    const columns = await describeDataFile(connection, file, format);
    const pick = (wanted: string | undefined, fallback: string, flag: string, required: boolean): ColumnInfo | null => {
      const name = wanted ?? fallback;
      const found = columns.find((c) => c.name === name) ?? null;
      if (!found && (required || wanted !== undefined)) throw new ProfileInputError(`${file}: no column "${name}" for ${flag} (columns: ${columns.map((c) => c.name).join(', ')})`);
      return found;
    };
    const id = pick(options.idCol, 'id', '--id-col', true)!;
    const label = pick(options.labelCol, 'label', '--label-col', true)!;
    const ts = pick(options.timestampCol, 'ts', '--timestamp-col', false);
    const modelCol = columns.find((c) => c.name === 'model') ?? null;
    const line = format === 'csv' ? '__row + 1' : '__row';
    const tsMs = ts ? timestampMsSql(sqlIdent(ts.name), ts.typeClass) : String(nowMs);
    // Parquet numbers its rows itself; a row_number() window over the file would hold all of it.
    const numbered = format === 'parquet' ? `(SELECT file_row_number + 1 AS __row, * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(file)}, file_row_number = true))` : `(SELECT row_number() OVER () AS __row, * FROM ${scan})`;
    const relation = `(SELECT ${line} AS __line, NULLIF(trim(CAST(${sqlIdent(id.name)} AS VARCHAR)), '') AS __id, NULLIF(trim(CAST(${sqlIdent(label.name)} AS VARCHAR)), '') AS __label, ${tsMs} AS __ts, ${modelCol ? `CAST(${sqlIdent(modelCol.name)} AS VARCHAR)` : 'NULL'} AS __model, ${ts ? `CAST(${sqlIdent(ts.name)} AS VARCHAR)` : 'NULL'} AS __ts_written, * FROM ${numbered})`;
    const reason = `CASE WHEN __id IS NULL THEN 'missing id' WHEN __label IS NULL THEN 'missing label' WHEN __model IS NOT NULL AND __model <> ${sqlString(model)} THEN 'label of model ' || left(__model, 80) || ', not ' || ${sqlString(model)} WHEN __ts IS NULL THEN 'bad timestamp ' || coalesce(left(__ts_written, 80), '') END`;
    const quarantine = new Quarantine(storage, model, `labels-${batchId}`, { file, kind: 'table' });
    const original = `{${[id, label, ...(ts ? [ts] : [])].map((c) => `${sqlString(c.name)}: ${sqlIdent(c.name)}`).join(', ')}}`;
    for await (const rows of streamRowObjects(connection, `SELECT CAST(__line AS DOUBLE) AS line, ${reason} AS reason, CAST(to_json(${original}) AS VARCHAR) AS raw FROM ${relation} WHERE (${reason}) IS NOT NULL ORDER BY __line`)) {
      for (const r of rows) if (quarantine.add(Number(r.line), String(r.reason), String(r.raw))) await quarantine.write();
    }
    await quarantine.write();
    const [{ n }] = await queryRows(connection, `SELECT CAST(count(*) AS DOUBLE) AS n FROM ${relation}`);
    const accepted = Number(n) - quarantine.size;
    const result: AddLabelsResult = { linesRead: Number(n), accepted, quarantined: quarantine.size, repeatedInFile: 0, batches: 0, duplicateBatches: 0, quarantineKeys: quarantine.keys };
    if (accepted === 0) return result;
    // One row per id: a file that repeats an id means its latest statement (then its last row).
    // The key packs both in one HUGEINT (ms × 2^32 + line): a struct key cost 2×.
    const good = `(SELECT * FROM ${relation} WHERE (${reason}) IS NULL)`;
    return withTempDir('labels', async (dir) => {
      const out = join(dir, 'labels.parquet');
      const written = await connection.run(
        `COPY (SELECT __id AS id, arg_max(__label, CAST(__ts AS HUGEINT) * ${LINE_SPAN} + CAST(__line AS HUGEINT)) AS label, CAST(make_timestamp(max(__ts) * 1000) AS TIMESTAMPTZ) AS ts FROM ${good} GROUP BY __id) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      result.repeatedInFile = accepted - Number(written.rowsChanged);
      const key = layout.rawLabels(model, nowMs, batchId);
      // The same file added on another day has another key: look for its batch under every day.
      const stored = (await storage.list(layout.rawLabelsPrefix(model))).some((k) => k.endsWith(`/${batchId}.parquet`));
      if (stored || !(await storage.writeIfAbsent(key, new Uint8Array(await readFile(out))))) result.duplicateBatches = 1;
      else result.batches = 1;
      result.key = key;
      return result;
    }, 'small');
  });
}
