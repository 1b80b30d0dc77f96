import 'server-only';
import { HOUR_MS, parseDuration } from '../format';
import { alertList, featureView, modelView, trendView, type AlertListItem, type DashboardContext, type FeatureRow, type ModelView, type ViewQuery } from '../dashboard';
import type { CategoryBars, FeatureSource } from '../dashboard';

/** Features charted in one report at most (worst first): a report is read, not scrolled through. */
export const MAX_CHARTED_FEATURES = 12;
/** The distance-over-time chart looks back this far from the window's end. */
export const TREND_RANGE = '7d';

export interface ReportFeature {
  row: FeatureRow;
  type: 'numeric' | 'categorical';
  /** Live and every reference, as the feature page plots them (numeric: CDF points). */
  sources: { name: string; cdf: FeatureSource['cdf']; failed_rate: number | null }[];
  categories: CategoryBars | null;
  /** The stored evaluations of the TREND_RANGE before the window's end, against the view's reference. */
  trend: { at: string; value: number | null; threshold: number | null; verdict: string | null }[];
  /**
   * When the trouble began: the start of the trailing run of drift/failing verdicts in the trend,
   * or the feature's open alert when that fired earlier; null when unknown.
   */
  since: string | null;
  /** The run reaches the trend's first point and no alert says more: the trouble began before `since`. */
  since_before: boolean;
}

/** Everything a report shows, as plain data: a snapshot stores it, the renderer draws it. */
export interface ReportData {
  generated_at: string;
  store: string;
  view: ModelView;
  /** Drifting and failing features (and those with an alert), worst first, at most MAX_CHARTED_FEATURES. */
  charted: ReportFeature[];
  /** Alerts of the model still firing as of the window's end. */
  open_alerts: AlertListItem[];
}

const severity = (f: FeatureRow): number => (f.verdict === 'failing' ? 3 : f.verdict === 'drift' ? 2 : f.alert === 'firing' ? 1 : 0);

/** The first point of the trailing run of drift/failing verdicts, or null when the latest point is fine. */
export function troubleSince(trend: readonly { at: string; verdict: string | null }[]): string | null {
  let since: string | null = null;
  for (let i = trend.length - 1; i >= 0; i--) {
    const v = trend[i].verdict;
    if (v !== 'drift' && v !== 'failing') break;
    since = trend[i].at;
  }
  return since;
}

/** The model view of `query` plus, per troubled feature, its distributions and recent distance. */
export async function reportData(ctx: DashboardContext, model: string, query: ViewQuery, nowMs = Date.now()): Promise<ReportData> {
  const view = await modelView(ctx, model, query);
  const troubled = view.features.filter((f) => severity(f) > 0).sort((a, b) => severity(b) - severity(a) || (b.value ?? 0) / (b.threshold || 1) - (a.value ?? 0) / (a.threshold || 1));
  const fixed: ViewQuery = { ...query, reference: view.reference, from: view.window.from, to: view.window.to, window: undefined };
  const windowText = ctx.config.evaluation.window;
  const windowMs = parseDuration(windowText) ?? 12 * HOUR_MS;
  const charted = await Promise.all(
    troubled.slice(0, MAX_CHARTED_FEATURES).map(async (row): Promise<ReportFeature> => {
      const [feature, trend] = await Promise.all([
        featureView(ctx, model, row.name, fixed),
        trendView(ctx, model, row.name, { reference: view.reference, windowMs, stepMs: HOUR_MS, window: windowText, step: '1h', to: view.window.to, range: TREND_RANGE }).catch(() => undefined),
      ]);
      const points = (trend?.points ?? []).map((p) => ({ at: p.at, value: p.value, threshold: p.threshold, verdict: p.verdict }));
      return {
        row,
        type: feature.type,
        sources: feature.sources.map((s) => ({ name: s.name, cdf: s.cdf, failed_rate: s.stats.failed_rate })),
        categories: feature.categories,
        trend: points,
        since: troubleSince(points),
        since_before: false,
      };
    }),
  );
  const open = (await alertList(ctx, { model, to: view.window.to })).filter((a) => a.open && a.kind === 'firing');
  for (const f of charted) {
    const fired = open.filter((a) => a.feature === f.row.name && a.reference === view.reference).map((a) => a.at).sort()[0];
    if (fired && (f.since === null || fired < f.since)) f.since = fired;
    else f.since_before = f.since !== null && f.since === f.trend[0]?.at;
  }
  return { generated_at: new Date(nowMs).toISOString(), store: storeName(ctx.storage.url), view, charted, open_alerts: open };
}

/**
 * The store as a report names it: an S3 URL as it is, a local directory by its last segment. A
 * report travels (and the dashboard serves it to anyone allowed to read the model): the server's
 * file system layout is not part of it.
 */
export function storeName(url: string): string {
  if (/^s3:\/\//.test(url)) return url;
  const parts = url.replace(/^file:\/\//, '').replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts[parts.length - 1] || url;
}
