import Link from 'next/link';
import { ErrorBox, loadOrExplain } from '@/components/ErrorBox';
import { formatNumber, formatTime } from '@/components/format';
import { alertList, dashboardContext, type PageSearch } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';

export default async function AlertsPage({ searchParams }: { searchParams: Promise<PageSearch> }) {
  const search = await searchParams;
  const state = search.state === 'firing' || search.state === 'resolved' ? search.state : undefined;
  const result = await loadOrExplain(async () => alertList(await dashboardContext(), { state }));
  if ('error' in result) return <ErrorBox message={result.error} />;
  const alerts = result.data;
  return (
    <>
      <h1>Alerts</h1>
      <p>
        <Link href="/alerts">all</Link> · <Link href="/alerts?state=firing">firing</Link> · <Link href="/alerts?state=resolved">resolved</Link>
      </p>
      {alerts.length === 0 ? (
        <p className="muted">No alerts{state ? ` ${state}` : ''}.</p>
      ) : (
        <table className="data" data-testid="alerts">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>Model</th>
              <th>Feature</th>
              <th>Verdict</th>
              <th className="num">Value / threshold</th>
              <th>Window</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => {
              const link = `/models/${encodeURIComponent(a.model)}/features/${encodeURIComponent(a.feature)}?${new URLSearchParams({ from: a.window_from, to: a.window_to, reference: a.reference }).toString()}`;
              return (
                <tr key={a.id} data-feature={a.feature}>
                  <td>{formatTime(a.at)}</td>
                  <td>
                    <span className={`badge ${a.kind === 'firing' ? (a.open ? 'firing' : 'drift') : 'ok'}`}>{a.kind === 'firing' ? (a.open ? 'firing' : 'fired') : 'resolved'}</span>
                  </td>
                  <td>{a.model}</td>
                  <td>
                    <Link href={link} data-testid="alert-link">
                      {a.feature}
                    </Link>
                  </td>
                  <td>
                    <span className={`badge ${a.verdict}`}>{a.verdict}</span>
                  </td>
                  <td className="num">
                    {a.metric} {formatNumber(a.value, 3)} / {formatNumber(a.threshold, 3)}
                  </td>
                  <td>
                    {formatTime(a.window_from)} – {formatTime(a.window_to)}
                  </td>
                  <td>{a.message}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
