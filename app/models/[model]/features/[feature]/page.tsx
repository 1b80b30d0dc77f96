import Link from 'next/link';
import { DistributionCharts } from '@/components/DistributionCharts';
import { ErrorBox, loadOrExplain } from '@/components/ErrorBox';
import { formatNumber, formatPercent } from '@/components/format';
import { TrendCharts } from '@/components/TrendCharts';
import { ViewControls } from '@/components/ViewControls';
import { dashboardContext, featureParam, featureView, firstParam, modelParam, viewQuery, viewSearch, type PageSearch } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

const STATS = ['min', 'p1', 'p5', 'p50', 'p95', 'p99', 'max'] as const;

export default async function FeaturePage({ params, searchParams }: { params: Promise<{ model: string; feature: string }>; searchParams: Promise<PageSearch> }) {
  const [p, search] = await Promise.all([params, searchParams]);
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    return featureView(ctx, modelParam(p.model), featureParam(p.feature), viewQuery((name) => firstParam(search, name), ctx.config.evaluation.references[0]));
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  const view = result.data;
  const main = view.comparisons.find((c) => c.reference === view.reference);
  return (
    <>
      <p className="muted">
        <Link href="/">Models</Link> / <Link href={`/models/${encodeURIComponent(view.model)}?${viewSearch(search)}`}>{view.model}</Link> /
      </p>
      <h1>
        {view.feature} <span className="muted">({view.type})</span>
      </h1>
      <ViewControls key={`${view.window.from}|${view.window.to}|${view.reference}`} from={view.window.from} to={view.window.to} window={view.window.window} references={view.references} reference={view.reference} metric={firstParam(search, 'metric')} />
      <table className="data" data-testid="verdicts">
        <thead>
          <tr>
            <th>Reference</th>
            <th>Verdict</th>
            <th className="num">Metric</th>
            <th className="num">Value</th>
            <th className="num">Threshold</th>
            <th>Hint</th>
          </tr>
        </thead>
        <tbody>
          {view.comparisons.map((c) => (
            <tr key={c.reference} data-reference={c.reference}>
              <td>{c.reference}</td>
              <td>
                <span className={`badge ${c.verdict}`} data-testid={`verdict-${c.reference}`}>
                  {c.verdict}
                </span>
              </td>
              <td className="num">{c.metric}</td>
              <td className="num" data-testid={`value-${c.reference}`}>
                {formatNumber(c.value)}
              </td>
              <td className="num">
                {formatNumber(c.threshold)} <span className="muted">({c.threshold_source})</span>
              </td>
              <td className="hint">{c.hint ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Distributions</h2>
      <DistributionCharts key={`${view.window.from}|${view.window.to}`} data={view} />
      <h2>Summary</h2>
      <table className="data" data-testid="stats">
        <thead>
          <tr>
            <th>Source</th>
            <th className="num">Rows</th>
            <th className="num">Failed</th>
            {view.type === 'numeric' && STATS.map((s) => <th key={s} className="num">{s}</th>)}
          </tr>
        </thead>
        <tbody>
          {view.sources.map((s) => (
            <tr key={s.name} data-source={s.name}>
              <td>{s.name}</td>
              <td className="num">{s.stats.rows.toLocaleString('en-US')}</td>
              <td className="num">
                {s.stats.failed.toLocaleString('en-US')} ({formatPercent(s.stats.failed_rate)})
              </td>
              {view.type === 'numeric' &&
                STATS.map((k) => (
                  <td key={k} className="num">
                    {formatNumber(s.stats[k])}
                  </td>
                ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Over time</h2>
      <TrendCharts model={view.model} feature={view.feature} reference={view.reference} metric={main?.metric} from={view.window.from} to={view.window.to} window={view.window.window} latest={view.window.latest_data} />
    </>
  );
}
