/**
 * Health in plain language, the pure part: a feature's stored evaluations → its problem episodes
 * (start, end, cause), episodes that start together → incidents, incidents → a status and a
 * headline a business owner reads. No store access here (lib/dashboard/summary.ts reads it), so
 * the grouping and the wording are unit-tested on hand-made inputs.
 */

/** One stored evaluation of one feature (the fields of an EvaluationRow the summary reads). */
export interface SummaryPoint {
  /** Window end, epoch ms. */
  end: number;
  verdict: 'ok' | 'drift' | 'failing' | 'not_monitored';
  value: number | null;
  threshold: number | null;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  hint?: string;
  unseen_categories?: string[];
  count: number;
}

/** What kind of problem: features group into one incident only within the same family. */
export type CauseFamily = 'unit' | 'missing' | 'new_category' | 'shift';
export type Severity = 'high' | 'medium' | 'low';

/** One feature's uninterrupted problem: from its first breaching evaluation to the first of a clear streak. */
export interface Episode {
  feature: string;
  startMs: number;
  /** First evaluation of the clear streak that ended it; null while it lasts. */
  endMs: number | null;
  family: CauseFamily;
  /** The feature's part of the cause, in plain words ("device_score is missing in 90% of predictions (8× more than usual)"). */
  cause: string;
  severity: Severity;
  /** The worst distance ÷ its threshold during the episode. */
  worstRatio: number | null;
  /** An alert fired for the feature during the episode. */
  alerted: boolean;
}

export interface IncidentScoreEffect {
  /** The model's score (its output) drifted during the incident too. */
  score_changed: boolean;
  text: string;
}

export interface Incident {
  id: string;
  since: string;
  until: string | null;
  features: string[];
  cause: string;
  severity: Severity;
  family: CauseFamily;
  effect: IncidentScoreEffect;
  /** Each feature's own part: its start and cause. */
  details: { feature: string; since: string; until: string | null; cause: string }[];
}

export type HealthStatus = 'healthy' | 'needs attention' | 'broken';

/** Consecutive clear evaluations that end an episode (the alert rules' default resolve_after). */
export const CLEAR_AFTER = 3;
/** Episodes whose starts lie within this many ms of the incident's first start (and of one family) are one incident. */
export const GROUP_WITHIN_MS = 2 * 3_600_000;

const pct = (x: number): string => {
  const p = x * 100;
  if (p > 0 && p < 1) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
};

/** "8×", "2.5×": a ratio of two rates, rounded as a reader says it. */
export function times(x: number): string {
  if (x >= 10) return `${Math.round(x)}×`;
  return `${(Math.round(x * 10) / 10).toString()}×`;
}

const breaching = (p: SummaryPoint): boolean => p.verdict === 'drift' || p.verdict === 'failing';
const ratioOf = (p: SummaryPoint): number | null => (p.value === null || !p.threshold ? null : p.value / p.threshold);

/** The unit part of a hint ("values look ×1000 larger: seconds sent as milliseconds?"), if any. */
export function unitPart(hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  const part = hint.split('; ').find((s) => / look ×\d/.test(s));
  return part;
}

/** The family of a breaching evaluation: a unit mix-up beats missing values, which beat a new category, which beats a shift. */
export function familyOf(p: SummaryPoint): CauseFamily {
  if (unitPart(p.hint)) return 'unit';
  if (p.verdict === 'failing') return 'missing';
  if (p.unseen_categories?.length) return 'new_category';
  return 'shift';
}

const FAMILY_RANK: Record<CauseFamily, number> = { unit: 0, missing: 1, new_category: 2, shift: 3 };

