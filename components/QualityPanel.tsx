'use client';
import { formatPercent } from './format';
import type { Quality, QualityPoint, QualityStats } from './queries/view-types';
import { formatTimeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';

const share = (part: number, rows: number) => (rows > 0 ? part / rows : null);

const SERIES: { key: string; label: string; color: string; dash?: string; of: (p: QualityPoint) => number | null }[] = [
  { key: 'nulls', label: 'null', color: '#cf222e', of: (p) => share(p.nulls, p.rows) },
  { key: 'non_finite', label: 'NaN/±Inf', color: '#8250df', of: (p) => share(p.non_finite, p.rows) },
  { key: 'type_errors', label: 'wrong type', color: '#9a6700', of: (p) => share(p.type_errors, p.rows) },
  { key: 'outside', label: 'outside reference range', color: '#0550ae', dash: '3 2', of: (p) => (p.outside_range === null ? null : share(p.outside_range, p.rows)) },
];

/**
 * Data quality of one feature: failed values by cause (null, NaN/±Inf, wrong type), the share
 * outside the reference's range and new categories — live over the window against each
 * reference — and the same shares per hour as a small trend. Renders nothing until the server
 * sends `quality`.
 */
export function QualityPanel({ quality, type }: { quality: Quality | null | undefined; type: 'numeric' | 'categorical' }) {
  if (!quality) return null;
  const rows: [string, QualityStats][] = [['live', quality.window], ...Object.entries(quality.references)];
  const fresh = quality.window.new_categories;
  return (
    <section className="panel quality" data-testid="quality">
      <h3>Data quality</h3>
      <div className="table-scroll">
        <table className="data" data-testid="quality-table">
          <thead>
            <tr>
              <th>Source</th>
              <th className="num">Rows</th>
              <th className="num">Null</th>
              <th className="num">NaN/±Inf</th>
              <th className="num">Wrong type</th>
              <th className="num">Failed</th>
              {type === 'numeric' && <th className="num">Outside reference range</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, s]) => (
              <tr key={name} data-source={name}>
                <td>{name === 'live' ? 'live (window)' : name}</td>
                <td className="num">{s.rows.toLocaleString('en-US')}</td>
                <td className="num">{formatPercent(share(s.nulls, s.rows))}</td>
                <td className="num">{formatPercent(share(s.non_finite, s.rows))}</td>
                <td className="num">{formatPercent(share(s.type_errors, s.rows))}</td>
                <td className="num" data-testid={`failed-${name}`}>
                  {formatPercent(s.failed_rate)}
                </td>
                {type === 'numeric' && <td className="num">{formatPercent(s.outside_range_share)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {type === 'categorical' && (
        <p data-testid="new-categories">
          {fresh.length === 0 ? (
            <span className="muted">No categories that the references lack.</span>
          ) : (
            <>
              New categories (not in the reference):{' '}
              {fresh.map((c, i) => (
                <span key={c.name}>
                  {i > 0 && ', '}
                  <code>{c.name}</code> × {c.count.toLocaleString('en-US')}
                </span>
              ))}
            </>
          )}
        </p>
      )}
      <QualityTrend series={quality.series} numeric={type === 'numeric'} />
    </section>
  );
}

function QualityTrend({ series, numeric }: { series: QualityPoint[]; numeric: boolean }) {
  const tz = useShownTimeZone();
  if (series.length < 2) return null;
  const lines = SERIES.filter((s) => numeric || s.key !== 'outside');
  const width = 600;
  const height = 90;
  const values = lines.flatMap((l) => series.map(l.of)).filter((v): v is number => v !== null);
  const top = Math.max(0.01, ...values);
  const x = (i: number) => (i / (series.length - 1)) * width;
  const y = (v: number) => height - (v / top) * height;
  const path = (of: (p: QualityPoint) => number | null) => {
    let d = '';
    let open = false;
    series.forEach((p, i) => {
      const v = of(p);
      if (v === null) return void (open = false);
      d += `${open ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      open = true;
    });
    return d;
  };
  return (
    <figure className="quality-trend" data-testid="quality-trend">
      <svg viewBox={`0 -4 ${width} ${height + 8}`} preserveAspectRatio="none" role="img" aria-label={`failed values by cause per hour, ${formatTimeIn(series[0].at, tz)} to ${formatTimeIn(series.at(-1)?.at, tz)}`}>
        <line x1={0} x2={width} y1={height} y2={height} stroke="#d8dde3" />
        {lines.map((l) => (
          <path key={l.key} d={path(l.of)} fill="none" stroke={l.color} strokeWidth={1.5} strokeDasharray={l.dash} vectorEffect="non-scaling-stroke" />
        ))}
      </svg>
      <figcaption className="muted">
        Share of rows per hour, 0 to {formatPercent(top)}, {formatTimeIn(series[0].at, tz)} – {formatTimeIn(series.at(-1)?.at, tz)}:{' '}
        {lines.map((l) => (
          <span key={l.key} className="key" style={{ ['--c' as string]: l.color }}>
            {l.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
