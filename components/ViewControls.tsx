'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';

const PRESETS = ['1h', '6h', '12h', '24h', '7d', '30d'];
const METRICS = ['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger', 'linf'];

/** datetime-local value (UTC) from an ISO time, and back. */
const toLocalInput = (iso: string) => iso.slice(0, 16);
const fromLocalInput = (value: string) => `${value}:00Z`;

/**
 * Window, reference and metric pickers plus "copy link". Every choice lives in the URL (the view
 * is what the URL says), so a copied link reproduces the view. A preset is relative (ends at the
 * latest data); "Copy link" writes the shown window as an absolute from–to range. Callers key it
 * by the window, so its inputs start from the window shown after every navigation.
 */
export function ViewControls({ from, to, window, references, reference, metric }: { from: string; to: string; window?: string; references: string[]; reference: string; metric?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [copied, setCopied] = useState(false);
  const [customFrom, setCustomFrom] = useState(toLocalInput(from));
  const [customTo, setCustomTo] = useState(toLocalInput(to));

  const go = (change: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(change)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    router.push(`${pathname}?${next.toString()}`);
  };

  const copy = async () => {
    // An absolute link: the same view for whoever opens it, whenever.
    const next = new URLSearchParams(params.toString());
    next.delete('window');
    next.set('from', from);
    next.set('to', to);
    next.set('reference', reference);
    const url = `${location.origin}${pathname}?${next.toString()}`;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // Clipboard refused (no permission, plain http): the link is still shown and selectable.
    }
    (document.getElementById('copied-link') as HTMLInputElement | null)?.setAttribute('value', url);
    setCopied(true);
  };

  return (
    <div className="controls" data-testid="controls">
      <div className="group" role="group" aria-label="window">
        <span className="muted">Window</span>
        {PRESETS.map((p) => (
          <button key={p} type="button" aria-pressed={window === p} onClick={() => go({ window: p, from: null, to: null })}>
            {p}
          </button>
        ))}
      </div>
      <form
        className="group"
        aria-label="custom range"
        onSubmit={(e) => {
          e.preventDefault();
          go({ window: null, from: fromLocalInput(customFrom), to: fromLocalInput(customTo) });
        }}
      >
        <input type="datetime-local" aria-label="from (UTC)" value={customFrom} onChange={(e) => setCustomFrom(e.target.value)} />
        <span>–</span>
        <input type="datetime-local" aria-label="to (UTC)" value={customTo} onChange={(e) => setCustomTo(e.target.value)} />
        <button type="submit">Apply range</button>
      </form>
      <label className="group">
        <span className="muted">Reference</span>
        <select value={reference} onChange={(e) => go({ reference: e.target.value })} aria-label="reference">
          {references.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="group">
        <span className="muted">Metric</span>
        <select value={metric ?? ''} onChange={(e) => go({ metric: e.target.value || null })} aria-label="metric">
          <option value="">per feature (config)</option>
          {METRICS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <div className="group">
        <button type="button" onClick={copy} data-testid="copy-link">
          {copied ? 'Link copied' : 'Copy link'}
        </button>
        <input id="copied-link" readOnly aria-label="link to this view" data-testid="copied-link" style={{ width: copied ? '22rem' : 0, padding: copied ? undefined : 0, border: copied ? undefined : 0 }} />
      </div>
      <span className="muted" data-testid="window-shown">
        {from.slice(0, 16).replace('T', ' ')} – {to.slice(0, 16).replace('T', ' ')} UTC{window ? ` (last ${window} of data)` : ''}
      </span>
    </div>
  );
}
