import type { Storage } from '../storage/storage';
import type { ReferenceCalibration, SummaryRow } from '../format';
import { calibrateReference, calibrationFingerprint, metricsOfKind, recalibrate, referenceNotices, writeCalibration, type ColumnNotice } from './calibration';
import { compareFeature, VERDICT_SEVERITY, type FeatureComparison } from './compare-feature';
import { CategoricalMetric, NumericMetric, verdictMetric, type Config, type Defaults } from './config';
import type { MetricName } from './feature-metrics';
import { loadReference, type LoadedReference } from './load-reference';
import { loadWindow, type AvailableProfiles, type LoadedWindow, type SummaryDecoder } from './load-window';
import type { ProfileCache } from './profile-cache';
import { referenceThreshold, withFloor, type Threshold } from './thresholds';

export interface CompareResult {
  model: string;
  from: string;
  to: string;
  reference: string;
  rows: number;
  features: FeatureComparison[];
  /** Why this comparison's thresholds may not be trusted (e.g. a reference of too few chunks); empty when none. */
  warnings: string[];
  /** What calibration found about the reference: "reference is not stationary over its rows: …"; empty when none. */
  notices: string[];
}


export interface CompareOptions {
  storage: Storage;
  model: string;
  fromMs: number;
  toMs: number;
  reference: string;
  config: Config;
  decode: SummaryDecoder;
  /** Override the verdict metric for every feature (the dashboard's metric picker). */
  metric?: MetricName;
  /** Reuse a loaded reference (and its thresholds) across windows: evaluate compares many. */
  cache?: ReferenceCache;
  /** Decoded profiles shared across windows (evaluate, the dashboard); omit to read fresh. */
  profiles?: ProfileCache;
  /** Compare only these features (the dashboard's feature view and trend). */
  only?: ReadonlySet<string>;
  /** The model's profiles, listed once for many windows (trend). */
  available?: AvailableProfiles;
  /** The window already loaded (merged), to compare it with several references without merging again. */
  window?: LoadedWindow;
  /**
   * The reference profile's storage version, read before this call: a long-running reader (the
   * dashboard) then never uses a cached reference older than the file, nor caches a result of
   * one under a newer version. Omit where the reference cannot change meanwhile (evaluate, CLI).
   */
  referenceVersion?: string;
}

export interface ReferenceCacheOptions {
  /**
   * Store a missing or outdated calibration.json (default: true — the CLI's compare and evaluate).
   * A reader that must not write (the dashboard) computes what it needs in memory instead.
   */
  storeCalibration?: boolean;
}

/**
 * Loaded references and their default thresholds, per process. Thresholds come from the
 * reference's calibration.json (computed by `reference add`); when it is missing, older, or made
 * with other sigmas/materiality, they are derived again and, if allowed, stored again.
 */
export class ReferenceCache {
  private readonly references = new Map<string, Promise<LoadedReference>>();
  private readonly calibrated = new WeakMap<LoadedReference, Map<string, Promise<ReferenceThresholds>>>();
  private readonly storeCalibration: boolean;

  constructor(options: ReferenceCacheOptions = {}) {
    this.storeCalibration = options.storeCalibration ?? true;
  }

  reference(storage: Storage, model: string, name: string, decode: SummaryDecoder, version = ''): Promise<LoadedReference> {
    const key = `${storage.url}|${model}|${name}|${version}`;
    let loaded = this.references.get(key);
    if (!loaded) {
      loaded = loadReference(storage, model, name, decode);
      this.references.set(key, loaded);
      loaded.catch(() => this.references.delete(key));
    }
    return loaded;
  }

  /** Default thresholds of a loaded reference under these config inputs, once per process. */
  thresholds(storage: Storage, ref: LoadedReference, defaults: Defaults): Promise<ReferenceThresholds> {
    const fingerprint = calibrationFingerprint(defaults);
    let byInputs = this.calibrated.get(ref);
    if (!byInputs) this.calibrated.set(ref, (byInputs = new Map()));
    let found = byInputs.get(fingerprint);
    if (!found) {
      found = this.resolve(storage, ref, defaults, fingerprint);
      byInputs.set(fingerprint, found);
    }
    return found;
  }

  private async resolve(storage: Storage, ref: LoadedReference, defaults: Defaults, fingerprint: string): Promise<ReferenceThresholds> {
    const stored = ref.calibration && covers(ref.calibration, ref) ? ref.calibration : undefined;
    if (stored && stored.inputs.fingerprint === fingerprint) return new ReferenceThresholds(defaults, stored);
    // Same profile, other sigmas or floors: the chunk statistics still hold, only the arithmetic is redone.
    if (stored) return new ReferenceThresholds(defaults, await this.keep(storage, recalibrate(stored, defaults)));
    const chunks = await ref.loadChunks();
    if (!this.storeCalibration) return new ReferenceThresholds(defaults, undefined, chunks);
    return new ReferenceThresholds(defaults, await this.keep(storage, calibrateReference(ref.meta.model, ref.meta.name, ref.identity, ref.whole, chunks, defaults)), chunks);
  }

