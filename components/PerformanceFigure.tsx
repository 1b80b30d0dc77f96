'use client';
import Link from 'next/link';
import type { PerformanceSummary } from '@/lib/dashboard/performance-view';
import { formatPercent } from './format';
import { formatTimeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';

const fixed = (v: number) => v.toFixed(3);

/**
 * The latest estimated ROC AUC with its band and the latest realised one where labels cover a
 * day, linking to the performance page; nothing for a model without labels. `compact` is the
 * overview's cell, the other the model page's line.
 */
export function PerformanceFigure({ model, summary, linkSearch, compact = false }: { model: string; summary: PerformanceSummary | null | undefined; linkSearch: string; compact?: boolean }) {
  const tz = useShownTimeZone();
  if (!summary) return compact ? <span className="muted">no labels</span> : null;
  // The drift view's window and metric mean something else there: the page opens on its own defaults (30 days, daily).
  const kept = new URLSearchParams([...new URLSearchParams(linkSearch)].filter(([k]) => k === 'tz' || k === 'reference'));
  const href = `/models/${encodeURIComponent(model)}/performance${kept.size ? `?${kept.toString()}` : ''}`;
  const { estimated: e, realised: r } = summary;
  const estimate = e ? (
    <span data-testid="estimated-roc-auc" title={`day ending ${formatTimeIn(e.to, tz)}, ${e.predictions.toLocaleString('en-US')} predictions; band: ± 3 standard errors`}>
      est. {fixed(e.roc_auc)} <span className="muted">[{fixed(e.roc_auc_lower)}, {fixed(e.roc_auc_upper)}]</span>
    </span>
  ) : (
    <span className="muted" title={summary.estimate_note}>
      no estimate
    </span>
  );
  const realised = r ? (
    <span data-testid="realised-roc-auc" title={`day ending ${formatTimeIn(r.to, tz)}: ${r.labelled.toLocaleString('en-US')} labelled (${formatPercent(r.coverage)})`}>
      realised {fixed(r.roc_auc)}
    </span>
  ) : (
    <span className="muted">not yet realised</span>
  );
  if (compact)
    return (
      <Link href={href} className="nowrap" data-testid="performance-figure">
        {estimate} · {realised}
      </Link>
    );
  return (
    <p data-testid="performance-figure">
      ROC AUC {estimate}
      {e ? <span className="muted"> (day to {formatTimeIn(e.to, tz)})</span> : null} · {realised}
      {r ? <span className="muted"> (day to {formatTimeIn(r.to, tz)}, {formatPercent(r.coverage)} labelled)</span> : null} · <Link href={href}>Performance over time →</Link>
    </p>
  );
}
