import 'server-only';
import type { AlertEvent, ChannelDelivery } from '../alerts';
import { availableProfiles, compareModel, futureSkewMs, loadWindow, readDeliveryStatus, windowAnchor, type AvailableProfiles, type CompareResult, type FeatureComparison, type MetricName } from '../compare';
import { DAY_MS, HOUR_MS, layout, parseDuration, parseTimestamp, type EvaluationRow } from '../format';
import type { DashboardContext } from './context';
import { qualitySeries, qualityStats, windowCoverage, type Coverage, type QualityPoint, type QualityStats } from './window-quality';
import { categoryBars, cdfPoints, sharedHistogram, sourceStats, type CategoryBars, type SharedHistogram, type SourceStats } from './distribution-view';
import { performanceSummary, type PerformanceSummary } from './performance-view';
import { ApiError, MAX_TREND_POINTS, MAX_WINDOW_MS, resolveWindow, type ResolvedWindow, type ViewQuery } from './params';
import { DamagedFileError, isDamagedFileError } from '../storage/damaged-file';
import { listModelNames, listReferences, readAlertStates, readAllAlertEvents, readEvaluationEntries, readEvaluationRange, requireFeature, requireModel, type DamagedKeys } from './store-reads';

export type Status = 'ok' | 'drift' | 'failing' | 'unknown';

const worst = (verdicts: readonly string[]): Status => (verdicts.includes('failing') ? 'failing' : verdicts.includes('drift') ? 'drift' : verdicts.length ? 'ok' : 'unknown');
/** How far past its threshold a comparison is (value / threshold), for sparklines and sorting. */
const ratio = (r: { value: number | null; threshold: number | null }): number | null => (r.value === null || !r.threshold ? null : r.value / r.threshold);

export interface ModelOverview {
  model: string;
  /** As of the window's end: the latest evaluation at or before it. */
  status: Status;
  reference: string;
  features: number;
  drifting: string[];
  failing: string[];
  /** Alerts firing as of the window's end. */
  firing_alerts: number;
  last_evaluation: string | null;
  /**
   * Hours from the last evaluation to now (a relative window) or to the window's end (an
   * absolute one): how old the status shown is.
   */
  age_hours: number | null;
  /** The last evaluation is older than two evaluation intervals plus an hour: the pipeline may have stopped. */
  stale: boolean;
  /** Worst value/threshold over features per evaluation of the 7 days before the window's end: the overview's sparkline. */
  worst_ratio: { at: string; ratio: number }[];
  window: WindowInfo;
  /**
   * Store keys of the model's files that could not be read (empty when none): the status above is
   * from the rest, the views that need these answer 503, and `driftwatch doctor` repairs them.
   */
  damaged: string[];
  /** The latest estimated and realised ROC AUC (7 days before the window's end); null when the model has no labels. */
  performance: PerformanceSummary | null;
}

/** Per alert (rule, feature, reference), its last event at or before `asOfMs`. */
export function alertsAsOf(events: readonly AlertEvent[], asOfMs: number): Map<string, AlertEvent> {
  const out = new Map<string, AlertEvent>();
  for (const e of events) {
    const at = Date.parse(e.at);
    if (at > asOfMs) continue;
    const key = `${e.rule}|${e.model}|${e.feature}|${e.reference}`;
    const seen = out.get(key);
    if (!seen || Date.parse(seen.at) < at || (seen.at === e.at && e.kind === 'resolved')) out.set(key, e);
  }
  return out;
}

