import { basename, join } from 'node:path';
import { dataFormatOf, withTempDir } from '../duckdb';
import { ModelName } from '../format';
import { ingestEvents, MAX_EVENT_BYTES } from './ingest-events';
import { ingestTable } from './ingest-table';
import { intactPrefix } from './intact-prefix';
import { repairUtf8 } from './utf8-repair';
import { readLines } from './line-reader';
import type { IngestOptions, IngestResult } from './options';

export type { IngestOptions, IngestResult } from './options';

/**
 * Import a file of predictions into raw storage, partitioned by the hour of each prediction's
 * timestamp. NDJSON with a `features` object is read as events; anything else as a wide table.
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  ModelName.parse(options.model);
  const format = dataFormatOf(options.file);
  if (format === 'ndjson' && (await isEventFile(options.file))) return ingestEvents(options);
  if (format === 'parquet') return ingestTable(options);
  // Text tables that DuckDB cannot read whole: a damaged .gz (its intact lines are ingested and
  // the damage reported, as for events) or bytes that are not UTF-8 (repaired into failed values).
  return withTempDir('ingest-table', async (dir) => {
    let path = options.file;
    let damage: IngestResult['damage'];
    if (path.toLowerCase().endsWith('.gz')) {
      const whole = join(dir, basename(path).replace(/\.gz$/i, ''));
      damage = await intactPrefix(path, whole);
      path = whole;
    }
    const repaired = join(dir, `utf8-${basename(path)}`);
    const badLines = await repairUtf8(path, repaired);
    if (badLines > 0) path = repaired;
    if (!damage && badLines === 0) return ingestTable(options);
    const result = await ingestTable({ ...options, file: path, sourceName: options.sourceName ?? options.file, countInvalidUtf8: badLines > 0 });
    return damage ? { ...result, damage } : result;
  });
}

/** Events unless the first parseable objects are flat rows; unparseable lines are the events path's to quarantine. */
async function isEventFile(file: string): Promise<boolean> {
  let objects = 0;
  for await (const line of readLines(file, MAX_EVENT_BYTES)) {
    if (line.oversized) continue;
    const text = line.bytes.toString('utf8');
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    if ('features' in value) return true;
    if (++objects >= 100) return false;
  }
  return objects === 0;
}