/** The feature's cause in plain words, from the evaluation that shows it most clearly. */
export function causeText(feature: string, family: CauseFamily, p: SummaryPoint, entity = 'predictions'): string {
  if (family === 'unit') {
    // "values look ×1000 larger: seconds sent as milliseconds?" → "time_to_order's values look ×1000 larger: seconds sent as milliseconds?"
    return `${feature}'s ${unitPart(p.hint) ?? 'values changed unit'}`;
  }
  if (family === 'missing') {
    const live = p.failed_rate ?? 0;
    const usual = p.reference_failed_rate ?? 0;
    const comparison = usual > 0 ? (live / usual >= 1.5 ? `${times(live / usual)} more than usual` : `usually ${pct(usual)}`) : 'usually none';
    return `${feature} is missing or invalid in ${pct(live)} of ${entity} (${comparison})`;
  }
  if (family === 'new_category') {
    const cats = p.unseen_categories ?? [];
    const shown = cats.slice(0, 3).map((c) => `'${c}'`).join(', ');
    return `${feature} has ${cats.length === 1 ? 'a new value never seen before' : `${cats.length} new values never seen before`}: ${shown}${cats.length > 3 ? ', …' : ''}`;
  }
  const r = ratioOf(p);
  return `${feature}'s values differ from usual${r !== null ? ` (${times(r)} the tolerated change)` : ''}`;
}

function severityOf(family: CauseFamily, worstRatio: number | null, alerted: boolean, failedRate: number | null): Severity {
  if (family === 'unit') return 'high';
  if (family === 'missing') return (failedRate ?? 0) >= 0.2 ? 'high' : 'medium';
  if (family === 'new_category') return alerted ? 'medium' : 'low';
  if (worstRatio !== null && worstRatio >= 3) return 'high';
  return alerted ? 'medium' : 'low';
}

/**
 * A feature's problem episodes from its evaluations (any order): an episode starts at a breaching
 * evaluation and ends at the first of CLEAR_AFTER consecutive clear ones. `alertsFiredAt` are the
 * times alerts fired for the feature: an episode during which one fired is `alerted`.
 */