/** Every model of the store and its status as of the window's end (default: its latest data). */
export async function overview(ctx: DashboardContext, query: Pick<ViewQuery, 'from' | 'to' | 'window'> = {}, nowMs = Date.now()): Promise<ModelOverview[]> {
  const names = await listModelNames(ctx.storage);
  const every = parseDuration(ctx.config.evaluation.every) ?? HOUR_MS;
  const reference = ctx.config.evaluation.references[0];
  const hours = (parseDuration(ctx.config.evaluation.window) ?? 12 * HOUR_MS) / HOUR_MS;
  return Promise.all(
    names.map(async (model) => {
      const damaged: DamagedKeys = new Set();
      const [meta, { resolved, info }] = await Promise.all([
        requireModel(ctx.storage, model, ctx.files).catch((error: unknown) => {
          if (!(error instanceof DamagedFileError)) throw error;
          damaged.add(error.key);
          return undefined;
        }),
        // A damaged profile state (the index of the model's hours) marks the model, as a damaged model.json does.
        modelWindow(ctx, model, query, nowMs).catch((error: unknown) => {
          if (!(error instanceof DamagedFileError)) throw error;
          damaged.add(error.key);
          return modelWindow(ctx, model, query, nowMs, { hours: new Set(), blocks: new Set(), days: new Set(), weeks: new Set() });
        }),
      ]);
      const asOf = resolved.toMs;
      const [entries, events, performance] = await Promise.all([readEvaluationEntries(ctx.storage, model, asOf - 7 * DAY_MS, asOf, undefined, damaged), readAllAlertEvents(ctx.storage, model, ctx.files, damaged), performanceSummary(ctx, model, asOf)]);
      const mine = entries.filter(({ row: r }) => r.reference === reference && r.window_hours === hours);
      let latestEnd = -Infinity;
      for (const e of mine) if (e.end > latestEnd) latestEnd = e.end;
      const latest = [...new Map(mine.filter((e) => e.end === latestEnd).map((e) => [e.row.name, e.row])).values()];
      const byEnd = new Map<number, number>();
      for (const { row: r, end } of mine) {
        const x = ratio(r);
        if (x !== null) byEnd.set(end, Math.max(byEnd.get(end) ?? 0, x));
      }
      const has = Number.isFinite(latestEnd);
      // A relative window shows the present: its status is as old as the last evaluation is now.
      const age = has ? ((resolved.window ? nowMs : asOf) - latestEnd) / HOUR_MS : null;
      const firing = [...alertsAsOf(events, asOf).values()].filter((e) => e.kind === 'firing');
      return {
        model,
        status: worst(latest.map((r) => r.verdict)),
        reference,
        features: meta?.features.length ?? 0,
        drifting: latest.filter((r) => r.verdict === 'drift').map((r) => r.name),
        failing: latest.filter((r) => r.verdict === 'failing').map((r) => r.name),
        firing_alerts: firing.length,
        last_evaluation: has ? new Date(latestEnd).toISOString() : null,
        age_hours: age,
        stale: age === null || age * HOUR_MS > 2 * every + HOUR_MS,
        worst_ratio: [...byEnd.entries()].sort((a, b) => a[0] - b[0]).map(([at, r]) => ({ at: new Date(at).toISOString(), ratio: r })),
        damaged: [...damaged].sort(),
        window: info,
        performance,
      };
    }),
  );
}

export interface WindowInfo {
  from: string;
  to: string;
  /** Statuses, alerts and sparklines are as of this instant: the window's end. */
  as_of: string;
  /** Set for a relative window ("12h"): it ends at the latest profiled hour. */
  window?: string;
  /** End of the model's latest profiled hour. */
  latest_data: string | null;
}

async function modelWindow(ctx: DashboardContext, model: string, query: Pick<ViewQuery, 'from' | 'to' | 'window'>, nowMs = Date.now(), available?: AvailableProfiles): Promise<{ resolved: ResolvedWindow; info: WindowInfo }> {
  const { anchorMs, latestDataMs } = windowAnchor(available ?? (await availableProfiles(ctx.storage, model)), nowMs, futureSkewMs(ctx.config));
  const resolved = resolveWindow(query, anchorMs, ctx.config.evaluation.window);
  const to = new Date(resolved.toMs).toISOString();
  return {
    resolved,
    info: { from: new Date(resolved.fromMs).toISOString(), to, as_of: to, window: resolved.window, latest_data: latestDataMs === undefined ? null : new Date(latestDataMs).toISOString() },
  };
}

async function requireReference(ctx: DashboardContext, model: string, reference: string): Promise<string[]> {
  const references = await listReferences(ctx.storage, model);
  if (!references.includes(reference)) throw new ApiError(404, `model "${model}" has no reference "${reference}"${references.length ? ` (references: ${references.join(', ')})` : ''}`);
  return references;
}

