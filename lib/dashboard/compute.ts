// No 'server-only' here: the worker threads (lib/dashboard/worker) run these functions too.
import { compareModel, loadWindow, type AvailableProfiles, type CompareResult, type Config, type FeatureComparison, type MetricName, type ProfileCache, type ReferenceCache, type SummaryDecoder } from '../compare';
import type { Storage } from '../storage';
import { windowCoverage, type Coverage } from './window-quality';

/** What a heavy computation reads with: a storage client, the config and the process's (or worker's) caches. */
export interface ComputeDeps {
  storage: Storage;
  config: Config;
  decode: SummaryDecoder;
  references: ReferenceCache;
  profiles: ProfileCache;
}

/** Every feature of a model compared over one window (the model view's heavy part). Plain data: it crosses threads. */
export interface WindowTask {
  model: string;
  fromMs: number;
  toMs: number;
  reference: string;
  metric?: MetricName;
  referenceVersion: string;
  available: AvailableProfiles;
}

export interface WindowAnswer {
  result: CompareResult;
  coverage: Coverage;
}

/** One feature compared over windows of `windowMs` ending at each of `ends` (a trend recomputed from summaries). */
export interface TrendTask {
  model: string;
  feature: string;
  reference: string;
  metric?: MetricName;
  referenceVersion: string;
  windowMs: number;
  ends: number[];
  available: AvailableProfiles;
}

export interface TrendAnswer {
  /** The metric the comparisons used ('' when no window had data and none was asked for). */
  metric: string;
  /** Per window end, the comparison (undefined: no data in that window). */
  points: (FeatureComparison | undefined)[];
}

export async function computeWindow(deps: ComputeDeps, task: WindowTask): Promise<WindowAnswer> {
  const { storage, config, decode } = deps;
  const window = await loadWindow(storage, task.model, task.fromMs, task.toMs, decode, deps.profiles, { available: task.available });
  const result = await compareModel({ storage, model: task.model, fromMs: task.fromMs, toMs: task.toMs, reference: task.reference, config, decode, metric: task.metric, cache: deps.references, window, referenceVersion: task.referenceVersion });
  return { result, coverage: windowCoverage(window.parts, task.available.hours, window.plan.from, window.plan.to) };
}

export async function computeTrend(deps: ComputeDeps, task: TrendTask): Promise<TrendAnswer> {
  const { storage, config, decode } = deps;
  const only = new Set([task.feature]);
  const points: (FeatureComparison | undefined)[] = [];
  let metric: string = task.metric ?? '';
  for (const end of task.ends) {
    const r = await compareModel({ storage, model: task.model, fromMs: end - task.windowMs, toMs: end, reference: task.reference, config, decode, metric: task.metric, cache: deps.references, profiles: deps.profiles, only, available: task.available, referenceVersion: task.referenceVersion });
    const f = r.features[0];
    if (f) metric = f.metric;
    points.push(f);
  }
  return { metric, points };
}
