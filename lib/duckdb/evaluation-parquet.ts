import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationCodec } from '../compare/evaluate';
import type { EvaluationRow } from '../format';
import { ChunkColumns, isValid, listSpan, streamChunks } from './chunks';
import { withConnection } from './database';
import { expectedRows } from './summary-parquet';
import { scanSql } from './data-source';
import { sqlString, sqlStringList } from './sql';
import { withTempDir } from './temp-dir';
import { withoutTempPaths } from '../storage/damaged-file';

/**
 * Evaluation rows as Parquet (docs/format.md, "Evaluation rows"): one row per window end ×
 * reference × feature. Window bounds are epoch ms (BIGINT, like profiles); every metric is a
 * MAP(VARCHAR, DOUBLE) entry, NULL where it does not apply.
 */
const COLUMNS = {
  model: 'VARCHAR',
  reference: 'VARCHAR',
  window_from: 'BIGINT',
  window_to: 'BIGINT',
  window_hours: 'INTEGER',
  name: 'VARCHAR',
  type: 'VARCHAR',
  count: 'BIGINT',
  failed_rate: 'DOUBLE',
  reference_failed_rate: 'DOUBLE',
  metrics: 'MAP(VARCHAR, DOUBLE)',
  metric: 'VARCHAR',
  value: 'DOUBLE',
  threshold: 'DOUBLE',
  threshold_source: 'VARCHAR',
  verdict: 'VARCHAR',
  hint: 'VARCHAR',
  unseen_categories: 'VARCHAR[]',
} as const;

/** An evaluation file that cannot be decoded; `fileIndex` as SummaryFileError's, `reason` free of temporary paths. */
export class EvaluationFileError extends Error {
  override readonly name = 'EvaluationFileError';
  readonly reason: string;
  readonly fileIndex: number | undefined;

  constructor(reason: string, fileIndex?: number) {
    super(`evaluation file${fileIndex === undefined ? '' : ` ${fileIndex}`} is damaged: ${reason}`);
    this.reason = reason;
    this.fileIndex = fileIndex;
  }
}

const unreadable = (error: unknown, fileIndex?: number) => new EvaluationFileError(`not a readable Parquet file: ${withoutTempPaths((error as Error).message)}`, fileIndex);

async function encode(rows: readonly EvaluationRow[]): Promise<Uint8Array> {
  return withTempDir('evaluations-write', async (dir) => {
    const input = join(dir, 'rows.ndjson');
    const out = join(dir, 'rows.parquet');
    const lines = rows.map((r) =>
      JSON.stringify({ ...r, window_from: Date.parse(r.window_from), window_to: Date.parse(r.window_to), hint: r.hint ?? null, unseen_categories: r.unseen_categories ?? null }),
    );
    await writeFile(input, lines.join('\n'));
    const select = Object.keys(COLUMNS).map((c) => `"${c}"`).join(', ');
    const source = rows.length > 0 ? `SELECT ${select} FROM ${scanSql(input, 'ndjson', { jsonColumns: COLUMNS })}` : `SELECT ${Object.entries(COLUMNS).map(([c, t]) => `CAST(NULL AS ${t}) AS "${c}"`).join(', ')} LIMIT 0`;
    await withConnection((c) => c.run(`COPY (${source}) TO ${sqlString(out)} (FORMAT parquet)`));
    return new Uint8Array(await readFile(out));
  }, 'small');
}

const VERDICTS = new Set(['ok', 'drift', 'failing', 'not_monitored']);
const SOURCES = new Set(['config', 'reference', 'floor']);

const STRINGS = ['model', 'reference', 'name', 'type', 'metric', 'threshold_source', 'verdict', 'hint'] as const;
const NUMBERS = ['window_from', 'window_to', 'window_hours', 'count', 'failed_rate', 'reference_failed_rate', 'value', 'threshold'] as const;

/** Typed decoding from DuckDB's vectors: a 30-day trend reads ~150,000 rows, and row objects took seconds. */
async function decode(bytes: Uint8Array): Promise<EvaluationRow[]> {
  return withTempDir('evaluations-read', async (dir) => {
    const path = join(dir, '0.parquet');
    await writeFile(path, bytes);
    const sql = selectRows(`read_parquet(${sqlString(path)})`);
    const out: EvaluationRow[] = [];
    try {
      await withConnection(async (c) => {
        // A streamed query that fails midway just ends: count first (see readSummaryParquetMany).
        const [expected] = await expectedRows(c, `read_parquet(${sqlStringList([path])}, filename = true)`, 1);
        for await (const chunk of streamChunks(c, sql)) decodeChunk(chunk, out);
        if (out.length !== expected) throw new EvaluationFileError(`unreadable data: ${out.length} of ${expected} rows could be read`);
      });
    } catch (error) {
      if (error instanceof EvaluationFileError) throw new EvaluationFileError(error.reason, 0);
      throw unreadable(error, 0);
    }
    return out;
  }, 'small');
}