/** The reference profile's version, read before anything is loaded from it (see compareModel). */
async function referenceVersion(ctx: DashboardContext, model: string, reference: string): Promise<string> {
  return (await ctx.storage.version(layout.referenceProfile(model, reference))) ?? 'missing';
}

export interface FeatureRow extends FeatureComparison {
  /** value/threshold of the stored evaluations of the 48 hours before the window's end, oldest first. */
  sparkline: (number | null)[];
  /** The feature's alert as of the window's end ('pending' only for a window at the latest data). */
  alert: 'firing' | 'pending' | null;
}

export interface ModelView extends Omit<CompareResult, 'features'> {
  window: WindowInfo;
  references: string[];
  features: FeatureRow[];
  /** Rows per hour of the window: what the verdicts stand on. */
  coverage: Coverage;
  /** What a reader must know before trusting the verdicts (a small reference, an empty window, a damaged file). */
  warnings: string[];
  /** Store keys of damaged evaluation or alert files whose parts (sparklines, alert badges) the view leaves out. */
  damaged: string[];
  /** The latest estimated and realised ROC AUC (7 days before the window's end); null when the model has no labels. */
  performance: PerformanceSummary | null;
}

/** A damaged file left out of a view's secondary part, tolerated (`skipped`); any other error is thrown. */
function skipDamaged<T>(error: unknown, skipped: DamagedKeys, empty: T): T {
  if (!(error instanceof DamagedFileError)) throw error;
  skipped.add(error.key);
  return empty;
}

function damagedWarnings(keys: readonly string[], storeUrl: string, what: string): string[] {
  return keys.map((key) => `${key} is damaged: ${what}; run \`driftwatch doctor --store ${storeUrl}\` to repair it`);
}

/** Messages about the window itself: empty, or with hours missing. */
function coverageWarnings(coverage: Coverage, info: WindowInfo): string[] {
  if (coverage.rows === 0) return [`no predictions between ${info.from} and ${info.to}${info.latest_data ? ` (latest data ends ${info.latest_data})` : ''}`];
  return coverage.empty_hours > 0 ? [`${coverage.empty_hours} of ${coverage.hours.length} hours of the window have no data`] : [];
}

