import { createHash } from 'node:crypto';
import { CALIBRATION_FORMAT, layout, ReferenceCalibration, type CalibratedThreshold, type ReferenceMeta, type SummaryRow } from '../format';
import type { Storage } from '../storage/storage';
import { CategoricalMetric, NumericMetric, verdictMetric, type Config, type Defaults } from './config';
import type { MetricName } from './feature-metrics';
import { calibratedThreshold, chunkStatistics, inflationRatio, separateChunks, statisticsOf, thresholdFromStatistics, type Threshold } from './thresholds';

/** What a calibration was computed from: the reference profile's bytes and its chunking. */
export interface ProfileIdentity {
  sha256: string;
  rows: number;
  chunks: number;
}

export function profileIdentity(profileBytes: Uint8Array, meta: Pick<ReferenceMeta, 'rows' | 'chunks'>): ProfileIdentity {
  return { sha256: createHash('sha256').update(profileBytes).digest('hex'), rows: meta.rows, chunks: meta.chunks };
}

type CalibrationInputs = Pick<Defaults, 'sigmas' | 'materiality'>;

/** The config inputs that shape default thresholds, as one comparable string ("sigmas=3 area=0.08 …"). */
export function calibrationFingerprint(defaults: CalibrationInputs): string {
  const floors = Object.entries(defaults.materiality).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [`sigmas=${defaults.sigmas}`, ...floors.map(([k, v]) => `${k}=${v}`)].join(' ');
}

/** Every metric defined for a feature kind (docs/metrics.md). */
export function metricsOfKind(kind: 'numeric' | 'categorical'): MetricName[] {
  return [...(kind === 'numeric' ? NumericMetric.options : CategoricalMetric.options)];
}

function inputsOf(defaults: CalibrationInputs): ReferenceCalibration['inputs'] {
  return { sigmas: defaults.sigmas, materiality: { ...defaults.materiality }, fingerprint: calibrationFingerprint(defaults) };
}

/** What `reference add` knows beyond the profile: columns that cannot drift. */
export interface CalibrationExtras {
  /** Feature → why it is not monitored for drift by default (lib/profile/reference-columns.ts). */
  columns?: ReadonlyMap<string, ColumnNotice>;
}

export type ColumnNotice = NonNullable<ReferenceCalibration['features'][string]['column']>;

/**
 * Default thresholds of every feature of a reference, for every metric of its kind: the chunk
 * comparisons (the costly part, ~1 s at 200 features) are done once here, when the reference is added.
 */
export function calibrateReference(
  model: string,
  name: string,
  identity: ProfileIdentity,
  whole: ReadonlyMap<string, SummaryRow>,
  chunks: ReadonlyMap<string, readonly SummaryRow[]>,
  defaults: CalibrationInputs,
  now = new Date(),
  extras: CalibrationExtras = {},
): ReferenceCalibration {
  const features: ReferenceCalibration['features'] = {};
  for (const [feature, row] of [...whole].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const metrics = metricsOfKind(row.kind);
    // The profile holds the row-ordered chunks and, since format 1.1, the chunks drawn at random.
    const { ordered, random: randomRows } = separateChunks(chunks.get(feature) ?? []);
    const stats = chunkStatistics(ordered, metrics);
    const random = randomRows.length > 0 ? chunkStatistics(randomRows, metrics) : undefined;
    const thresholds: Record<string, CalibratedThreshold> = {};
    for (const metric of metrics) thresholds[metric] = stored(calibratedThreshold(stats.get(metric) ?? null, random ? (random.get(metric) ?? null) : undefined, metric, defaults, row.kind));
    const column = extras.columns?.get(feature);
    features[feature] = column ? { kind: row.kind, thresholds, column } : { kind: row.kind, thresholds };
  }
  return { format: CALIBRATION_FORMAT, model, reference: name, profile: identity, inputs: inputsOf(defaults), created_at: now.toISOString(), features };
}

/**
 * The same calibration under other config inputs: the chunk statistics do not depend on the
 * config, so only mean + sigmas·sd and the floor are applied again (exactly as `referenceThreshold`).
 */
export function recalibrate(calibration: ReferenceCalibration, defaults: CalibrationInputs, now = new Date()): ReferenceCalibration {
  const features: ReferenceCalibration['features'] = {};
  for (const [feature, entry] of Object.entries(calibration.features)) {
    const out: Record<string, CalibratedThreshold> = {};
    for (const [metric, t] of Object.entries(entry.thresholds)) {
      out[metric] = stored(
        t.chunking ? calibratedThreshold(t.ordered ?? null, t.random ?? null, metric as MetricName, defaults, entry.kind) : thresholdFromStatistics(statisticsOf(t), metric as MetricName, defaults, entry.kind),
      );
    }
    features[feature] = { ...entry, thresholds: out };
  }
  return { ...calibration, inputs: inputsOf(defaults), created_at: now.toISOString(), features };
}

function stored(t: Threshold): CalibratedThreshold {
  if (t.source === 'config') throw new RangeError('a config threshold is not part of a calibration');
  return { ...t, source: t.source };
}