/** The columns `decodeChunk` reads, in its order, from `source`, then `extra` columns. */
function selectRows(source: string, extra = ''): string {
  return `SELECT ${STRINGS.map((c) => `"${c}"`).join(', ')}, ${NUMBERS.map((c) => `CAST("${c}" AS DOUBLE) AS "${c}"`).join(', ')}, map_keys(metrics) AS metric_keys, map_values(metrics) AS metric_values, unseen_categories${extra} FROM ${source}`;
}

/**
 * The rows of one feature only, from several evaluation files in one query: the first trend of a
 * feature after a start needs 720 of ~150,000 rows, and decoding them all took seconds.
 */
export async function readEvaluationsOfFeature(files: readonly Uint8Array[], feature: string): Promise<EvaluationRow[][]> {
  if (files.length === 0) return [];
  return withTempDir('evaluations-read', async (dir) => {
    const paths = files.map((_, i) => join(dir, `${i}.parquet`));
    await Promise.all(files.map((bytes, i) => writeFile(paths[i], bytes)));
    const out = files.map((): EvaluationRow[] => []);
    // The file's index comes last, after the columns decodeChunk reads.
    const sql = `${selectRows(`read_parquet(${sqlStringList(paths)}, filename = true)`, `, CAST(regexp_extract(filename, '(\\d+)\\.parquet$', 1) AS DOUBLE) AS file_index`)} WHERE "name" = ${sqlString(feature)}`;
    try {
      await withConnection(async (c) => {
        const expected = await expectedRows(c, `read_parquet(${sqlStringList(paths)}, filename = true) WHERE "name" = ${sqlString(feature)}`, files.length);
        const rows: EvaluationRow[] = [];
        for await (const chunk of streamChunks(c, sql)) {
          rows.length = 0;
          decodeChunk(chunk, rows);
          const file = chunk.float64(chunk.columnCount - 1);
          for (let i = 0; i < rows.length; i++) out[file[i]].push(rows[i]);
        }
        if (out.some((r, i) => r.length !== expected[i])) throw new EvaluationFileError('unreadable data: fewer rows could be read than the files hold');
      });
    } catch (error) {
      if (!(error instanceof EvaluationFileError) && !(error instanceof Error)) throw error;
      // Several files failed as one query: decode them one by one to name the bad one.
      if (files.length === 1) throw error instanceof EvaluationFileError ? new EvaluationFileError(error.reason, 0) : unreadable(error, 0);
      for (const [i, bytes] of files.entries()) {
        try {
          await decode(bytes);
        } catch (e) {
          if (e instanceof EvaluationFileError) throw new EvaluationFileError(e.reason, i);
          throw e;
        }
      }
      throw error instanceof EvaluationFileError ? error : unreadable(error);
    }
    return out;
  }, 'small');
}

function decodeChunk(chunk: ChunkColumns, out: EvaluationRow[]): void {
  const strings = STRINGS.map((_, i) => chunk.strings(i));
  const numbers = NUMBERS.map((_, i) => ({ values: chunk.float64(STRINGS.length + i), mask: chunk.validity(STRINGS.length + i) }));
  const base = STRINGS.length + NUMBERS.length;
  const keys = chunk.stringList(base);
  const values = chunk.float64List(base + 1);
  const unseen = { ...chunk.stringList(base + 2), mask: chunk.validity(base + 2) };
  const num = (j: number, i: number): number | null => (isValid(numbers[j].mask, i) ? numbers[j].values[i] : null);
  for (let i = 0; i < chunk.rowCount; i++) {
    const [model, reference, name, type, metric, source, verdict, hint] = strings.map((column) => column[i]);
    const windowTo = num(1, i);
    if (name === null || !VERDICTS.has(verdict as string) || !SOURCES.has(source as string) || windowTo === null || num(0, i) === null) {
      throw new EvaluationFileError(`row ${JSON.stringify(name)} is invalid: verdict, threshold_source, name and the window are required`);
    }
    const metrics: Record<string, number | null> = {};
    const [start, length] = listSpan(keys.entries, i);
    const [valueStart] = listSpan(values.entries, i);
    for (let k = 0; k < length; k++) {
      const v = valueStart + k;
      metrics[keys.values[start + k] as string] = isValid(values.valueMask ?? null, v) ? values.values[v] : null;
    }
    const row: EvaluationRow = {
      model: model as string,
      reference: reference as string,
      window_from: new Date(num(0, i) as number).toISOString(),
      window_to: new Date(windowTo).toISOString(),
      window_hours: num(2, i) as number,
      name,
      type: type as EvaluationRow['type'],
      count: num(3, i) as number,
      failed_rate: num(4, i),
      reference_failed_rate: num(5, i),
      metrics,
      metric: metric as EvaluationRow['metric'],
      value: num(6, i),
      threshold: num(7, i) as number,
      threshold_source: source as EvaluationRow['threshold_source'],
      verdict: verdict as EvaluationRow['verdict'],
    };
    if (hint !== null) row.hint = hint;
    if (isValid(unseen.mask, i)) {
      const [us, ul] = listSpan(unseen.entries, i);
      row.unseen_categories = unseen.values.slice(us, us + ul) as string[];
    }
    out.push(row);
  }
}

/** The Parquet codec of evaluation files, for `evaluateModel` and the readers of the trend. */
export const evaluationParquet: EvaluationCodec = { encode, decode };
