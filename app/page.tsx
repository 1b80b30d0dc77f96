import Link from 'next/link';
import { ErrorBox, loadOrExplain } from '@/components/ErrorBox';
import { formatAge, formatTime } from '@/components/format';
import { Sparkline } from '@/components/Sparkline';
import { StatusBadge } from '@/components/StatusBadge';
import { dashboardContext, overview } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const result = await loadOrExplain(async () => overview(await dashboardContext()));
  if ('error' in result) return <ErrorBox message={result.error} />;
  const models = result.data;
  return (
    <>
      <h1>Models</h1>
      <p className="muted">Status at each model’s latest evaluation against its first reference; the line is the worst feature’s distance ÷ threshold over 7 days.</p>
      {models.length === 0 ? (
        <p>No models in this store yet: add a reference and ingest predictions (README), or run <code>npm run demo</code>.</p>
      ) : (
        <table className="data" data-testid="models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Status</th>
              <th>Failing</th>
              <th>Drifting</th>
              <th>Alerts firing</th>
              <th>Last evaluation</th>
              <th>Worst distance, 7 days</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.model} data-model={m.model}>
                <td>
                  <Link href={`/models/${encodeURIComponent(m.model)}`}>{m.model}</Link>
                </td>
                <td>
                  <StatusBadge status={m.status} />
                </td>
                <td>{m.failing.length ? m.failing.join(', ') : <span className="muted">none</span>}</td>
                <td>{m.drifting.length ? m.drifting.join(', ') : <span className="muted">none</span>}</td>
                <td className="num">{m.firing_alerts}</td>
                <td>
                  {formatTime(m.last_evaluation)} <span className="muted">({formatAge(m.age_hours)})</span> {m.stale && <span className="badge stale" title="No evaluation in the last two intervals: is the pipeline running?">stale</span>}
                </td>
                <td>
                  <Sparkline values={m.worst_ratio.map((p) => p.ratio)} label={`${m.model} worst distance`} width={160} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