/** The stored calibration if it is of this format, this profile and these config inputs; else why not. */
export function checkCalibration(
  bytes: Uint8Array | undefined,
  identity: ProfileIdentity,
): { calibration: ReferenceCalibration } | { calibration?: undefined; reason: 'missing' | 'unreadable' | 'other profile' } {
  if (bytes === undefined) return { reason: 'missing' };
  let parsed: ReturnType<typeof ReferenceCalibration.safeParse>;
  try {
    parsed = ReferenceCalibration.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return { reason: 'unreadable' };
  }
  if (!parsed.success) return { reason: 'unreadable' };
  const p = parsed.data.profile;
  if (p.sha256 !== identity.sha256 || p.rows !== identity.rows || p.chunks !== identity.chunks) return { reason: 'other profile' };
  return { calibration: parsed.data };
}

export async function writeCalibration(storage: Storage, calibration: ReferenceCalibration): Promise<void> {
  await storage.write(layout.referenceCalibration(calibration.model, calibration.reference), `${JSON.stringify(calibration)}\n`);
}

/** Chunks a calibration needs to be trusted, and rows per chunk (docs/metrics.md). */
export const MIN_REFERENCE_CHUNKS = 10;
export const MIN_CHUNK_ROWS = 500;

/** Why a reference is too small to calibrate thresholds from (empty when it is large enough). */
export function referenceWarnings(meta: Pick<ReferenceMeta, 'name' | 'rows' | 'chunks' | 'chunk_rows'>): string[] {
  const warnings: string[] = [];
  if (meta.chunks < MIN_REFERENCE_CHUNKS) {
    const rows = meta.rows.toLocaleString('en-US');
    warnings.push(
      `reference "${meta.name}" has ${meta.chunks} chunk${meta.chunks === 1 ? '' : 's'} (${rows} rows): thresholds need at least ${MIN_REFERENCE_CHUNKS} chunks of ${MIN_CHUNK_ROWS} rows` +
        `${meta.chunks < 3 ? ', so the materiality floors are used instead' : ' to be calibrated reliably'}; add a reference of at least ${(MIN_REFERENCE_CHUNKS * MIN_CHUNK_ROWS).toLocaleString('en-US')} rows`,
    );
  } else if (meta.chunk_rows < MIN_CHUNK_ROWS) {
    warnings.push(`reference "${meta.name}" has chunks of ${meta.chunk_rows.toLocaleString('en-US')} rows: thresholds need chunks of at least ${MIN_CHUNK_ROWS} rows to be calibrated reliably`);
  }
  return warnings;
}

/**
 * What a reader must know about a calibration's reference: the features whose row-ordered chunks
 * were inflated (thresholds from random chunks instead), for their verdict metric; columns that
 * are not monitored (an identifier grows with the rows by nature) are left out.
 */
export function stationarityNotice(calibration: ReferenceCalibration, config: Config): string | null {
  const inflated: string[] = [];
  for (const [feature, entry] of Object.entries(calibration.features)) {
    const drift = config.models[calibration.model]?.features[feature]?.drift;
    // Not monitored (a calendar feature set `drift: false`, an identifier): its row order is no news.
    if (drift === false || (entry.column && drift !== true)) continue;
    const metric = verdictMetric(config, calibration.model, feature, entry.kind);
    const t = entry.thresholds[metric];
    if (t?.chunking !== 'random' || !t.ordered || !t.random) continue;
    const sigmas = t.sigmas ?? calibration.inputs.sigmas;
    const ordered = Math.max(t.floor ?? 0, t.ordered.chunk_mean + sigmas * t.ordered.chunk_sd);
    const ratio = inflationRatio(t.ordered, t.random, metric, sigmas);
    inflated.push(`${feature} (${metric} ${fmt(ordered)} from row-ordered chunks, ${fmt(t.value)} from random ones${ratio === null ? '' : `, ${ratio.toFixed(1)}×`})`);
  }
  if (inflated.length === 0) return null;
  const shown = inflated.slice(0, 5).join(', ') + (inflated.length > 5 ? ` and ${inflated.length - 5} more` : '');
  return `reference "${calibration.reference}" is not stationary over its rows: ${shown}; thresholds come from chunks drawn at random from the reference (is it sorted by something other than time?)`;
}

/** Columns of the reference not monitored for drift (identifiers, constants…) unless the config says `drift: true`. */
export function columnNotice(calibration: ReferenceCalibration, config: Config): string | null {
  const settings = config.models[calibration.model]?.features ?? {};
  const off = Object.entries(calibration.features).filter(([feature, entry]) => entry.column && settings[feature]?.drift === undefined);
  if (off.length === 0) return null;
  const shown = off.slice(0, 8).map(([feature, entry]) => `${feature} (${entry.column!.kind.replace('_', ' ')})`);
  return `not monitored for drift, as columns that cannot drift meaningfully: ${shown.join(', ')}${off.length > 8 ? ` and ${off.length - 8} more` : ''}; still checked for failed values (set drift: true for a feature in config.yaml to monitor it)`;
}

/** Every notice about a reference's calibration under this config, for `reference add`, compare and the model page. */
export function referenceNotices(calibration: ReferenceCalibration, config: Config): string[] {
  return [stationarityNotice(calibration, config), columnNotice(calibration, config)].filter((n): n is string => n !== null);
}

const fmt = (x: number): string => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
