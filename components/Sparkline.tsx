'use client';
import { useState, type MouseEvent } from 'react';

/** Top of the shared sparkline scale: at least 2× threshold, at most 10× (larger values are clipped). */
export const SPARKLINE_MIN_TOP = 2;
export const SPARKLINE_MAX_TOP = 10;

/** One scale for a set of sparklines (value ÷ threshold): 0 … max(2, largest value), capped at 10. */
export function sparklineTop(series: readonly (readonly (number | null)[])[]): number {
  let top = SPARKLINE_MIN_TOP;
  for (const values of series) for (const v of values) if (v !== null && Number.isFinite(v) && v > top) top = v;
  return Math.min(SPARKLINE_MAX_TOP, top);
}

const NEUTRAL = '#8c959f';

/**
 * A small inline SVG line of value ÷ threshold ratios on a scale shared by its table (`top`), with the
 * threshold (1.0) dashed. Nulls are gaps. Hovering shows the value at the nearest point; `neutral`
 * (a feature whose drift is not monitored) draws it grey, never red.
 */
export function Sparkline({
  values,
  width = 120,
  height = 24,
  label,
  top: sharedTop,
  neutral = false,
  pointLabel,
}: {
  values: (number | null)[];
  width?: number;
  height?: number;
  label: string;
  /** Top of the y scale (shared by a table so rows compare); default: this line's own, 2…10. */
  top?: number;
  neutral?: boolean;
  /** Says when point i is, for the tooltip ("5 h before the window end"). */
  pointLabel?: (i: number) => string;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return <span className="muted">–</span>;
  const top = sharedTop ?? sparklineTop([values]);
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v: number) => height - 1 - (Math.max(0, Math.min(v, top)) / top) * (height - 2);
  let d = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    d += `${d === '' || values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  const last = finite[finite.length - 1];
  const stroke = neutral ? NEUTRAL : last > 1 ? '#cf222e' : '#0550ae';
  const describe = (i: number) => {
    const v = values[i];
    const when = pointLabel ? `${pointLabel(i)}: ` : '';
    return `${when}${v === null || !Number.isFinite(v) ? 'no value' : `${v.toFixed(2)}× threshold`}`;
  };
  const summary = `${label}: latest ${last.toFixed(2)}× threshold${neutral ? ' (drift not monitored)' : ''}; scale 0–${top.toFixed(1)}×, dashed line 1.0×`;
  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const i = values.length === 1 ? 0 : Math.round(((e.clientX - box.left - 1) / (width - 2)) * (values.length - 1));
    setHover(Math.max(0, Math.min(values.length - 1, i)));
  };
  return (
    <span className="sparkline" style={{ position: 'relative', display: 'inline-block' }}>
      <svg width={width} height={height} role="img" aria-label={summary} onMouseMove={onMove} onMouseLeave={() => setHover(null)} data-neutral={neutral ? '1' : undefined}>
        <title>{hover === null ? summary : describe(hover)}</title>
        <line x1={0} x2={width} y1={y(1)} y2={y(1)} stroke={NEUTRAL} strokeDasharray="3 2" strokeWidth={1} />
        <path d={d} fill="none" stroke={stroke} strokeWidth={1.5} />
        {hover !== null && values[hover] !== null && Number.isFinite(values[hover]) && <circle cx={x(hover)} cy={y(values[hover] as number)} r={2.5} fill={stroke} />}
      </svg>
      {hover !== null && (
        <span role="tooltip" className="sparkline-tip" style={{ position: 'absolute', left: 0, bottom: '100%', whiteSpace: 'nowrap', fontSize: '0.75rem', background: 'var(--bg, #fff)', border: '1px solid #d0d7de', borderRadius: 4, padding: '0 0.3rem', pointerEvents: 'none', zIndex: 2 }}>
          {describe(hover)}
        </span>
      )}
    </span>
  );
}
