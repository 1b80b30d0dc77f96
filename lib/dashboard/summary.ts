import 'server-only';
import { availableProfiles, futureSkewMs, windowAnchor } from '../compare';
import { DAY_MS, HOUR_MS, parseDuration, SCORE_FEATURE } from '../format';
import type { DashboardContext } from './context';
import { ApiError, resolveWindow, type ViewQuery } from './params';
import { performanceSummary, type PerformanceSummary } from './performance-view';
import { listReferences, readAllAlertEvents, readEvaluationEntries, requireModel, type DamagedKeys, type EvaluationEntry } from './store-reads';
import { changesOf, episodesOf, formatWhen, groupIncidents, healthOf, type HealthStatus, type Incident, type SummaryPoint } from './summary-core';

/** How far back incidents are looked for: at least this, or the window when it is longer. */
export const SUMMARY_LOOKBACK_MS = 7 * DAY_MS;
/** A problem already under way at the start of the lookback is followed back this far, a week at a time, to find its start. */
export const SUMMARY_MAX_LOOKBACK_MS = 60 * DAY_MS;

export interface SummaryPerformance extends Partial<PerformanceSummary> {
  /** The figures in one sentence ("estimated ROC AUC 0.76 on 14 Nov, 0.90 on the reference: 0.14 lower"). */
  text: string;
  /** Short explanations of the technical terms the text uses (tooltips). */
  terms: Record<string, string>;
}

export interface ModelSummary {
  model: string;
  status: HealthStatus;
  headline: string;
  since: string | null;
  performance: SummaryPerformance;
  incidents: Incident[];
  /** Incidents that started or ended in the 7 days before the window's end, newest first. */
  changes_7d: { at: string; text: string; incident: string }[];
  reference: string;
  /** The window the summary is as of (its end) and the period incidents were looked for in. */
  window: { from: string; to: string; as_of: string; window?: string; incidents_from: string };
  /** Dashboard pages with the evidence: the model, its alerts, its performance, each incident's features. */
  links: { model: string; alerts: string; performance: string; features: Record<string, string> };
  /** Store keys of evaluation or alert files that could not be read: what they hold is left out. */
  damaged: string[];
  /** Short explanations of terms the page may show. */
  terms: Record<string, string>;
}

const TERMS = {
  'ROC AUC': 'How well the scores rank bad cases above good ones: 1.0 is perfect, 0.5 is a coin toss.',
  estimated: 'Computed from the scores alone, before the true outcomes (labels) arrive; the band is its uncertainty.',
  realised: 'Computed from the true outcomes (labels) that have arrived.',
  reference: 'The data the model is compared with: what "usual" means here.',
};