export function episodesOf(feature: string, points: readonly SummaryPoint[], alertsFiredAt: readonly number[] = [], entity = 'predictions'): Episode[] {
  const sorted = [...points].sort((a, b) => a.end - b.end);
  const out: Episode[] = [];
  let current: SummaryPoint[] = [];
  let clear: SummaryPoint[] = [];
  const close = (endMs: number | null) => {
    if (current.length === 0) return;
    const bad = current.filter(breaching);
    // The family the episode shows most clearly: the highest-ranked one any of its evaluations shows.
    const family = bad.map(familyOf).sort((a, b) => FAMILY_RANK[a] - FAMILY_RANK[b])[0];
    const ofFamily = bad.filter((p) => familyOf(p) === family);
    // The latest evaluation of the family says how things stand now (a switch inside a window shows fully only later).
    const shown = family === 'missing' ? ofFamily.reduce((a, b) => ((b.failed_rate ?? 0) >= (a.failed_rate ?? 0) ? b : a)) : ofFamily[ofFamily.length - 1];
    const ratios = bad.map(ratioOf).filter((x): x is number => x !== null);
    const worstRatio = ratios.length ? Math.max(...ratios) : null;
    const startMs = bad[0].end;
    const lastMs = endMs ?? Infinity;
    const alerted = alertsFiredAt.some((t) => t >= startMs && t <= lastMs);
    out.push({ feature, startMs, endMs, family, cause: causeText(feature, family, shown, entity), severity: severityOf(family, worstRatio, alerted, shown.failed_rate), worstRatio, alerted });
    current = [];
  };
  for (const p of sorted) {
    if (p.verdict === 'not_monitored') continue;
    if (breaching(p)) {
      current.push(...clear.filter(() => current.length > 0), p);
      clear = [];
    } else if (current.length > 0) {
      clear.push(p);
      if (clear.length >= CLEAR_AFTER) {
        close(clear[0].end);
        clear = [];
      }
    }
  }
  close(null);
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Episodes that start within GROUP_WITHIN_MS of an incident's first start and share its cause
 * family are one incident. `scoreEpisodes` are the model score's own episodes: an incident whose
 * period overlaps one changed the score too.
 */
export function groupIncidents(episodes: readonly Episode[], scoreEpisodes: readonly Episode[] = [], scoreName = 'score'): Incident[] {
  const sorted = [...episodes].sort((a, b) => a.startMs - b.startMs || a.feature.localeCompare(b.feature));
  const groups: Episode[][] = [];
  for (const e of sorted) {
    const group = groups.find((g) => g[0].family === e.family && e.startMs - g[0].startMs <= GROUP_WITHIN_MS);
    if (group) group.push(e);
    else groups.push([e]);
  }
  return groups.map((g) => {
    const startMs = Math.min(...g.map((e) => e.startMs));
    const ongoing = g.some((e) => e.endMs === null);
    const endMs = ongoing ? null : Math.max(...g.map((e) => e.endMs as number));
    const severity = g.map((e) => e.severity).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0];
    const byWeight = [...g].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (b.worstRatio ?? 0) - (a.worstRatio ?? 0));
    const cause = byWeight.length === 1 ? byWeight[0].cause : `${byWeight[0].cause}; ${byWeight.length === 2 ? byWeight[1].cause : `and ${byWeight.length - 1} more inputs (${byWeight.slice(1).map((e) => e.feature).join(', ')}) changed at the same time`}`;
    const overlap = scoreEpisodes.filter((s) => s.startMs <= (endMs ?? Infinity) && (s.endMs ?? Infinity) >= startMs);
    const during = overlap.filter((s) => s.startMs >= startMs - GROUP_WITHIN_MS);
    const effect: IncidentScoreEffect = during.length
      ? { score_changed: true, text: `the model's ${scoreName} changed too, from ${formatWhen(Math.min(...during.map((s) => s.startMs)))}: its decisions are likely affected` }
      : overlap.length
        ? { score_changed: true, text: `the model's ${scoreName} was already different from usual (since ${formatWhen(Math.min(...overlap.map((s) => s.startMs)))}), so this incident's own effect on it cannot be told apart` }
        : { score_changed: false, text: `the model's ${scoreName} did not change in this period` };
    return {
      id: `${iso(startMs)}-${g[0].family}-${g.map((e) => e.feature).sort()[0]}`,
      since: iso(startMs),
      until: endMs === null ? null : iso(endMs),
      features: g.map((e) => e.feature),
      cause,
      severity,
      family: g[0].family,
      effect,
      details: g.map((e) => ({ feature: e.feature, since: iso(e.startMs), until: e.endMs === null ? null : iso(e.endMs), cause: e.cause })),
    };
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "9 Nov 11:00 UTC". */
export function formatWhen(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

export interface Health {
  status: HealthStatus;
  headline: string;
  /** Start of what makes the status (the earliest ongoing incident of the worst severity); null when healthy. */
  since: string | null;
}

/**
 * The status and its one sentence: "broken" while a high-severity incident lasts, "needs
 * attention" while any other does (or when the evaluations stopped), else "healthy".
 */
export function healthOf(incidents: readonly Incident[], context: { features: number; windowText: string; stale?: boolean; noData?: boolean }): Health {
  const ongoing = incidents.filter((i) => i.until === null);
  const worst = [...ongoing].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.since.localeCompare(b.since));
  const more = (n: number) => (n > 0 ? ` (and ${n} more problem${n === 1 ? '' : 's'})` : '');
  if (worst.length && worst[0].severity === 'high') {
    const head = worst[0];
    return { status: 'broken', since: head.since, headline: `broken since ${formatWhen(Date.parse(head.since))}: ${head.cause}${more(worst.length - 1)}` };
  }
  if (worst.length) {
    const head = worst[0];
    return { status: 'needs attention', since: head.since, headline: `needs attention since ${formatWhen(Date.parse(head.since))}: ${head.cause}${more(worst.length - 1)}` };
  }
  if (context.noData) return { status: 'needs attention', since: null, headline: `needs attention: no evaluation ${context.windowText}, so nothing says whether the inputs are as usual` };
  if (context.stale) return { status: 'needs attention', since: null, headline: 'needs attention: the latest evaluation is old — is the pipeline still running?' };
  return { status: 'healthy', since: null, headline: `healthy: all ${context.features} inputs look as usual ${context.windowText}` };
}

/** "What changed in the last 7 days": incidents that started or ended in (fromMs, toMs], newest first. */
export function changesOf(incidents: readonly Incident[], fromMs: number, toMs: number): { at: string; text: string; incident: string }[] {
  const out: { at: string; text: string; incident: string }[] = [];
  for (const i of incidents) {
    const s = Date.parse(i.since);
    if (s > fromMs && s <= toMs) out.push({ at: i.since, text: `started: ${i.cause}`, incident: i.id });
    if (i.until !== null) {
      const u = Date.parse(i.until);
      if (u > fromMs && u <= toMs) out.push({ at: i.until, text: `back to usual: ${i.features.join(', ')}`, incident: i.id });
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}
