'use client';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorBox } from './ErrorBox';
import { formatPercent } from './format';
import { PerformanceChart } from './PerformanceChart';
import { emptyStates, estimatedValue, METRIC_LABELS, PERFORMANCE_METRIC_NAMES, performanceMetricOf, realisedValue, selectedWindow, type PerformanceMetricName, type PerformanceSeries } from './performance-data';
import { PerformanceDetail } from './PerformanceDetail';
import { performanceArgsOf, performanceOptions } from './queries/performance';
import { formatRangeIn, formatTimeIn } from './time-zone';
import { useSetUrlParams } from './url-state';
import { useShownTimeZone } from './use-shown-time-zone';
import { useLinkSearch, useViewArgs, useViewQuery } from './use-view-query';
import { copyViewLink } from './copy-link';

const PRESETS = ['7d', '30d', '90d'];
const STEPS = ['1h', '6h', '1d', '7d'];
/** A message with `commands` in backticks, the commands set as code. */
const withCode = (message: string) => message.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
const fixed = (v: number | null) => (v === null ? '–' : v.toFixed(3));

/**
 * Change URL parameters that need no new data (the chart's metric, the selected window) without
 * a server round trip: Next keeps useSearchParams in step with the native history API.
 */
function setLocalParams(change: Record<string, string | null>, push: boolean) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(change)) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (push) window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
}

