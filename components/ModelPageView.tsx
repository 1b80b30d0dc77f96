'use client';
import Link from 'next/link';
import { CoverageStrip, EmptyWindow, WarningBox } from './CoverageStrip';
import { ErrorBox } from './ErrorBox';
import { FeatureTable } from './FeatureTable';
import { formatPercent, formatPointChange } from './format';
import { PerformanceFigure } from './PerformanceFigure';
import { ReportActions } from './report/ReportActions';
import { ShareLinkButton } from './ShareLinkButton';
import { modelViewOptions } from './queries/model-view';
import { useLinkSearch, useViewArgs, useViewQuery } from './use-view-query';
import { ViewControls } from './ViewControls';

/** The model page's body, rendered from the query the server prefetched (components/queries/model-view.ts). */
export function ModelPageView({ model }: { model: string }) {
  const args = useViewArgs();
  const { data: view, error, refresh } = useViewQuery(modelViewOptions(model, args), args);
  const linkSearch = useLinkSearch();
  if (!view) return error ? <ErrorBox message={error.message} /> : <p className="muted">Loading {model} …</p>;
  const failed = view.features.filter((f) => f.failed_rate !== null).sort((a, b) => (b.failed_rate ?? 0) - (b.reference_failed_rate ?? 0) - ((a.failed_rate ?? 0) - (a.reference_failed_rate ?? 0)));
  const count = (verdict: string) => view.features.filter((f) => f.verdict === verdict).length;
  const insufficient = view.features.filter((f) => f.insufficient);
  return (
    <>
      <p className="muted crumbs">
        <Link href={`/?${linkSearch}`}>Models</Link> /
      </p>
      <h1>{view.model}</h1>
      <p data-testid="model-summary">
        {count('failing')} failing, {count('drift')} drifting of {view.features.length} features against <b>{view.reference}</b> · {view.rows.toLocaleString('en-US')} predictions in the window
      </p>
      <PerformanceFigure model={view.model} summary={view.performance} linkSearch={linkSearch} />
      <ReportActions model={view.model} />
      <ShareLinkButton model={view.model} />
      {error && <ErrorBox message={`Refreshing failed: ${error.message}`} />}
      <WarningBox warnings={view.warnings} empty={view.rows === 0} />
      {(view.notices ?? []).length > 0 && (
        <div className="notice" data-testid="reference-notices">
          <ul>
            {view.notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      <ViewControls key={`${view.window.from}|${view.window.to}|${view.reference}`} window={view.window} references={view.references} reference={view.reference} metric={args.metric} refresh={refresh} />
      <CoverageStrip coverage={view.coverage} />
      {view.rows === 0 ? (
        <EmptyWindow from={view.window.from} to={view.window.to} />
      ) : (
        <>
          {insufficient.length > 0 && (
            <div className="notice" data-testid="insufficient">
              Too few rows to judge:
              <ul>
                {insufficient.map((f) => (
                  <li key={f.name}>
                    <b>{f.name}</b>: {f.insufficient}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="table-scroll">
            <FeatureTable rows={view.features} linkQuery={`/models/${encodeURIComponent(view.model)}?${linkSearch}`} />
          </div>
          <h2>Failed-feature rates</h2>
          <p className="muted">Null, NaN/±Inf and wrong-type values, live against the reference; largest increase first.</p>
          <div className="table-scroll">
            <table className="data" data-testid="failed-table">
              <thead>
                <tr>
                  <th>Feature</th>
                  <th className="num">Live</th>
                  <th className="num">Reference</th>
                  <th className="num">Change</th>
                  <th>Verdict</th>
                </tr>
              </thead>
              <tbody>
                {failed.map((f) => (
                  <tr key={f.name} data-feature={f.name}>
                    <td>{f.name}</td>
                    <td className="num">{formatPercent(f.failed_rate)}</td>
                    <td className="num">{formatPercent(f.reference_failed_rate)}</td>
                    <td className="num">{formatPointChange(f.reference_failed_rate, f.failed_rate)}</td>
                    <td>
                      <span className={`badge ${f.verdict}`}>{f.verdict.replace('_', ' ')}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
