'use client';
import Link from 'next/link';
import { CoverageStrip, EmptyWindow, WarningBox } from './CoverageStrip';
import { DistributionCharts } from './DistributionCharts';
import { ErrorBox } from './ErrorBox';
import { formatNumber, formatPercent } from './format';
import { QualityPanel } from './QualityPanel';
import { featureViewOptions } from './queries/feature-view';
import { TrendCharts } from './TrendCharts';
import { useLinkSearch, useViewArgs, useViewQuery } from './use-view-query';
import { ViewControls } from './ViewControls';
import { ShareLinkButton } from './ShareLinkButton';

const STATS = ['min', 'p1', 'p5', 'p50', 'p95', 'p99', 'max'] as const;

/** The feature page's body, rendered from the query the server prefetched (components/queries/feature-view.ts). */
export function FeaturePageView({ model, feature }: { model: string; feature: string }) {
  const args = useViewArgs();
  const { data: view, error, refresh } = useViewQuery(featureViewOptions(model, feature, args), args);
  const linkSearch = useLinkSearch();
  if (!view) return error ? <ErrorBox message={error.message} /> : <p className="muted">Loading {feature} …</p>;
  const main = view.comparisons.find((c) => c.reference === view.reference);
  const live = view.sources.find((s) => s.name === 'live');
  const empty = !live || live.stats.rows === 0;
  return (
    <>
      <p className="muted crumbs">
        <Link href={`/?${linkSearch}`}>Models</Link> / <Link href={`/models/${encodeURIComponent(view.model)}?${linkSearch}`}>{view.model}</Link> /
      </p>
      <h1>
        {view.feature} <span className="muted">({view.type})</span>
      </h1>
      {error && <ErrorBox message={`Refreshing failed: ${error.message}`} />}
      <WarningBox warnings={view.warnings} empty={empty} />
      <ViewControls key={`${view.window.from}|${view.window.to}|${view.reference}`} window={view.window} references={view.references} reference={view.reference} metric={args.metric} refresh={refresh} />
      <CoverageStrip coverage={view.coverage} />
      <p>
        <ShareLinkButton model={view.model} feature={view.feature} />
      </p>
      {empty && <EmptyWindow from={view.window.from} to={view.window.to} />}
      <div className="table-scroll">
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
                    {c.verdict.replace('_', ' ')}
                  </span>
                  {c.insufficient && (
                    <div className="insufficient" data-testid={`insufficient-${c.reference}`}>
                      {c.insufficient}
                    </div>
                  )}
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
      </div>
      <QualityPanel quality={view.quality} type={view.type} />
      <h2>Distributions</h2>
      <DistributionCharts key={`${view.window.from}|${view.window.to}`} data={view} />
      <h2>Summary</h2>
      <div className="table-scroll">
        <table className="data" data-testid="stats">
          <thead>
            <tr>
              <th>Source</th>
              <th className="num">Rows</th>
              <th className="num">Failed</th>
              {view.type === 'numeric' &&
                STATS.map((s) => (
                  <th key={s} className="num">
                    {s}
                  </th>
                ))}
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
      </div>
      <h2>Over time</h2>
      <TrendCharts model={view.model} feature={view.feature} reference={view.reference} metric={main?.metric} from={view.window.from} to={view.window.to} window={view.window.window} latest={view.window.latest_data} />
    </>
  );
}