/** The model page: every feature compared over the window, with its recent trend and alert state as of the window's end. */
export async function modelView(ctx: DashboardContext, model: string, query: ViewQuery): Promise<ModelView> {
  await requireModel(ctx.storage, model, ctx.files);
  const reference = query.reference ?? ctx.config.evaluation.references[0];
  const references = await requireReference(ctx, model, reference);
  const available = await availableProfiles(ctx.storage, model);
  const { resolved, info } = await modelWindow(ctx, model, query, Date.now(), available);
  const version = await referenceVersion(ctx, model, reference);
  const inputs = `${reference}@${version}|${query.metric ?? ''}|${JSON.stringify(ctx.config)}`;
  const historyFrom = resolved.toMs - 48 * HOUR_MS;
  // The view is at the latest data: pending alerts (state, not events) are part of it.
  const current = info.latest_data !== null && resolved.toMs >= Date.parse(info.latest_data);
  // The whole view is cached too, by the versions of the evaluation days and alert state it shows.
  const days: string[] = [];
  for (let d = Math.floor(historyFrom / DAY_MS) * DAY_MS - DAY_MS; d < resolved.toMs; d += DAY_MS) days.push(layout.evaluations(model, d), layout.legacyEvaluations(model, d));
  // Keyed by the listings the readers below use too (cached for a few seconds), so a view is never
  // cached under new file versions with contents read from an older listing.
  const [evaluationKeys, alertKeys] = await Promise.all([ctx.storage.list(layout.evaluationsPrefix(model)), ctx.storage.list(layout.alertsPrefix(model))]);
  const listed = new Set([...evaluationKeys, ...alertKeys]);
  const shown = await Promise.all([...days.filter((k) => listed.has(k)), ...alertKeys, layout.alertState(model)].map(async (k) => `${k}@${await ctx.storage.version(k)}`));
  // Outside the cached view: labels arrive on their own schedule, and the summary reads only a few small files.
  const [view, performance] = await Promise.all([ctx.results.get(ctx.storage, model, available, resolved.fromMs, resolved.toMs, `view|${current}|${inputs}|${shown.join(',')}`, async () => {
    // Sparklines and alert badges are the view's secondary part: a damaged file there leaves them out, named.
    const damaged: DamagedKeys = new Set();
    const [{ result, coverage }, history, states, events] = await Promise.all([
      ctx.results.get(ctx.storage, model, available, resolved.fromMs, resolved.toMs, `compare|${inputs}`, () =>
        ctx.compute.window({ model, fromMs: resolved.fromMs, toMs: resolved.toMs, reference, metric: query.metric, referenceVersion: version, available }),
      ),
      readEvaluationEntries(ctx.storage, model, historyFrom, resolved.toMs, undefined, damaged),
      current ? readAlertStates(ctx.storage, model, ctx.files).catch((error: unknown) => skipDamaged(error, damaged, [])) : Promise.resolve([]),
      readAllAlertEvents(ctx.storage, model, ctx.files, damaged),
    ]);
    const hours = (parseDuration(ctx.config.evaluation.window) ?? 12 * HOUR_MS) / HOUR_MS;
    // Per feature, window end → value/threshold; a re-evaluated window keeps its latest row.
    const byFeature = new Map<string, Map<number, number | null>>();
    for (const { row: r, end } of history) {
      if (r.reference !== reference || r.window_hours !== hours) continue;
      let ends = byFeature.get(r.name);
      if (!ends) byFeature.set(r.name, (ends = new Map()));
      const x = ratio(r);
      // Display-only: three decimals are plenty for a 120-pixel line, and halve the bytes.
      ends.set(end, x === null ? null : Math.round(x * 1000) / 1000);
    }
    const series = new Map<string, (number | null)[]>();
    for (const [name, ends] of byFeature) series.set(name, [...ends.entries()].sort((x, y) => x[0] - y[0]).map(([, x]) => x));
    const firing = new Set([...alertsAsOf(events, resolved.toMs).values()].filter((e) => e.kind === 'firing' && e.reference === reference).map((e) => e.feature));
    const pending = new Set(states.filter((st) => st.status === 'pending' && st.reference === reference).map((st) => st.feature));
    const alertOf = (feature: string): FeatureRow['alert'] => (firing.has(feature) ? 'firing' : pending.has(feature) ? 'pending' : null);
    return { ...result, coverage, damaged: [...damaged].sort(), features: result.features.map((f) => ({ ...f, sparkline: series.get(f.name) ?? [], alert: alertOf(f.name) })) };
  }), performanceSummary(ctx, model, resolved.toMs)]);
  const resultWarnings = (view as { warnings?: string[] }).warnings ?? [];
  // The window as asked (relative or absolute) and the references are this request's own.
  // A reference notice ("reference is not stationary over its rows: …") is shown as the model page's notice.
  const notices = (view as { notices?: string[] }).notices ?? [];
  return { ...view, window: info, references, notices, performance, warnings: [...resultWarnings, ...coverageWarnings(view.coverage, info), ...damagedWarnings(view.damaged, ctx.storage.url, 'the sparklines and alert badges that need it are left out')] };
}

export interface FeatureSource {
  /** "live" or a reference's name. */
  name: string;
  stats: SourceStats;
  /** Numeric: [x, P(X ≤ x)] points, at most ~200. */
  cdf: [number, number][];
}

export interface FeatureQuality {
  /** The live window's failures, range and categories, against the view's reference. */
  window: QualityStats;
  /** Each reference's own failures (its range and categories are the yardstick, so those are empty). */
  references: Record<string, QualityStats>;
  /** Per stored summary of the window (hours, or rollups for long windows), oldest first. */
  series: QualityPoint[];
}

export interface FeatureView {
  model: string;
  feature: string;
  type: 'numeric' | 'categorical';
  reference: string;
  window: WindowInfo;
  references: string[];
  /** The feature against each reference over the window (a metric override applies to each, or says why not). */
  comparisons: (FeatureComparison & { reference: string })[];
  sources: FeatureSource[];
  histogram: SharedHistogram | null;
  categories: CategoryBars | null;
  coverage: Coverage;
  quality: FeatureQuality | null;
  warnings: string[];
}

