'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useSearchParams } from 'next/navigation';
import { ErrorBox } from './ErrorBox';
import { formatNumber, formatPercent } from './format';
import { alertsOptions, alertStateOf, type AlertState } from './queries/alerts';
import type { AlertDeliveryItem } from '@/lib/dashboard/views';
import type { AlertItem } from './queries/view-types';
import { formatRangeIn, formatTimeIn } from './time-zone';
import type { TimeZoneMode } from './url-state';
import { useShownTimeZone } from './use-shown-time-zone';
import { useViewQuery } from './use-view-query';

const FILTERS: { label: string; state?: AlertState }[] = [{ label: 'all' }, { label: 'firing', state: 'firing' }, { label: 'resolved', state: 'resolved' }];

/** What fired: a failing alert is about failed values (its rate), a drift alert about a distance. */
function firedValue(a: AlertItem): string {
  if (a.verdict === 'failing') {
    if (typeof a.failed_rate === 'number') return `failed ${formatPercent(a.failed_rate)}${typeof a.reference_failed_rate === 'number' ? ` (reference ${formatPercent(a.reference_failed_rate)})` : ''}`;
    const m = /failed values ([\d.]+%) vs ([\d.]+%)/.exec(`${a.hint ?? ''} ${a.message}`);
    if (m) return `failed ${m[1]} (reference ${m[2]})`;
    return 'failed values';
  }
  return `${a.metric} ${formatNumber(a.value, 3)} / ${formatNumber(a.threshold, 3)}`;
}

/** How notifications are going per channel: a failing channel first, with its last error. */
function DeliveryStatus({ delivery, tz }: { delivery: readonly AlertDeliveryItem[]; tz: TimeZoneMode }) {
  if (delivery.length === 0) return null;
  const failing = delivery.filter((d) => d.pending > 0 && d.last_error !== null);
  const when = (iso: string | null) => (iso === null ? 'never' : formatTimeIn(iso, tz));
  return (
    <section data-testid="delivery">
      {failing.map((d) => (
        <div key={`${d.model}|${d.channel}`} className="warning" role="alert" data-testid="delivery-failing">
          <strong>
            {d.pending} notification{d.pending === 1 ? '' : 's'} of {d.model} not delivered to {d.channel}:
          </strong>{' '}
          {d.last_error} (last tried {when(d.last_attempt_at)}, last delivered {when(d.last_success_at)}); retried at every evaluation.
        </div>
      ))}
      <details open={failing.length > 0}>
        <summary>Delivery by channel</summary>
        <div className="table-scroll">
          <table className="data" data-testid="delivery-table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Channel</th>
                <th className="num">Pending</th>
                <th>Last attempt</th>
                <th>Last success</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {delivery.map((d) => (
                <tr key={`${d.model}|${d.channel}`} data-channel={d.channel}>
                  <td className="nowrap">{d.model}</td>
                  <td className="nowrap">{d.channel}</td>
                  <td className="num">{d.pending}</td>
                  <td className="nowrap">{when(d.last_attempt_at)}</td>
                  <td className="nowrap">{when(d.last_success_at)}</td>
                  <td className="message">{d.last_error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

/** The alerts page's body: events newest first, as of the URL's `to` when it has one; then how their delivery is going. */
export function AlertsView({ rules, delivery = [], workflow }: { rules: number; delivery?: readonly AlertDeliveryItem[]; workflow?: ReactNode }) {
  const params = useSearchParams();
  const state = alertStateOf(params.get('state'));
  const to = params.get('to') ?? undefined;
  const tz = useShownTimeZone();
  const { data: alerts, error, refresh } = useViewQuery(alertsOptions({ state, to }), to ? { to } : {});
  const keep = (next: AlertState | undefined, kept = ['from', 'to', 'tz']) => {
    const q = new URLSearchParams();
    if (next) q.set('state', next);
    for (const k of kept) if (params.get(k)) q.set(k, params.get(k) as string);
    const s = q.toString();
    return s ? `/alerts?${s}` : '/alerts';
  };
  const viewSearch = (a: AlertItem) => {
    const q = new URLSearchParams({ from: a.window_from, to: a.window_to, reference: a.reference });
    if (params.get('tz')) q.set('tz', params.get('tz') as string);
    return q.toString();
  };
  return (
    <>
      <h1>Alerts</h1>
      {rules === 0 && (
        <div className="warning" role="note" data-testid="no-rules">
          <strong>No alert rules:</strong> this store’s config.yaml has no <code>alerts.rules</code>, so nothing can fire. <code>driftwatch init</code> writes default rules (drift and failing verdicts of every monitored feature).
        </div>
      )}
      <nav className="filters" aria-label="alert filter">
        {FILTERS.map((f, i) => (
          <span key={f.label}>
            {i > 0 && ' · '}
            <Link href={keep(f.state)} aria-current={state === f.state ? 'page' : undefined} data-testid={`filter-${f.label}`}>
              {f.label}
            </Link>
          </span>
        ))}
        {to && (
          <span className="muted" data-testid="as-of">
            {' '}
            · as of {formatTimeIn(to, tz)} (<Link href={keep(state, ['tz'])}>now</Link>)
          </span>
        )}
        <span className="muted" data-testid="updated">
          {' '}
          · updated {new Date(refresh.updatedAt).toISOString().slice(11, 16)} UTC
        </span>
      </nav>
      {error && <ErrorBox message={error.message} />}
      <DeliveryStatus delivery={delivery} tz={tz} />
      {workflow}
      {workflow !== undefined && <h2>Events</h2>}
      {!alerts ? (
        <p className="muted">Loading the alerts …</p>
      ) : alerts.length === 0 ? (
        <p className="muted" data-testid="no-alerts">
          No alerts{state ? ` ${state}` : ''}
          {to ? ` up to ${formatTimeIn(to, tz)}` : ''}.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="alerts">
            <thead>
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Model</th>
                <th>Feature</th>
                <th>Verdict</th>
                <th className="num">What fired</th>
                <th>Window</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id} data-feature={a.feature}>
                  <td className="nowrap">{formatTimeIn(a.at, tz)}</td>
                  <td>
                    <span className={`badge ${a.kind === 'firing' ? (a.open ? 'firing' : 'drift') : 'ok'}`}>{a.kind === 'firing' ? (a.open ? 'firing' : 'fired') : 'resolved'}</span>
                  </td>
                  <td className="nowrap">
                    <Link href={`/models/${encodeURIComponent(a.model)}?${viewSearch(a)}`} data-testid="alert-model-link">
                      {a.model}
                    </Link>
                  </td>
                  <td>
                    <Link href={`/models/${encodeURIComponent(a.model)}/features/${encodeURIComponent(a.feature)}?${viewSearch(a)}`} data-testid="alert-link">
                      {a.feature}
                    </Link>
                  </td>
                  <td>
                    <span className={`badge ${a.verdict}`}>{a.verdict}</span>
                  </td>
                  <td className="num nowrap" data-testid="fired-value">
                    {firedValue(a)}
                  </td>
                  <td className="nowrap">{formatRangeIn(a.window_from, a.window_to, tz)}</td>
                  <td className="message">{a.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
