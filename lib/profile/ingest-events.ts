import { gzipSync } from 'node:zlib';
import { hourStart, layout, SCORE_FEATURE } from '../format';
import { parseEventLine } from './event-line';
import { batchIdOf } from './file-hash';
import { ValueCounter } from './infer-kinds';
import { readLines } from './line-reader';
import { readModelMeta, updateModelMeta, writeModelMeta } from './model-store';
import type { IngestOptions, IngestResult } from './options';
import { Quarantine } from './quarantine';
import { kindOverrides } from './table-columns';

/** Lines longer than this are quarantined as oversized, unread. */
export const MAX_EVENT_BYTES = 1 << 20;
/** zlib level 3: 2.4× faster than the default 6 on event JSON, for 5% larger files. */
const GZIP_LEVEL = 3;
/** Accepted events are held up to this many bytes, then written out as one part per hour. */
const FLUSH_BYTES = 32 << 20;

interface HourBuffer {
  lines: string[];
  part: number;
}

/**
 * NDJSON(.gz) prediction events → raw gzip NDJSON per prediction hour. Batch keys are
 * `<hash of file and options>-<part>`: the parts depend only on the file, so re-ingesting it
 * writes nothing new (writeIfAbsent) and a crashed run can simply be repeated.
 */
export async function ingestEvents(options: IngestOptions): Promise<IngestResult> {
  const { storage, model, file, onProgress } = options;
  const batchId = await batchIdOf(file, { kind: 'events', model, exclude: options.exclude ?? [] });
  const existing = await readModelMeta(storage, model);
  const excluded = new Set(options.exclude ?? []);
  const counter = new ValueCounter();
  const quarantine = new Quarantine(storage, model, batchId);
  const buffers = new Map<number, HourBuffer>();
  const result: IngestResult = { accepted: 0, quarantined: 0, batches: 0, duplicateBatches: 0, hours: [] };
  const hours = new Set<number>();
  let buffered = 0;
  let sawScore = false;

  const flush = async (): Promise<void> => {
    for (const [hour, buffer] of [...buffers].sort((a, b) => a[0] - b[0])) {
      if (buffer.lines.length === 0) continue;
      const key = layout.rawPredictions(model, hour, `${batchId}-${buffer.part++}`, 'ndjson.gz');
      const written = await storage.writeIfAbsent(key, gzipSync(`${buffer.lines.join('\n')}\n`, { level: GZIP_LEVEL }));
      if (written) result.batches++;
      else result.duplicateBatches++;
      buffer.lines = [];
    }
    buffered = 0;
  };

  for await (const line of readLines(file, MAX_EVENT_BYTES)) {
    if (!line.oversized && line.text.trim() === '') continue;
    const parsed = line.oversized ? ({ ok: false, reason: `oversized: line is longer than ${MAX_EVENT_BYTES} bytes` } as const) : parseEventLine(line.text, model);
    if (!parsed.ok) {
      quarantine.add(line.number, parsed.reason, line.text);
      result.quarantined++;
      continue;
    }
    const { event, ms } = parsed;
    let text = parsed.text;
    if (excluded.size > 0 && Object.keys(event.features).some((k) => excluded.has(k))) {
      for (const name of excluded) delete event.features[name];
      text = JSON.stringify(event);
    }
    for (const name in event.features) counter.add(name, event.features[name]);
    if (event.score !== undefined && event.score !== null) {
      sawScore = true;
      counter.add(SCORE_FEATURE, event.score);
    }
    const hour = hourStart(ms);
    hours.add(hour);
    let buffer = buffers.get(hour);
    if (!buffer) buffers.set(hour, (buffer = { lines: [], part: 0 }));
    buffer.lines.push(text);
    buffered += text.length;
    result.accepted++;
    if (buffered >= FLUSH_BYTES) await flush();
    if ((result.accepted + result.quarantined) % 100_000 === 0) onProgress?.({ stage: 'ingesting', done: result.accepted + result.quarantined });
  }
  await flush();
  await quarantine.write();

  const scoreName = existing?.score ?? SCORE_FEATURE;
  const found = new Map([...counter.kinds()].filter(([name]) => name !== SCORE_FEATURE || !sawScore));
  if (sawScore) found.set(scoreName, counter.kinds().get(SCORE_FEATURE) ?? 'numeric');
  const overrides = kindOverrides(file, options, [...found.keys(), ...(existing?.features.map((f) => f.name) ?? [])]);
  const { meta, changed } = updateModelMeta(existing, model, { found, overrides, score: sawScore ? scoreName : null });
  if (changed && result.accepted > 0) await writeModelMeta(storage, meta);
  result.hours = [...hours].sort((a, b) => a - b);
  onProgress?.({ stage: 'done', done: result.accepted + result.quarantined });
  return result;
}