/** Window, step, reference and metric pickers, and "Copy link": an absolute link to exactly this view. */
function PerformanceControls({ series, references, metric, selectedFrom }: { series: PerformanceSeries; references: string[]; metric: PerformanceMetricName; selectedFrom?: string }) {
  const params = useSearchParams();
  const pathname = usePathname();
  const setParams = useSetUrlParams();
  const tz = useShownTimeZone();
  const [copied, setCopied] = useState<string | null>(null);
  const args = performanceArgsOf((n) => params.get(n));
  const relative = !params.get('from') && !params.get('to');
  const from = series.windows[0]?.from;
  const to = series.windows.at(-1)?.to;
  const copy = async () => {
    const next = new URLSearchParams();
    if (from && to) {
      next.set('from', from);
      next.set('to', to);
    }
    next.set('step', args.step ?? '1d');
    next.set('reference', series.reference);
    next.set('metric', metric);
    if (selectedFrom) next.set('selected', selectedFrom);
    next.set('tz', params.get('tz') === 'local' ? 'local' : 'utc');
    setCopied(await copyViewLink(pathname, next));
  };
  return (
    <div className="controls" data-testid="controls">
      <div className="group" role="group" aria-label="window">
        <span className="muted">Window</span>
        {PRESETS.map((p) => (
          <button key={p} type="button" aria-pressed={relative && args.window === p} onClick={() => setParams({ window: p, from: null, to: null, selected: null })}>
            {p}
          </button>
        ))}
      </div>
      <label className="group">
        <span className="muted">Step</span>
        <select aria-label="step" value={args.step} onChange={(e) => setParams({ step: e.target.value, selected: null })}>
          {[...new Set([...STEPS, args.step ?? '1d'])].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="group">
        <span className="muted">Reference</span>
        <select aria-label="reference" value={series.reference} onChange={(e) => setParams({ reference: e.target.value })}>
          {references.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="group">
        <span className="muted">Metric</span>
        <select aria-label="metric" value={metric} onChange={(e) => setLocalParams({ metric: e.target.value === 'roc_auc' ? null : e.target.value }, true)}>
          {PERFORMANCE_METRIC_NAMES.map((m) => (
            <option key={m} value={m}>
              {METRIC_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      <div className="group" role="group" aria-label="time zone">
        <span className="muted">Times</span>
        <button type="button" aria-pressed={tz === 'utc'} onClick={() => setLocalParams({ tz: null }, false)}>
          UTC
        </button>
        <button type="button" aria-pressed={tz === 'local'} onClick={() => setLocalParams({ tz: 'local' }, false)}>
          local
        </button>
      </div>
      <div className="group copy">
        <button type="button" onClick={copy} data-testid="copy-link">
          {copied ? 'Link copied' : 'Copy link'}
        </button>
        {copied && <input readOnly aria-label="link to this view" data-testid="copied-link" value={copied} onFocus={(e) => e.target.select()} />}
      </div>
      {from && to && (
        <p className="window-info" data-testid="window-shown">
          <span>
            {formatRangeIn(from, to, tz)}
            {relative && args.window ? ` (last ${args.window} of data)` : ''}, {series.windows.length} window{series.windows.length === 1 ? '' : 's'} of {args.step}
          </span>
          <span className="muted">
            decision threshold {series.threshold}; realised figures need {formatPercent(series.min_coverage)} of a window labelled
          </span>
        </p>
      )}
    </div>
  );
}

/** The performance page's body: chart, table per window and the selected window's detail. */
export function PerformancePageView({ model, references, labelsAdded }: { model: string; references: string[]; labelsAdded: boolean }) {
  const params = useSearchParams();
  const args = performanceArgsOf((n) => params.get(n));
  const { data: series, error, refresh } = useViewQuery(performanceOptions(model, args), useViewArgs());
  const linkSearch = useLinkSearch();
  const tz = useShownTimeZone();
  const metric = performanceMetricOf(params.get('metric'));
  if (!series) return error ? <ErrorBox message={error.message} /> : <p className="muted">Loading the performance of {model} …</p>;
  const selected = selectedWindow(series.windows, params.get('selected'));
  const select = (from: string) => setLocalParams({ selected: from }, false);
  const empty = emptyStates(series, model, labelsAdded);
  const notes = [...new Set(series.windows.filter((w) => w.predictions > 0 && w.estimate_note).map((w) => w.estimate_note as string))].filter(() => series.reference_roc_auc !== null);
  const label = METRIC_LABELS[metric];
  const noEstimate = metric === 'average_precision' || metric === 'log_loss' || metric === 'brier';
  return (
    <>
      <p className="muted crumbs">
        <Link href={`/?${linkSearch}`}>Models</Link> / <Link href={`/models/${encodeURIComponent(model)}?${linkSearch}`}>{model}</Link> /
      </p>
      <h1>{model}: performance</h1>
      <p data-testid="performance-summary">
        Realised performance where labels arrived, and the estimate from the score alone (CBPE, calibrated on reference <b>{series.reference}</b>
        {series.reference_roc_auc !== null ? `, whose ROC AUC is ${fixed(series.reference_roc_auc)}` : ''}) before they do.
      </p>
      {error && <ErrorBox message={`Refreshing failed: ${error.message}`} />}
      <PerformanceControls series={series} references={references} metric={metric} selectedFrom={selected?.from} />
      {empty.map((e) => (
        <p key={e.kind} className="notice" role="status" data-testid={`empty-${e.kind}`}>
          {withCode(e.message)}
        </p>
      ))}
      {notes.length > 0 && (
        <div className="notice" data-testid="estimate-notes">
          No estimate for some windows:
          <ul>
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      {noEstimate && <p className="muted">The estimate gives ROC AUC, accuracy, precision, recall and F1; {label} is realised only.</p>}
      {series.windows.some((w) => w.predictions > 0) && <PerformanceChart series={series} metric={metric} selectedFrom={selected?.from} onSelect={select} />}
      {labelsAdded && (
        <>
          <h2>Per window</h2>
          <div className="table-scroll">
            <table className="data" data-testid="performance-table">
              <thead>
                <tr>
                  <th>Window ({tz === 'utc' ? 'UTC' : 'local'})</th>
                  <th className="num">Predictions</th>
                  <th className="num">Labelled</th>
                  <th className="num">Coverage</th>
                  <th className="num">Realised {label}</th>
                  <th className="num">Estimated {label} [band]</th>
                  <th>Notes</th>
                </tr>
              </thead>
              <tbody>
                {series.windows.map((w) => {
                  const estimated = estimatedValue(w, metric);
                  const notes = [w.realised_note, w.predictions > 0 ? w.estimate_note : undefined].filter((n): n is string => n !== undefined);
                  return (
                    <tr key={w.from} data-from={w.from} aria-selected={w.from === selected?.from} className={w.from === selected?.from ? 'selected' : undefined} onClick={() => select(w.from)} style={{ cursor: 'pointer' }}>
                      <td className="nowrap">{formatTimeIn(w.from, tz).replace(/ \S+$/, '')}</td>
                      <td className="num">{w.predictions.toLocaleString('en-US')}</td>
                      <td className="num">{w.labelled.toLocaleString('en-US')}</td>
                      <td className="num">{formatPercent(w.coverage)}</td>
                      <td className="num" data-testid="realised">
                        {fixed(realisedValue(w, metric))}
                      </td>
                      <td className="num" data-testid="estimated">
                        {fixed(estimated)}
                        {metric === 'roc_auc' && w.estimated ? ` [${fixed(w.estimated.roc_auc_lower)}, ${fixed(w.estimated.roc_auc_upper)}]` : ''}
                      </td>
                      <td className="notes muted">{notes.join('; ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {selected && <PerformanceDetail window={selected} threshold={series.threshold} />}
        </>
      )}
      {refresh.auto && <p className="muted">This window ends at the latest data and refreshes itself every minute.</p>}
    </>
  );
}
