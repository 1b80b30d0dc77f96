import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationCodec, EvaluationRow } from '../compare/evaluate';
import { queryRows, withConnection } from './database';
import { scanSql } from './data-source';
import { sqlString } from './sql';
import { withTempDir } from './temp-dir';

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

export class EvaluationFileError extends Error {
  override readonly name = 'EvaluationFileError';
}

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

const VERDICTS = new Set(['ok', 'drift', 'failing']);
const SOURCES = new Set(['config', 'reference', 'floor']);

async function decode(bytes: Uint8Array): Promise<EvaluationRow[]> {
  return withTempDir('evaluations-read', async (dir) => {
    const path = join(dir, 'rows.parquet');
    await writeFile(path, bytes);
    let raw: Record<string, unknown>[];
    try {
      raw = await withConnection((c) =>
        queryRows(c, `SELECT * REPLACE (CAST(window_from AS DOUBLE) AS window_from, CAST(window_to AS DOUBLE) AS window_to, CAST("count" AS DOUBLE) AS "count", map_entries(metrics) AS metrics) FROM read_parquet(${sqlString(path)})`),
      );
    } catch (error) {
      throw new EvaluationFileError(`evaluation file is not a readable evaluations Parquet: ${(error as Error).message.split('\n')[0]}`);
    }
    return raw.map((r) => {
      if (typeof r.name !== 'string' || !VERDICTS.has(r.verdict as string) || !SOURCES.has(r.threshold_source as string) || typeof r.window_to !== 'number') {
        throw new EvaluationFileError(`evaluation row ${JSON.stringify(r.name)} is invalid: verdict, threshold_source, name and window_to are required`);
      }
      const metrics: Record<string, number | null> = {};
      for (const { key, value } of (r.metrics as { key: string; value: number | null }[] | null) ?? []) metrics[key] = value;
      const row: EvaluationRow = {
        model: r.model as string,
        reference: r.reference as string,
        window_from: new Date(r.window_from as number).toISOString(),
        window_to: new Date(r.window_to).toISOString(),
        window_hours: r.window_hours as number,
        name: r.name,
        type: r.type as EvaluationRow['type'],
        count: r.count as number,
        failed_rate: r.failed_rate as number | null,
        reference_failed_rate: r.reference_failed_rate as number | null,
        metrics,
        metric: r.metric as EvaluationRow['metric'],
        value: r.value as number | null,
        threshold: r.threshold as number,
        threshold_source: r.threshold_source as EvaluationRow['threshold_source'],
        verdict: r.verdict as EvaluationRow['verdict'],
      };
      if (typeof r.hint === 'string') row.hint = r.hint;
      if (Array.isArray(r.unseen_categories)) row.unseen_categories = r.unseen_categories as string[];
      return row;
    });
  }, 'small');
}

/** The Parquet codec of evaluation files, for `evaluateModel` and the readers of the trend. */
export const evaluationParquet: EvaluationCodec = { encode, decode };