function performanceText(p: PerformanceSummary | null): SummaryPerformance {
  if (!p) return { text: 'no performance figures: this model has no labelled reference and no labels', terms: {} };
  const parts: string[] = [];
  const day = (iso: string) => formatWhen(Date.parse(iso)).split(' ').slice(0, 2).join(' ');
  const cmp = (x: number) => {
    if (p.reference_roc_auc === null) return '';
    const d = x - p.reference_roc_auc;
    return `, ${p.reference_roc_auc.toFixed(2)} on the reference${Math.abs(d) < 0.02 ? ': as usual' : `: ${Math.abs(d).toFixed(2)} ${d < 0 ? 'lower' : 'higher'}`}`;
  };
  if (p.realised) parts.push(`realised ROC AUC ${p.realised.roc_auc.toFixed(2)} on ${day(p.realised.from)} (${Math.round(p.realised.coverage * 100)}% of predictions labelled${cmp(p.realised.roc_auc)})`);
  if (p.estimated) parts.push(`estimated ROC AUC ${p.estimated.roc_auc.toFixed(2)} on ${day(p.estimated.from)} (between ${p.estimated.roc_auc_lower.toFixed(2)} and ${p.estimated.roc_auc_upper.toFixed(2)}${cmp(p.estimated.roc_auc)})`);
  if (!parts.length) parts.push(`no performance figures in the last 7 days${p.estimate_note ? ` (${p.estimate_note})` : ''}`);
  const terms: Record<string, string> = { 'ROC AUC': TERMS['ROC AUC'] };
  if (p.estimated) terms.estimated = TERMS.estimated;
  if (p.realised) terms.realised = TERMS.realised;
  return { ...p, text: parts.join('; '), terms };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * GET /api/models/{model}/summary: the model's health as of the window's end in plain language —
 * status, one-sentence headline, incidents (features whose problems started together), performance,
 * what changed in the last 7 days and links to the evidence. Read from the stored evaluations and
 * alert events of the first reference (or `reference`) and the evaluation window of config.yaml.
 */
export async function modelSummary(ctx: DashboardContext, model: string, query: Pick<ViewQuery, 'from' | 'to' | 'window' | 'reference'>, nowMs = Date.now()): Promise<ModelSummary> {
  const meta = await requireModel(ctx.storage, model, ctx.files);
  const reference = query.reference ?? ctx.config.evaluation.references[0];
  const references = await listReferences(ctx.storage, model);
  if (!references.includes(reference)) throw new ApiError(404, `model "${model}" has no reference "${reference}"${references.length ? ` (references: ${references.join(', ')})` : ''}`);
  const available = await availableProfiles(ctx.storage, model);
  const { anchorMs, latestDataMs } = windowAnchor(available, nowMs, futureSkewMs(ctx.config));
  const resolved = resolveWindow(query, anchorMs, ctx.config.evaluation.window);
  const asOf = resolved.toMs;
  const lookFrom = Math.min(resolved.fromMs, asOf - SUMMARY_LOOKBACK_MS);
  const hours = (parseDuration(ctx.config.evaluation.window) ?? 12 * HOUR_MS) / HOUR_MS;
  const every = parseDuration(ctx.config.evaluation.every) ?? HOUR_MS;
  const damaged: DamagedKeys = new Set();
  const [firstEntries, events, perf] = await Promise.all([
    readEvaluationEntries(ctx.storage, model, lookFrom, asOf, undefined, damaged),
    readAllAlertEvents(ctx.storage, model, ctx.files, damaged),
    performanceSummary(ctx, model, asOf),
  ]);
  // Per feature, window end → its latest row (a re-evaluated window keeps the latest).
  const byFeature = new Map<string, Map<number, SummaryPoint>>();
  const add = (entries: readonly EvaluationEntry[]) => {
    for (const { row: r, end } of entries) {
      if (r.reference !== reference || r.window_hours !== hours) continue;
      let ends = byFeature.get(r.name);
      if (!ends) byFeature.set(r.name, (ends = new Map()));
      ends.set(end, { end, verdict: r.verdict, value: r.value, threshold: r.threshold, failed_rate: r.failed_rate, reference_failed_rate: r.reference_failed_rate, hint: r.hint, unseen_categories: r.unseen_categories, count: r.count });
    }
  };
  add(firstEntries);
  // A feature breaching at the first evaluation read started earlier: read back a week at a time until its start is found.
  let readFrom = lookFrom;
  const underWay = () => [...byFeature.values()].some((ends) => {
    const first = [...ends.values()].reduce<SummaryPoint | undefined>((a, b) => (a === undefined || b.end < a.end ? b : a), undefined);
    return first !== undefined && (first.verdict === 'drift' || first.verdict === 'failing');
  });
  while (underWay() && asOf - readFrom < SUMMARY_MAX_LOOKBACK_MS) {
    const older = await readEvaluationEntries(ctx.storage, model, readFrom - 7 * DAY_MS, readFrom - 1, undefined, damaged);
    readFrom -= 7 * DAY_MS;
    if (older.length === 0) break;
    add(older);
  }
  const fired = new Map<string, number[]>();
  for (const e of events) {
    if (e.kind !== 'firing' || e.reference !== reference || e.on === 'performance') continue;
    const at = Date.parse(e.at);
    if (at > asOf) continue;
    fired.set(e.feature, [...(fired.get(e.feature) ?? []), at]);
  }
  const episodes = [...byFeature.entries()].flatMap(([name, ends]) => episodesOf(name, [...ends.values()], fired.get(name) ?? []));
  // An episode at the first evaluation looked at may have started earlier: its start is only "by then".
  const scoreEpisodes = episodes.filter((e) => e.feature === SCORE_FEATURE);
  const inputEpisodes = episodes.filter((e) => e.feature !== SCORE_FEATURE);
  // The score's own change is an incident too when no input explains it (a model-side fault).
  const incidents = [...groupIncidents(inputEpisodes, scoreEpisodes, SCORE_FEATURE), ...groupIncidents(scoreEpisodes, [], SCORE_FEATURE).map((i) => ({ ...i, cause: i.cause.replace(/^score's values differ from usual/, "the model's scores differ from usual"), effect: { score_changed: true, text: 'the scores themselves changed: check the model service (a timeout, a fallback, a new version)' } }))].sort(
    (a, b) => b.since.localeCompare(a.since),
  );
  let latestEnd = -Infinity;
  for (const ends of byFeature.values()) for (const end of ends.keys()) latestEnd = Math.max(latestEnd, end);
  // Stale: the evaluations lag behind the data the window reaches (the pipeline stopped evaluating).
  const dataEnd = latestDataMs === undefined ? asOf : Math.min(asOf, latestDataMs);
  const stale = Number.isFinite(latestEnd) && dataEnd - latestEnd > 2 * every + HOUR_MS;
  const windowText = resolved.window ? (query.to ? `in the ${resolved.window} before ${formatWhen(asOf)}` : `over the last ${resolved.window} of data`) : `from ${formatWhen(resolved.fromMs)} to ${formatWhen(asOf)}`;
  const health = healthOf(incidents, { features: meta.features.filter((f) => f.name !== SCORE_FEATURE).length, windowText, stale, noData: !Number.isFinite(latestEnd) });
  const search = new URLSearchParams({ ...(query.window ? { window: query.window } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}), ...(query.reference ? { reference: query.reference } : {}) }).toString();
  const m = encodeURIComponent(model);
  const features: Record<string, string> = {};
  for (const i of incidents) for (const f of i.features) features[f] ??= `/models/${m}/features/${encodeURIComponent(f)}?${new URLSearchParams({ from: iso(Math.max(lookFrom, Date.parse(i.since) - DAY_MS)), to: iso(asOf), reference }).toString()}`;
  return {
    model,
    status: health.status,
    headline: health.headline,
    since: health.since,
    performance: performanceText(perf),
    incidents,
    changes_7d: changesOf(incidents, asOf - 7 * DAY_MS, asOf),
    reference,
    window: { from: iso(resolved.fromMs), to: iso(asOf), as_of: iso(asOf), ...(resolved.window ? { window: resolved.window } : {}), incidents_from: iso(lookFrom) },
    links: {
      model: `/models/${m}${search ? `?${search}` : ''}`,
      alerts: `/alerts?${new URLSearchParams({ model, ...(query.to ? { to: iso(asOf) } : {}) }).toString()}`,
      performance: `/models/${m}/performance${search ? `?${search}` : ''}`,
      features,
    },
    damaged: [...damaged].sort(),
    terms: { ...TERMS, 'missing or invalid': 'Values that are empty (null), not numbers, or outside what the input can take.', 'tolerated change': 'How much an input may move before it counts as changed, set per input from the reference.' },
  };
}
