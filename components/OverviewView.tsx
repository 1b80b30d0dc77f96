'use client';
import Link from 'next/link';
import { ErrorBox } from './ErrorBox';
import { formatAge } from './format';
import { ModelHealthCards } from './ModelHealth';
import { PerformanceFigure } from './PerformanceFigure';
import { modelsOptions } from './queries/models';
import { Sparkline } from './Sparkline';
import { StatusBadge } from './StatusBadge';
import { formatTimeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';
import { useLinkSearch, useViewArgs, useViewQuery } from './use-view-query';
import { ViewControls } from './ViewControls';

/** The overview's body: every model's status as of the window's end (components/queries/models.ts). */
export function OverviewView() {
  const args = useViewArgs();
  const { data: models, error, refresh } = useViewQuery(modelsOptions(args), args);
  const linkSearch = useLinkSearch();
  const tz = useShownTimeZone();
  if (!models) return error ? <ErrorBox message={error.message} /> : <p className="muted">Loading the models …</p>;
  const window = models.find((m) => m.window)?.window;
  return (
    <>
      <h1>Models</h1>
      <p className="muted">
        Status of each model against its first reference as of {window ? formatTimeIn(window.as_of ?? window.to, tz) : 'its latest evaluation'}; the line is the worst feature’s distance ÷ threshold over the 7 days before.
      </p>
      {error && <ErrorBox message={`Refreshing failed: ${error.message}`} />}
      {window && <ViewControls key={`${window.from}|${window.to}`} window={window} refresh={refresh} />}
      <ModelHealthCards models={models.map((m) => m.model)} args={args} />
      {models.length === 0 ? (
        <p>
          No models in this store yet: add a reference and ingest predictions (README), or run <code>npm run demo</code>.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="models">
            <thead>
              <tr>
                <th>Model</th>
                <th>Status</th>
                <th>Failing</th>
                <th>Drifting</th>
                <th className="num">Alerts firing</th>
                <th>Last evaluation</th>
                <th>Worst distance, 7 days</th>
                <th>ROC AUC (latest day)</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.model} data-model={m.model}>
                  <td className="nowrap">
                    <Link href={`/models/${encodeURIComponent(m.model)}?${linkSearch}`}>{m.model}</Link>
                  </td>
                  <td>
                    <StatusBadge status={m.status} />
                    {m.damaged.length > 0 && (
                      <>
                        {' '}
                        <span className="badge damaged" data-testid="damaged" title={`Damaged store files (views that need them answer 503; run driftwatch doctor):\n${m.damaged.join('\n')}`}>
                          damaged: {m.damaged.length} file{m.damaged.length === 1 ? '' : 's'}
                        </span>
                      </>
                    )}
                  </td>
                  <td>{m.failing.length ? m.failing.join(', ') : <span className="muted">none</span>}</td>
                  <td>{m.drifting.length ? m.drifting.join(', ') : <span className="muted">none</span>}</td>
                  <td className="num" data-testid="firing-count">
                    <Link href={`/alerts?${new URLSearchParams({ state: 'firing', ...(args.to ? { to: m.window.as_of } : {}) }).toString()}`} title="these alerts">
                      {m.firing_alerts}
                    </Link>
                  </td>
                  <td>
                    {formatTimeIn(m.last_evaluation, tz)} <span className="muted">({formatAge(m.age_hours)})</span>{' '}
                    {m.stale && (
                      <span className="badge stale" title="No evaluation in the last two intervals: is the pipeline running?">
                        stale
                      </span>
                    )}
                  </td>
                  <td>
                    <Sparkline values={m.worst_ratio.map((p) => p.ratio)} label={`${m.model} worst distance`} width={160} />
                  </td>
                  <td>
                    <PerformanceFigure model={m.model} summary={m.performance} linkSearch={linkSearch} compact />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
