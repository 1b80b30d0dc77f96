import { basename, join } from 'node:path';
import { dataFormatOf, withTempDir } from '../duckdb';
import { ModelName } from '../format';
import { ingestEvents, MAX_EVENT_BYTES } from './ingest-events';
import { ingestTable } from './ingest-table';
import { intactPrefix } from './intact-prefix';
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
  if (format === 'parquet' || !options.file.toLowerCase().endsWith('.gz')) return ingestTable(options);
  // A damaged .gz table: its intact lines are ingested (the damage reported), as for events.
  return withTempDir('ingest-gz', async (dir) => {
    const whole = join(dir, basename(options.file).replace(/\.gz$/i, ''));
    const damage = await intactPrefix(options.file, whole);
    if (!damage) return ingestTable(options);
    const result = await ingestTable({ ...options, file: whole, sourceName: options.sourceName ?? options.file });
    return { ...result, damage };
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
