'use client';
import { usePathname, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import type { WindowData } from './queries/view-types';
import { utcOffsetLabel } from './format';
import { formatClock, formatRangeIn, formatTimeIn, fromInputValue, toInputValue } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';
import { useSetUrlParams } from './url-state';
import { copyViewLink } from './copy-link';

const PRESETS = ['1h', '6h', '12h', '24h', '7d', '30d'];
const METRICS = ['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger', 'linf'];
/** View parameters a copied link carries besides the absolute window (contract: "Copy link"). */
const CARRIED = ['reference', 'metric', 'sort', 'dir', 'logx', 'tab'];

export interface RefreshState {
  /** When the shown data was fetched (ms). */
  updatedAt: number;
  fetching: boolean;
  /** The window is relative and not paused: the page refetches every minute. */
  auto: boolean;
}

/**
 * Window, reference, metric and time-zone pickers plus "Copy link". Every choice lives in the URL
 * (the view is what the URL says). A preset is relative (ends at the latest data) and refreshes
 * itself every minute unless paused; "Copy link" writes the shown window as an absolute from–to
 * range with every other view parameter. Date inputs are in the zone shown. Callers key it by the
 * window, so its inputs start from the window shown after every navigation.
 */
export function ViewControls({ window: w, references, reference, metric, refresh }: { window: WindowData; references?: string[]; reference?: string; metric?: string; refresh?: RefreshState }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const setParams = useSetUrlParams();
  const tz = useShownTimeZone();
  const [copied, setCopied] = useState<string | null>(null);
  const [edited, setEdited] = useState<{ from?: string; to?: string }>({});
  const [invalid, setInvalid] = useState<string | null>(null);
  const relative = !params.get('to');
  const paused = params.get('refresh') === '0';
  // The offset at the window's end names the inputs' zone ("UTC+5:30"), as formatTime labels times.
  const zoneLabel = tz === 'utc' ? 'UTC' : utcOffsetLabel(Date.parse(w.to));
  const fromValue = edited.from ?? toInputValue(w.from, tz);
  const toValue = edited.to ?? toInputValue(w.to, tz);

  const copy = async () => {
    // An absolute link: the same view for whoever opens it, whenever.
    const next = new URLSearchParams();
    next.set('from', w.from);
    next.set('to', w.to);
    for (const k of CARRIED) {
      const v = params.get(k);
      if (v) next.set(k, v);
    }
    if (reference && !next.has('reference')) next.set('reference', reference);
    next.set('tz', params.get('tz') === 'local' ? 'local' : 'utc');
    if (params.get('state')) next.set('state', params.get('state') as string);
    setCopied(await copyViewLink(pathname, next));
  };

  return (
    <div className="controls" data-testid="controls">
      <div className="group" role="group" aria-label="window">
        <span className="muted">Window</span>
        {PRESETS.map((p) => (
          <button key={p} type="button" aria-pressed={relative && w.window === p} onClick={() => setParams({ window: p, from: null, to: null })}>
            {p}
          </button>
        ))}
      </div>
      <form
        className="group"
        aria-label="custom range"
        onSubmit={(e) => {
          e.preventDefault();
          const from = fromInputValue(fromValue, tz);
          const to = fromInputValue(toValue, tz);
          const problem = !from || !to ? 'give a from and a to' : Date.parse(to) <= Date.parse(from) ? 'to must be after from' : null;
          setInvalid(problem);
          if (!problem) setParams({ window: null, refresh: null, from: from as string, to: to as string });
        }}
      >
        <input type="datetime-local" aria-label={`from (${zoneLabel})`} data-testid="range-from" value={fromValue} onChange={(e) => setEdited({ ...edited, from: e.target.value })} />
        <span>–</span>
        <input type="datetime-local" aria-label={`to (${zoneLabel})`} data-testid="range-to" value={toValue} onChange={(e) => setEdited({ ...edited, to: e.target.value })} />
        <span className="muted">{zoneLabel}</span>
        <button type="submit">Apply range</button>
        {invalid && (
          <span className="error-inline" role="alert">
            {invalid}
          </span>
        )}
      </form>
      {references && reference && (
        <label className="group">
          <span className="muted">Reference</span>
          <select value={reference} onChange={(e) => setParams({ reference: e.target.value })} aria-label="reference">
            {references.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      )}
      {references && (
        <label className="group">
          <span className="muted">Metric</span>
          <select value={metric ?? ''} onChange={(e) => setParams({ metric: e.target.value || null })} aria-label="metric">
            <option value="">per feature (config)</option>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="group" role="group" aria-label="time zone">
        <span className="muted">Times</span>
        <button type="button" aria-pressed={tz === 'utc'} data-testid="tz-utc" onClick={() => setParams({ tz: null }, { replace: true })}>
          UTC
        </button>
        <button type="button" aria-pressed={tz === 'local'} data-testid="tz-local" onClick={() => setParams({ tz: 'local' }, { replace: true })}>
          local
        </button>
      </div>
      <div className="group copy">
        <button type="button" onClick={copy} data-testid="copy-link">
          {copied ? 'Link copied' : 'Copy link'}
        </button>
        {copied && <input readOnly aria-label="link to this view" data-testid="copied-link" value={copied} onFocus={(e) => e.target.select()} />}
      </div>
      <p className="window-info" data-testid="window-shown">
        <span>
          {formatRangeIn(w.from, w.to, tz)}
          {relative && w.window ? ` (last ${w.window} of data)` : ''}
        </span>
        <span className="muted" data-testid="latest-data">
          latest data {formatTimeIn(w.latest_data, tz)}
        </span>
        <span className="muted" data-testid="as-of">
          statuses and alerts as of {formatTimeIn(w.as_of ?? w.to, tz)}
        </span>
        {refresh && (
          <span className="muted" data-testid="updated">
            updated {formatClock(refresh.updatedAt, tz)}
            {refresh.fetching ? ' · refreshing…' : ''}
          </span>
        )}
        {refresh && relative && (
          <button type="button" className="refresh-toggle" aria-pressed={paused} data-testid="pause-refresh" title={paused ? 'Refresh every minute again' : 'Stop refreshing every minute'} onClick={() => setParams({ refresh: paused ? null : '0' }, { replace: true })}>
            {paused ? 'auto-refresh paused' : 'pause auto-refresh'}
          </button>
        )}
      </p>
    </div>
  );
}