  private async keep(storage: Storage, calibration: ReferenceCalibration): Promise<ReferenceCalibration> {
    if (this.storeCalibration) {
      // A store this process may not write (read-only credentials) still compares; a later writer stores it.
      await writeCalibration(storage, calibration).catch(() => undefined);
    }
    return calibration;
  }
}

/** A calibration with every metric of every feature of the reference (one written by another version may lack some). */
function covers(calibration: ReferenceCalibration, ref: LoadedReference): boolean {
  for (const [feature, row] of ref.whole) {
    const entry = calibration.features[feature];
    if (!entry || entry.kind !== row.kind || metricsOfKind(row.kind).some((m) => !entry.thresholds[m])) return false;
  }
  return true;
}

/** One reference's default thresholds under one config: from a calibration, else computed from the chunks on first use. */
export class ReferenceThresholds {
  private readonly computed = new Map<string, Threshold>();

  constructor(
    private readonly defaults: Defaults,
    private readonly calibration?: ReferenceCalibration,
    private readonly chunks?: ReadonlyMap<string, readonly SummaryRow[]>,
  ) {}

  /** Why a feature is not monitored for drift by default (an identifier, a constant…), when calibration found so. */
  column(feature: string): ColumnNotice | undefined {
    return this.calibration?.features[feature]?.column;
  }

  /** The reference notices of this calibration under this config (see `stationarityNotice`). */
  notices(config: Config): string[] {
    return this.calibration ? referenceNotices(this.calibration, config) : [];
  }

  /** A metric not defined for the feature's kind (a config `metric: ks` on a category) has no chunk values: its floor. */
  get(feature: string, metric: MetricName, kind: 'numeric' | 'categorical'): Threshold {
    const stored = this.calibration?.features[feature]?.thresholds[metric];
    if (stored) return stored;
    const key = `${feature}|${metric}`;
    let t = this.computed.get(key);
    if (!t) this.computed.set(key, (t = referenceThreshold(this.chunks?.get(feature) ?? [], metric, this.defaults, kind)));
    return t;
  }
}

/** Compare every feature of a window with one reference, by merging stored summaries. */
export async function compareModel(options: CompareOptions): Promise<CompareResult> {
  const { storage, model, reference, config, decode } = options;
  const cache = options.cache ?? new ReferenceCache();
  const [ref, window] = await Promise.all([
    cache.reference(storage, model, reference, decode, options.referenceVersion),
    options.window ?? loadWindow(storage, model, options.fromMs, options.toMs, decode, options.profiles, { only: options.only, available: options.available }),
  ]);
  const thresholds = await cache.thresholds(storage, ref, config.defaults);
  const settings = config.models[model]?.features ?? {};
  const features: FeatureComparison[] = [];
  let rows = 0;
  for (const [name, live] of window.features) {
    rows = Math.max(rows, live.rows);
    const refRow = ref.whole.get(name);
    if (!refRow || refRow.kind !== live.kind) continue;
    const own = settings[name] ?? {};
    // An override that does not apply to this kind (ks for a category, linf for a number) is ignored.
    const override = options.metric !== undefined && metricApplies(options.metric, live.kind) ? options.metric : undefined;
    const metric = override ?? verdictMetric(config, model, name, live.kind);
    const threshold: Threshold =
      own.threshold !== undefined && (override === undefined || override === own.metric)
        ? { value: own.threshold, source: 'config' }
        : own.floor !== undefined
          ? withFloor(thresholds.get(name, metric, live.kind), metric, own.floor, config.defaults, live.kind)
          : thresholds.get(name, metric, live.kind);
    const column = thresholds.column(name);
    // A column that cannot drift (an identifier, a constant…) is not monitored unless the config says `drift: true`.
    const compared = compareFeature(refRow, live, metric, threshold, config.defaults, own.drift === undefined && column ? { ...own, drift: false } : own);
    if (column && own.drift === undefined) compared.notice = `${column.kind.replace('_', ' ')}: ${column.reason}; not monitored for drift (set drift: true for it in config.yaml to monitor it)`;
    if (options.metric !== undefined && override === undefined) compared.metric_note = `${options.metric} is not defined for ${live.kind} features: ${metric} (its configured metric) is shown`;
    features.push(compared);
  }
  // Verdicts first (failing, drift, ok, not monitored), then by how far past its threshold each feature is.
  features.sort((a, b) => VERDICT_SEVERITY[a.verdict] - VERDICT_SEVERITY[b.verdict] || excess(b) - excess(a) || a.name.localeCompare(b.name));
  return { model, from: new Date(window.plan.from).toISOString(), to: new Date(window.plan.to).toISOString(), reference, rows, features, warnings: [...ref.warnings], notices: thresholds.notices(config) };
}

/** Metrics defined for a feature kind (docs/metrics.md). */
export function metricApplies(metric: MetricName, kind: 'numeric' | 'categorical'): boolean {
  return kind === 'numeric' ? (NumericMetric.options as readonly string[]).includes(metric) : (CategoricalMetric.options as readonly string[]).includes(metric);
}

function excess(c: FeatureComparison): number {
  return c.value === null ? -Infinity : c.value / c.threshold;
}
