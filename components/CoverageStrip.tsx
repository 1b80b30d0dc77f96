'use client';
import type { Coverage } from './queries/view-types';
import { formatTimeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';

/**
 * Rows per hour of the window as a strip of bars; an hour without data is a red tick below the
 * axis, so a gap in the pipeline is visible before anyone reads a verdict computed without it.
 */
export function CoverageStrip({ coverage }: { coverage: Coverage | undefined }) {
  const tz = useShownTimeZone();
  if (!coverage || coverage.hours.length === 0) return null;
  const { hours } = coverage;
  const max = Math.max(1, ...hours.map((h) => h.rows));
  const height = 28;
  return (
    <figure className="coverage" data-testid="coverage">
      <svg viewBox={`0 0 ${hours.length} ${height + 4}`} preserveAspectRatio="none" role="img" aria-label={`rows per hour: ${coverage.rows.toLocaleString('en-US')} rows, ${coverage.empty_hours} of ${hours.length} hours without data`}>
        {hours.map((h, i) =>
          h.rows === 0 ? (
            <rect key={h.at} x={i} y={height} width={1} height={4} className="coverage-empty">
              <title>{`${formatTimeIn(h.at, tz)}: no data`}</title>
            </rect>
          ) : (
            <rect key={h.at} x={i + 0.08} y={height - (h.rows / max) * height} width={0.84} height={(h.rows / max) * height} className="coverage-bar">
              <title>{`${formatTimeIn(h.at, tz)}: ${h.rows.toLocaleString('en-US')} rows`}</title>
            </rect>
          ),
        )}
      </svg>
      <figcaption className="muted">
        Data coverage: {coverage.rows.toLocaleString('en-US')} rows over {hours.length} h{coverage.rows > 0 ? `, up to ${max.toLocaleString('en-US')} an hour` : ''}
        {coverage.empty_hours > 0 ? (
          <>
            {' · '}
            <span className="warn-text" data-testid="empty-hours">
              {coverage.empty_hours} {coverage.empty_hours === 1 ? 'hour' : 'hours'} without data
            </span>
          </>
        ) : (
          ' · every hour has data'
        )}
        {coverage.approximate ? ' · some hours come from rollups: their bars show the rollup’s average' : ''}
      </figcaption>
    </figure>
  );
}

/** "No predictions between … and …": the window has nothing to judge. */
export function EmptyWindow({ from, to }: { from: string; to: string }) {
  const tz = useShownTimeZone();
  return (
    <p className="notice" role="status" data-testid="empty-window">
      No predictions between {formatTimeIn(from, tz)} and {formatTimeIn(to, tz)}: there is nothing to compare in this window. Pick another window, or check that the pipeline profiled these hours.
    </p>
  );
}

/**
 * The view's warnings (small reference, hours without data, …). An empty window's own warning is
 * left out when the page shows EmptyWindow instead (`empty`).
 */
export function WarningBox({ warnings, empty = false, testId = 'warnings' }: { warnings: readonly string[] | undefined; empty?: boolean; testId?: string }) {
  const shown = (warnings ?? []).filter((w) => !(empty && w.startsWith('no predictions between')));
  if (shown.length === 0) return null;
  return (
    <div className="warning" role="note" data-testid={testId}>
      <strong>{shown.length === 1 ? 'Warning' : 'Warnings'}</strong>
      <ul>
        {shown.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}
