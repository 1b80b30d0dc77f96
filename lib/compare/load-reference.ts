import { layout, ReferenceMeta, type ReferenceCalibration, type SummaryRow } from '../format';
import { damageReason, DamagedFileError } from '../storage/damaged-file';
import type { Storage } from '../storage/storage';
import { damagedProfile } from './profile-cache';
import { checkCalibration, profileIdentity, referenceWarnings, type ProfileIdentity } from './calibration';
import type { SummaryDecoder } from './load-window';

export interface LoadedReference {
  meta: ReferenceMeta;
  /** Feature → summary of the whole reference. */
  whole: Map<string, SummaryRow>;
  /**
   * Feature → its time-ordered chunk summaries, decoded on first call: with a stored calibration
   * (the usual case) they are never needed, and they are ten times the whole reference's rows.
   */
  loadChunks: () => Promise<Map<string, SummaryRow[]>>;
  /** The profile the thresholds are calibrated from. */
  identity: ProfileIdentity;
  /** calibration.json when it was computed from this very profile (whatever its config inputs). */
  calibration?: ReferenceCalibration;
  /** Why thresholds from this reference may not be trusted (too few chunks): shown with every comparison. */
  warnings: string[];
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export async function loadReference(storage: Storage, model: string, name: string, decode: SummaryDecoder): Promise<LoadedReference> {
  const [metaBytes, profileBytes, calibrationBytes] = await Promise.all([
    storage.read(layout.referenceMeta(model, name)),
    storage.read(layout.referenceProfile(model, name)),
    storage.read(layout.referenceCalibration(model, name)),
  ]);
  if (metaBytes === undefined || profileBytes === undefined) {
    throw new NotFoundError(`model "${model}" has no reference "${name}": add one with \`driftwatch reference add --model ${model} --name ${name} --file …\``);
  }
  let meta: ReferenceMeta;
  try {
    meta = ReferenceMeta.parse(JSON.parse(new TextDecoder().decode(metaBytes)));
  } catch (error) {
    throw new DamagedFileError(layout.referenceMeta(model, name), damageReason(error), storage.url);
  }
  const profileKey = layout.referenceProfile(model, name);
  const inner: ReferenceDecoder = decode;
  const read: ReferenceDecoder = (files, options) =>
    inner(files, options).catch((error: unknown) => {
      throw damagedProfile(error, () => profileKey, storage.url);
    });
  const [rows] = await read([profileBytes], { wholeOnly: true });
  const { whole, chunks } = splitReferenceRows(rows);
  // A decoder that ignores `wholeOnly` (tests' JSON decoders) returned the chunks already.
  let loaded: Promise<Map<string, SummaryRow[]>> | undefined = rows.some((r) => r.chunk >= 0) || meta.chunks === 0 ? Promise.resolve(chunks) : undefined;
  const loadChunks = () => (loaded ??= read([profileBytes]).then(([all]) => splitReferenceRows(all).chunks));
  const identity = profileIdentity(profileBytes, meta);
  const { calibration } = checkCalibration(calibrationBytes, identity);
  return { meta, whole, loadChunks, identity, calibration, warnings: referenceWarnings(meta) };
}

/** A summary decoder that may skip a reference's chunk rows when asked (lib/duckdb's does). */
type ReferenceDecoder = (files: readonly Uint8Array[], options?: { wholeOnly?: boolean }) => Promise<SummaryRow[][]>;

/** A reference profile's rows: the whole reference (chunk −1) by feature, and each feature's chunks in order. */
export function splitReferenceRows(rows: readonly SummaryRow[]): { whole: Map<string, SummaryRow>; chunks: Map<string, SummaryRow[]> } {
  const whole = new Map<string, SummaryRow>();
  const chunks = new Map<string, SummaryRow[]>();
  for (const row of rows) {
    if (row.chunk < 0) whole.set(row.feature, row);
    else {
      let list = chunks.get(row.feature);
      if (!list) chunks.set(row.feature, (list = []));
      list.push(row);
    }
  }
  for (const list of chunks.values()) list.sort((a, b) => a.chunk - b.chunk);
  return { whole, chunks };
}
