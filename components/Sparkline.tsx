/**
 * A small inline SVG line (server-rendered, no chart library): values are value/threshold ratios,
 * the dashed line is the threshold (1). Nulls are gaps.
 */
export function Sparkline({ values, width = 120, height = 24, label }: { values: (number | null)[]; width?: number; height?: number; label: string }) {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return <span className="muted">–</span>;
  const top = Math.max(1.2, ...finite);
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v: number) => height - 1 - (Math.min(v, top) / top) * (height - 2);
  let d = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    d += `${d === '' || values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  const last = finite[finite.length - 1];
  return (
    <svg width={width} height={height} role="img" aria-label={`${label}: latest ${last.toFixed(2)}× threshold`}>
      <line x1={0} x2={width} y1={y(1)} y2={y(1)} stroke="#8c959f" strokeDasharray="3 2" strokeWidth={1} />
      <path d={d} fill="none" stroke={last > 1 ? '#cf222e' : '#0550ae'} strokeWidth={1.5} />
    </svg>
  );
}
