'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import type { WorkflowAlert } from '@/lib/alerts/workflow-list';

const STATUSES = ['firing', 'acknowledged', 'silenced', 'resolved'] as const;

/** POST one action; the route answers `{error}` on a 4xx (e.g. 403 for a viewer). */
async function act(action: 'ack' | 'silence' | 'assign' | 'note', body: Record<string, string>): Promise<string | undefined> {
  const response = await fetch(`/api/alerts/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.ok) return undefined;
  const json = (await response.json().catch(() => ({}))) as { error?: string };
  return json.error ?? `HTTP ${response.status}`;
}

function Row({ a, onDone }: { a: WorkflowAlert; onDone: (error?: string) => void }) {
  const [owner, setOwner] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (action: Parameters<typeof act>[0], body: Record<string, string>) => {
    setBusy(true);
    const error = await act(action, { id: a.id, ...body });
    setBusy(false);
    onDone(error);
  };
  const w = a.workflow;
  return (
    <tr data-testid="workflow-alert" data-id={a.id} data-state={a.state}>
      <td>
        <span className={`badge ${a.state === 'firing' ? 'firing' : a.state === 'resolved' ? 'ok' : 'drift'}`} data-testid="workflow-state">
          {a.state}
        </span>
      </td>
      <td className="nowrap">{a.model}</td>
      <td>{a.feature}</td>
      <td className="nowrap">{a.rule}</td>
      <td data-testid="workflow-owner">{w.owner?.name ?? '—'}</td>
      <td className="message" data-testid="workflow-detail">
        {w.acknowledged && <div>acknowledged by {w.acknowledged.by} at {w.acknowledged.at}{w.acknowledged.note ? `: ${w.acknowledged.note}` : ''}</div>}
        {w.silenced && <div>silenced{w.silenced.rule ? ' (whole rule)' : ''} until {w.silenced.until} by {w.silenced.by}</div>}
        {w.notes.map((n, i) => (
          <div key={i} data-testid="workflow-note">
            {n.by} ({n.at}): {n.text}
          </div>
        ))}
      </td>
      <td className="nowrap">
        <button type="button" disabled={busy || a.state === 'resolved'} onClick={() => run('ack', {})} data-testid="ack">
          Ack
        </button>{' '}
        <button type="button" disabled={busy} onClick={() => run('silence', { for: '12h' })} data-testid="silence">
          Silence 12h
        </button>{' '}
        <input aria-label="owner" placeholder="owner" value={owner} onChange={(e) => setOwner(e.target.value)} size={8} data-testid="owner-input" />
        <button type="button" disabled={busy || owner.trim() === ''} onClick={() => run('assign', { owner })} data-testid="assign">
          Assign
        </button>{' '}
        <input aria-label="note" placeholder="note" value={text} onChange={(e) => setText(e.target.value)} size={12} data-testid="note-input" />
        <button type="button" disabled={busy || text.trim() === ''} onClick={() => run('note', { text })} data-testid="note">
          Note
        </button>
      </td>
    </tr>
  );
}

/** One row per alert with its workflow state, owner and notes; filtered by `status` and `owner` in the URL; editors act with the buttons. */
export function AlertWorkflowPanel({ alerts }: { alerts: readonly WorkflowAlert[] }) {
  const params = useSearchParams();
  const router = useRouter();
  const [error, setError] = useState<string | undefined>();
  const status = params.get('status');
  const owner = params.get('owner');
  const href = (next: Record<string, string | null>) => {
    const q = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(next)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    const s = q.toString();
    return s ? `/alerts?${s}` : '/alerts';
  };
  const owners = [...new Set(alerts.map((a) => a.workflow.owner?.name).filter((n): n is string => Boolean(n)))].sort();
  return (
    <section data-testid="workflow">
      <h2>Alert workflow</h2>
      <nav className="filters" aria-label="workflow filter">
        <Link href={href({ status: null })} aria-current={status === null ? 'page' : undefined} data-testid="status-all">
          all
        </Link>
        {STATUSES.map((s) => (
          <span key={s}>
            {' · '}
            <Link href={href({ status: s })} aria-current={status === s ? 'page' : undefined} data-testid={`status-${s}`}>
              {s}
            </Link>
          </span>
        ))}
        {owner !== null ? (
          <span data-testid="owner-filter">
            {' '}
            · owner {owner} (<Link href={href({ owner: null })}>any owner</Link>)
          </span>
        ) : (
          owners.map((o) => (
            <span key={o}>
              {' · '}
              <Link href={href({ owner: o })} data-testid="owner-link">
                owner {o}
              </Link>
            </span>
          ))
        )}
      </nav>
      {error && (
        <p className="error" role="alert" data-testid="workflow-error">
          {error}
        </p>
      )}
      {alerts.length === 0 ? (
        <p className="muted" data-testid="no-workflow-alerts">
          No alerts{status ? ` ${status}` : ''}
          {owner ? ` owned by ${owner}` : ''}.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="workflow-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Model</th>
                <th>Feature</th>
                <th>Rule</th>
                <th>Owner</th>
                <th>Acknowledged, silenced, notes</th>
                <th>Act</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <Row
                  key={a.id}
                  a={a}
                  onDone={(e) => {
                    setError(e);
                    if (e === undefined) router.refresh();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
