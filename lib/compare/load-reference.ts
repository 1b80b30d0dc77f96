import { layout, ReferenceMeta, type SummaryRow } from '../format';
import type { Storage } from '../storage/storage';
import type { SummaryDecoder } from './load-window';

export interface LoadedReference {
  meta: ReferenceMeta;
  /** Feature → summary of the whole reference. */
  whole: Map<string, SummaryRow>;
  /** Feature → its time-ordered chunk summaries (for default thresholds). */
  chunks: Map<string, SummaryRow[]>;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export async function loadReference(storage: Storage, model: string, name: string, decode: SummaryDecoder): Promise<LoadedReference> {
  const [metaBytes, profileBytes] = await Promise.all([storage.read(layout.referenceMeta(model, name)), storage.read(layout.referenceProfile(model, name))]);
  if (metaBytes === undefined || profileBytes === undefined) {
    throw new NotFoundError(`model "${model}" has no reference "${name}": add one with \`driftwatch reference add --model ${model} --name ${name} --file …\``);
  }
  const meta = ReferenceMeta.parse(JSON.parse(new TextDecoder().decode(metaBytes)));
  const whole = new Map<string, SummaryRow>();
  const chunks = new Map<string, SummaryRow[]>();
  const [rows] = await decode([profileBytes]);
  for (const row of rows) {
    if (row.chunk < 0) whole.set(row.feature, row);
    else chunks.set(row.feature, [...(chunks.get(row.feature) ?? []), row]);
  }
  for (const list of chunks.values()) list.sort((a, b) => a.chunk - b.chunk);
  return { meta, whole, chunks };
}
