'use client';
import { useState } from 'react';
import { useViewArgs } from '../use-view-query';
import { viewQueryString } from '../queries/view-args';

/** "Download report" (the view as one HTML file) and "Share snapshot" (freeze its numbers, get a link). */
export function ReportActions({ model }: { model: string }) {
  const args = useViewArgs();
  const query = viewQueryString(args);
  const [state, setState] = useState<{ busy: boolean; link?: string; error?: string }>({ busy: false });
  const share = async () => {
    setState({ busy: true });
    try {
      const response = await fetch('/api/snapshots', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, ...args }) });
      const body = (await response.json()) as { url?: string; error?: string };
      if (!response.ok || !body.url) throw new Error(body.error ?? `HTTP ${response.status}`);
      setState({ busy: false, link: body.url });
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <p className="report-actions" data-testid="report-actions">
      <a href={`/api/models/${encodeURIComponent(model)}/report${query ? `?${query}` : ''}`} download data-testid="download-report">
        Download report
      </a>{' '}
      ·{' '}
      <button type="button" onClick={share} disabled={state.busy} data-testid="share-snapshot">
        {state.busy ? 'Freezing …' : 'Share snapshot'}
      </button>
      {state.link && (
        <>
          {' '}
          <a href={state.link} data-testid="snapshot-link">
            snapshot: {state.link}
          </a>
        </>
      )}
      {state.error && <span className="error"> {state.error}</span>}
    </p>
  );
}
