import Link from 'next/link';
import { ErrorBox, loadOrExplain } from '@/components/ErrorBox';
import { FeatureTable } from '@/components/FeatureTable';
import { formatPercent, formatPointChange } from '@/components/format';
import { ViewControls } from '@/components/ViewControls';
import { dashboardContext, firstParam, modelParam, modelView, viewQuery, viewSearch, type PageSearch } from '@/lib/dashboard';

export const dynamic = 'force-dynamic';


export default async function ModelPage({ params, searchParams }: { params: Promise<{ model: string }>; searchParams: Promise<PageSearch> }) {
  const [{ model: rawModel }, search] = await Promise.all([params, searchParams]);
  const result = await loadOrExplain(async () => {
    const ctx = await dashboardContext();
    const model = modelParam(rawModel);
    return modelView(ctx, model, viewQuery((name) => firstParam(search, name), ctx.config.evaluation.references[0]));
  });
  if ('error' in result) return <ErrorBox message={result.error} />;
  const view = result.data;
  const failed = [...view.features].filter((f) => f.failed_rate !== null).sort((a, b) => (b.failed_rate ?? 0) - (b.reference_failed_rate ?? 0) - ((a.failed_rate ?? 0) - (a.reference_failed_rate ?? 0)));
  const counts = { failing: view.features.filter((f) => f.verdict === 'failing').length, drift: view.features.filter((f) => f.verdict === 'drift').length };
  return (
    <>
      <p className="muted">
        <Link href="/">Models</Link> /
      </p>
      <h1>{view.model}</h1>
      <p>
        {counts.failing} failing, {counts.drift} drifting of {view.features.length} features against <b>{view.reference}</b> · {view.rows.toLocaleString('en-US')} predictions in the window
      </p>
      <ViewControls key={`${view.window.from}|${view.window.to}|${view.reference}`} from={view.window.from} to={view.window.to} window={view.window.window} references={view.references} reference={view.reference} metric={firstParam(search, 'metric')} />
      <FeatureTable rows={view.features} linkQuery={`/models/${encodeURIComponent(view.model)}?${viewSearch(search)}`} />
      <h2>Failed-feature rates</h2>
      <p className="muted">Null, NaN/±Inf and wrong-type values, live against the reference; largest increase first.</p>
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
                <span className={`badge ${f.verdict}`}>{f.verdict}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
