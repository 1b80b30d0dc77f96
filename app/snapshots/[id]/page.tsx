import Link from 'next/link';
import { ErrorBox } from '@/components/ErrorBox';
import { FeatureTable } from '@/components/FeatureTable';
import { dashboardContext } from '@/lib/dashboard';
import { reportSections } from '@/lib/report/render-report';
import { readSnapshot } from '@/lib/report/snapshots';
import { loadOrExplain } from '../../_server/page-data';

export const dynamic = 'force-dynamic';

/** A frozen view: the numbers as they were when the snapshot was made, whatever arrived since. */
export default async function SnapshotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadOrExplain(async () => readSnapshot(await dashboardContext(), id));
  if ('error' in result) return <ErrorBox message={result.error} />;
  const s = result.data;
  const v = s.data.view;
  const live = new URLSearchParams({ from: v.window.from, to: v.window.to, reference: v.reference }).toString();
  return (
    <>
      <p className="muted crumbs">
        <Link href="/">Models</Link> / <Link href={`/models/${encodeURIComponent(s.model)}?${live}`}>{s.model} (live view of this window)</Link> /
      </p>
      <h1>
        Snapshot of {s.model} <span className="muted">({s.id})</span>
      </h1>
      <p className="notice" data-testid="snapshot-created">
        Frozen at <time dateTime={s.created_at}>{s.created_at}</time>: the numbers below are those of {v.window.from} – {v.window.to} against <b>{v.reference}</b> at that time, and do not change when new data arrives. <a href={`/api/snapshots/${s.id}?format=html`}>Download its report</a>
      </p>
      <p data-testid="snapshot-summary">
        {v.features.filter((f) => f.verdict === 'failing').length} failing, {v.features.filter((f) => f.verdict === 'drift').length} drifting of {v.features.length} features · {v.rows.toLocaleString('en-US')} predictions in the window
      </p>
      <div className="table-scroll" data-testid="snapshot-features">
        <FeatureTable rows={v.features} linkQuery={`/models/${encodeURIComponent(s.model)}?${live}`} />
      </div>
      {/* The report's sections are built from escaped text and our own SVG markup (lib/report/render-report.ts). */}
      <div className="snapshot-report" dangerouslySetInnerHTML={{ __html: reportSections(s.data, { table: false }) }} />
    </>
  );
}