/** The feature page: live against every reference, distributions ready to plot, data quality. */
export async function featureView(ctx: DashboardContext, model: string, feature: string, query: ViewQuery): Promise<FeatureView> {
  const meta = await requireModel(ctx.storage, model, ctx.files);
  const kind = requireFeature(meta, feature).kind;
  const reference = query.reference ?? ctx.config.evaluation.references[0];
  const references = await requireReference(ctx, model, reference);
  const available = await availableProfiles(ctx.storage, model);
  const { resolved, info } = await modelWindow(ctx, model, query, Date.now(), available);
  const only = new Set([feature]);
  const versions = await Promise.all(references.map((name) => referenceVersion(ctx, model, name)));
  // The live window is merged once and compared with every reference.
  const window = await loadWindow(ctx.storage, model, resolved.fromMs, resolved.toMs, ctx.decode, ctx.profiles, { only, available, keepParts: true });
  const live = window.features.get(feature);
  const compared = await Promise.all(
    references.map(async (name, i) => {
      const r = await compareModel({ storage: ctx.storage, model, fromMs: resolved.fromMs, toMs: resolved.toMs, reference: name, config: ctx.config, decode: ctx.decode, metric: query.metric, cache: ctx.references, window, referenceVersion: versions[i] });
      return { comparison: r.features.length ? { ...r.features[0], reference: name } : undefined, warnings: (r as { warnings?: string[] }).warnings ?? [] };
    }),
  );
  // The references' whole summaries, as the comparison saw them.
  const refRows = await Promise.all(references.map(async (name, i) => (await ctx.references.reference(ctx.storage, model, name, ctx.decode, versions[i])).whole.get(feature)));
  const rows = [live, ...refRows];
  const names = ['live', ...references];
  const present = rows.map((r, i) => [names[i], r] as const).filter((p): p is readonly [string, NonNullable<typeof live>] => p[1] !== undefined);
  const mainRef = refRows[references.indexOf(reference)];
  const coverage = windowCoverage(window.parts, available.hours, window.plan.from, window.plan.to);
  const quality: FeatureQuality | null = live
    ? {
        window: qualityStats(live, mainRef),
        references: Object.fromEntries(references.flatMap((name, i) => (refRows[i] ? [[name, qualityStats(refRows[i] as NonNullable<typeof live>)]] : []))),
        series: qualitySeries(window.featureParts?.get(feature) ?? [], mainRef),
      }
    : null;
  return {
    model,
    feature,
    type: kind,
    reference,
    window: info,
    references,
    comparisons: compared.flatMap((c) => (c.comparison ? [c.comparison] : [])),
    sources: present.map(([name, row]) => ({ name, stats: sourceStats(row), cdf: kind === 'numeric' ? cdfPoints(row) : [] })),
    histogram: kind === 'numeric' ? sharedHistogram(present.map(([, r]) => r)) : null,
    categories: kind === 'categorical' ? categoryBars(present.map(([, r]) => r)) : null,
    coverage,
    quality,
    warnings: [...new Set(compared.flatMap((c) => c.warnings))].concat(coverageWarnings(coverage, info)),
  };
}

export interface TrendPoint {
  /** Window end. */
  at: string;
  value: number | null;
  threshold: number | null;
  verdict: FeatureComparison['verdict'] | null;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  count: number;
}

export interface TrendView {
  model: string;
  feature: string;
  reference: string;
  metric: string;
  window: string;
  step: string;
  from: string;
  to: string;
  /** "evaluations" when the stored evaluations answer the request exactly, else "summaries". */
  source: 'evaluations' | 'summaries';
  points: TrendPoint[];
  alerts: AlertEvent[];
  /** A damaged alerts file: its markers are left out, and named here. */
  warnings: string[];
}

/**
 * The distance of one feature over time: windows of length `window` ending every `step` in
 * (from, to]. When the request matches the stored evaluations (same window, hourly steps, the
 * verdict metric) they answer it; otherwise every window is recomputed from the summaries.
 */
