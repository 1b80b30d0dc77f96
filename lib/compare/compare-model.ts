import type { Storage } from '../storage/storage';
import { compareFeature, VERDICT_SEVERITY, type FeatureComparison } from './compare-feature';
import { CategoricalMetric, NumericMetric, type Config } from './config';
import type { MetricName } from './feature-metrics';
import { loadReference, type LoadedReference } from './load-reference';
import { loadWindow, type AvailableProfiles, type LoadedWindow, type SummaryDecoder } from './load-window';
import type { ProfileCache } from './profile-cache';
import { referenceThreshold, type Threshold } from './thresholds';

export interface CompareResult {
  model: string;
  from: string;
  to: string;
  reference: string;
  rows: number;
  features: FeatureComparison[];
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

/** Thresholds depend only on the reference and the metric: computed once per process. */
export class ReferenceCache {
  private readonly references = new Map<string, Promise<LoadedReference>>();
  private readonly thresholds = new Map<string, Threshold>();

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

  threshold(key: string, compute: () => Threshold): Threshold {
    let t = this.thresholds.get(key);
    if (!t) {
      t = compute();
      this.thresholds.set(key, t);
    }
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
    const metric = (override ?? own.metric ?? (live.kind === 'numeric' ? config.defaults.numeric_metric : config.defaults.categorical_metric)) as MetricName;
    const threshold: Threshold =
      own.threshold !== undefined && (override === undefined || override === own.metric)
        ? { value: own.threshold, source: 'config' }
        : cache.threshold(`${storage.url}|${model}|${reference}|${options.referenceVersion ?? ''}|${name}|${metric}|${JSON.stringify(config.defaults)}`, () =>
            referenceThreshold(ref.chunks.get(name) ?? [], metric, config.defaults),
          );
    const compared = compareFeature(refRow, live, metric, threshold, config.defaults, own);
    if (options.metric !== undefined && override === undefined) compared.metric_note = `${options.metric} is not defined for ${live.kind} features: ${metric} (its configured metric) is shown`;
    features.push(compared);
  }
  // Verdicts first (failing, drift, ok, not monitored), then by how far past its threshold each feature is.
  features.sort((a, b) => VERDICT_SEVERITY[a.verdict] - VERDICT_SEVERITY[b.verdict] || excess(b) - excess(a) || a.name.localeCompare(b.name));
  return { model, from: new Date(window.plan.from).toISOString(), to: new Date(window.plan.to).toISOString(), reference, rows, features };
}

/** Metrics defined for a feature kind (docs/metrics.md). */
export function metricApplies(metric: MetricName, kind: 'numeric' | 'categorical'): boolean {
  return kind === 'numeric' ? (NumericMetric.options as readonly string[]).includes(metric) : (CategoricalMetric.options as readonly string[]).includes(metric);
}

function excess(c: FeatureComparison): number {
  return c.value === null ? -Infinity : c.value / c.threshold;
}
