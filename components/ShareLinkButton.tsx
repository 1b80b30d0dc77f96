'use client';
import { useState } from 'react';
import { useViewArgs } from './use-view-query';

/**
 * "Share link": a signed link to this view (model, feature, window fixed to its current from/to),
 * valid 7 days, that opens without a token and shows nothing else (docs/security.md). Editors only:
 * the server answers 403 otherwise, and the button says so.
 */
export function ShareLinkButton({ model, feature }: { model: string; feature?: string }) {
  const args = useViewArgs();
  const [state, setState] = useState<{ busy: boolean; url?: string; expires?: string; error?: string }>({ busy: false });
  const share = async () => {
    setState({ busy: true });
    try {
      const response = await fetch('/api/share', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, ...(feature ? { feature } : {}), ...args, expires: '7d' }) });
      const body = (await response.json()) as { url?: string; expires?: string; error?: string };
      if (!response.ok || !body.url) throw new Error(body.error ?? `HTTP ${response.status}`);
      setState({ busy: false, url: body.url, expires: body.expires });
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <span className="share-link" data-testid="share-link">
      <button type="button" onClick={share} disabled={state.busy} data-testid="share-link-button">
        {state.busy ? 'Signing …' : 'Share link'}
      </button>
      {state.url && (
        <>
          {' '}
          <input readOnly value={state.url} size={40} aria-label="signed link" data-testid="share-link-url" onFocus={(e) => e.currentTarget.select()} />{' '}
          <span className="muted">valid until {state.expires?.slice(0, 16).replace('T', ' ')} UTC</span>
        </>
      )}
      {state.error && <span className="error"> {state.error}</span>}
    </span>
  );
}