export async function trendView(
  ctx: DashboardContext,
  model: string,
  feature: string,
  query: { reference?: string; metric?: MetricName; windowMs: number; stepMs: number; window: string; step: string; from?: string | null; to?: string | null; range?: string | null },
): Promise<TrendView> {
  const meta = await requireModel(ctx.storage, model, ctx.files);
  requireFeature(meta, feature);
  const reference = query.reference ?? ctx.config.evaluation.references[0];
  await requireReference(ctx, model, reference);
  if (query.range && query.from) throw new ApiError(400, 'range: give either a range (with or without to) or from and to, not both');
  const range = query.range || '7d';
  if (!query.from && parseDuration(range) === undefined) throw new ApiError(400, `range: must be a whole number of hours, days or weeks, e.g. 7d; got "${range}"`);
  // `to` alone (or with `range`): the range that ends there.
  const { resolved } = await modelWindow(ctx, model, { from: query.from, to: query.to, window: query.from ? undefined : range });
  if (query.stepMs % HOUR_MS !== 0) throw new ApiError(400, 'step: must be a whole number of hours');
  if (query.windowMs > MAX_WINDOW_MS) throw new ApiError(400, `window: a window may span at most ${MAX_WINDOW_MS / DAY_MS} days`);
  const ends: number[] = [];
  for (let t = resolved.fromMs + query.stepMs; t <= resolved.toMs; t += query.stepMs) ends.push(t);
  if (ends.length > MAX_TREND_POINTS) throw new ApiError(400, `step: ${ends.length} windows requested, at most ${MAX_TREND_POINTS}: widen the step or shorten from–to`);
  const damaged: DamagedKeys = new Set();
  const events = (await readAllAlertEvents(ctx.storage, model, ctx.files, damaged)).filter((e) => e.feature === feature && e.reference === reference && Date.parse(e.at) >= resolved.fromMs && Date.parse(e.at) <= resolved.toMs);
  const base = { model, feature, reference, window: query.window, step: query.step, from: new Date(resolved.fromMs).toISOString(), to: new Date(resolved.toMs).toISOString(), alerts: events, warnings: damagedWarnings([...damaged].sort(), ctx.storage.url, 'the alert markers it holds are left out') };

  const evaluationWindow = parseDuration(ctx.config.evaluation.window);
  if (query.windowMs === evaluationWindow && query.stepMs === HOUR_MS) {
    const hours = query.windowMs / HOUR_MS;
    const byEnd = new Map<number, EvaluationRow>();
    for (const r of await readEvaluationRange(ctx.storage, model, resolved.fromMs + HOUR_MS, resolved.toMs, feature)) {
      // A day re-evaluated keeps its latest row per window end (rows are appended in order).
      if (r.reference === reference && r.window_hours === hours) byEnd.set(Date.parse(r.window_to), r);
    }
    const stored = ends.map((end) => byEnd.get(end));
    const metric = stored[0]?.metric;
    const complete = stored.every((r): r is EvaluationRow => r !== undefined && r.metric === metric);
    if (complete && stored.length > 0 && (query.metric === undefined || query.metric === metric)) {
      return { ...base, metric: metric ?? '', source: 'evaluations', points: stored.map(pointOf) };
    }
  }
  const available = await availableProfiles(ctx.storage, model);
  const version = await referenceVersion(ctx, model, reference);
  const computed = await ctx.compute.trend({ model, feature, reference, metric: query.metric, referenceVersion: version, windowMs: query.windowMs, ends, available });
  const points = ends.map((end, i): TrendPoint => {
    const f = computed.points[i];
    return f ? pointOf({ ...f, window_to: new Date(end).toISOString() }) : { at: new Date(end).toISOString(), value: null, threshold: null, verdict: null, failed_rate: null, reference_failed_rate: null, count: 0 };
  });
  return { ...base, metric: computed.metric, source: 'summaries', points };
}

function pointOf(r: Pick<EvaluationRow, 'window_to' | 'value' | 'threshold' | 'verdict' | 'failed_rate' | 'reference_failed_rate' | 'count'>): TrendPoint {
  return { at: r.window_to, value: r.value, threshold: r.threshold, verdict: r.verdict, failed_rate: r.failed_rate, reference_failed_rate: r.reference_failed_rate, count: r.count };
}

export interface AlertListItem extends AlertEvent {
  /** Still firing as of the list's time (no later resolved event for the same alert). */
  open: boolean;
  /** Failing alerts: the failed rate of the window that fired, and the reference's. */
  failed_rate?: number | null;
  reference_failed_rate?: number | null;
}

/**
 * Alert events of every model (or one), newest first, as of `to` (default: now): events after it
 * are left out and `open` says what was firing then. `state` keeps firing or resolved ones.
 */
export async function alertList(ctx: DashboardContext, query: { model?: string; state?: 'firing' | 'resolved'; to?: string | null }): Promise<AlertListItem[]> {
  if (query.model) await requireModel(ctx.storage, query.model);
  const models = query.model ? [query.model] : await listModelNames(ctx.storage);
  let asOf = Infinity;
  if (query.to) {
    const t = parseTimestamp(query.to);
    if (t === undefined) throw new ApiError(400, `to: not a timestamp (use ISO 8601, e.g. 2026-11-29T08:00:00Z); got "${query.to}"`);
    asOf = t;
  }
  const events = (await Promise.all(models.map((m) => readAllAlertEvents(ctx.storage, m, ctx.files)))).flat().filter((e) => Date.parse(e.at) <= asOf);
  events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const resolvedAfter = new Set<string>();
  const out: AlertListItem[] = [];
  for (const e of events) {
    const key = `${e.rule}|${e.model}|${e.feature}|${e.reference}`;
    const open = e.kind === 'firing' && !resolvedAfter.has(key);
    if (e.kind === 'resolved') resolvedAfter.add(key);
    if (!query.state || query.state === e.kind) out.push({ ...e, open });
  }
  // A failing alert is about failed values: show their rate (from the row of the evaluation window that fired), not the distance.
  const windowHours = (parseDuration(ctx.config.evaluation.window) ?? 12 * HOUR_MS) / HOUR_MS;
  await Promise.all(
    out
      .filter((e) => e.verdict === 'failing')
      .map(async (e) => {
        const end = Date.parse(e.window_to);
        const row = (await readEvaluationRange(ctx.storage, e.model, end, end, e.feature)).find((r) => r.reference === e.reference && r.name === e.feature && r.window_hours === windowHours);
        e.failed_rate = row?.failed_rate ?? null;
        e.reference_failed_rate = row?.reference_failed_rate ?? null;
      }),
  );
  return out;
}

/** How notifications to one channel of one model are going (state/alert-delivery.json). */
export interface AlertDeliveryItem extends ChannelDelivery {
  model: string;
  channel: string;
}

/**
 * Delivery status of every model's channels (or one model's), failing ones first: the alerts
 * page shows it beside the events, /api/alerts as `delivery`. A model whose status file is
 * missing has never delivered anything and is left out.
 */
export async function alertDelivery(ctx: DashboardContext, query: { model?: string } = {}): Promise<AlertDeliveryItem[]> {
  const models = query.model ? [query.model] : await listModelNames(ctx.storage);
  const out: AlertDeliveryItem[] = [];
  for (const model of models) {
    try {
      const status = await readDeliveryStatus(ctx.storage, model);
      for (const [channel, c] of Object.entries(status.channels)) out.push({ model, channel, ...c });
    } catch (error) {
      // A damaged status file must not hide the alerts: it shows as a row naming the key (the next evaluate rewrites it).
      if (!isDamagedFileError(error)) throw error;
      out.push({ model, channel: '(status unreadable)', last_attempt_at: null, last_success_at: null, last_error: error.message, last_error_at: null, pending: 0, delivered_last_round: 0, failed_last_round: 0 });
    }
  }
  const failing = (d: AlertDeliveryItem) => (d.pending > 0 && d.last_error !== null ? 0 : 1);
  return out.sort((a, b) => failing(a) - failing(b) || a.model.localeCompare(b.model) || a.channel.localeCompare(b.channel));
}
