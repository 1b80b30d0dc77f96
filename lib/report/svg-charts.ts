// Charts as SVG strings, drawn here rather than in a browser: a report must render offline, in
// any viewer and on paper, with nothing to run. Pure: numbers in, markup out.
import { escapeHtml } from './html';

export interface ChartSize {
  width: number;
  height: number;
}

const PAD = { left: 48, right: 12, top: 14, bottom: 34 };
/** Source colours, as the dashboard's charts: live stands out, references are calmer. */
export const SOURCE_COLOURS: Record<string, string> = { live: '#c0392b', test: '#2563eb', train: '#6b7280' };
const EXTRA_COLOURS = ['#7c3aed', '#0d9488', '#b45309'];

export function sourceColour(name: string, index: number): string {
  return SOURCE_COLOURS[name] ?? EXTRA_COLOURS[index % EXTRA_COLOURS.length];
}

/** A short number for an axis label: 3 significant digits, thousands as k/M. */
export function axisNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return `${+(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(x / 1e3).toPrecision(3)}k`;
  return String(+x.toPrecision(3));
}

const fixed = (x: number): string => (Math.round(x * 10) / 10).toString();

function frame(size: ChartSize, label: string, body: string): string {
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}">${body}</svg>`;
}

interface Scale {
  x: (v: number) => number;
  y: (v: number) => number;
}

function scales(size: ChartSize, [x0, x1]: [number, number], [y0, y1]: [number, number]): Scale {
  const w = size.width - PAD.left - PAD.right;
  const h = size.height - PAD.top - PAD.bottom;
  const dx = x1 - x0 || 1;
  const dy = y1 - y0 || 1;
  return { x: (v) => PAD.left + ((v - x0) / dx) * w, y: (v) => PAD.top + h - ((v - y0) / dy) * h };
}

function axes(size: ChartSize, s: Scale, xTicks: { at: number; label: string }[], yTicks: { at: number; label: string }[]): string {
  const bottom = size.height - PAD.bottom;
  const parts = [`<line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${size.width - PAD.right}" y2="${bottom}" stroke="#9ca3af"/>`, `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}" stroke="#9ca3af"/>`];
  for (const t of xTicks) parts.push(`<text x="${fixed(s.x(t.at))}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#374151">${escapeHtml(t.label)}</text>`);
  for (const t of yTicks) {
    parts.push(`<line x1="${PAD.left}" y1="${fixed(s.y(t.at))}" x2="${size.width - PAD.right}" y2="${fixed(s.y(t.at))}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${PAD.left - 4}" y="${fixed(s.y(t.at) + 3)}" font-size="10" text-anchor="end" fill="#374151">${escapeHtml(t.label)}</text>`);
  }
  return parts.join('');
}

function legend(size: ChartSize, items: { name: string; colour: string; dashed?: boolean }[]): string {
  let x = PAD.left;
  const y = size.height - 6;
  return items
    .map((item) => {
      const out = `<line x1="${x}" y1="${y - 3}" x2="${x + 16}" y2="${y - 3}" stroke="${item.colour}" stroke-width="2"${item.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="${x + 20}" y="${y}" font-size="10" fill="#374151">${escapeHtml(item.name)}</text>`;
      x += 28 + item.name.length * 6;
      return out;
    })
    .join('');
}

/** "M x y L x y …" of the finite points; a null or non-finite value breaks the line. */
export function linePath(points: readonly { x: number; y: number | null }[], s: Scale): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${fixed(s.x(p.x))} ${fixed(s.y(p.y))}`;
    pen = true;
  }
  return d;
}

export interface CdfSeries {
  /** "live" or a reference's name. */
  name: string;
  /** [x, P(X ≤ x)], x ascending. */
  points: readonly (readonly [number, number])[];
}

/** Empirical CDFs overlaid (live against each reference), drawn as steps. */
export function cdfChart(series: readonly CdfSeries[], title: string, size: ChartSize = { width: 640, height: 240 }): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  if (xs.length === 0) return frame(size, title, `<text x="${size.width / 2}" y="${size.height / 2}" text-anchor="middle" font-size="12" fill="#6b7280">no values to plot</text>`);
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const x of xs) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  }
  const s = scales(size, [x0, x1], [0, 1]);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => x0 + f * (x1 - x0)).map((at) => ({ at, label: axisNumber(at) }));
  const yTicks = [0, 0.5, 1].map((at) => ({ at, label: String(at) }));
  const lines = series.map((ser, i) => {
    const steps: { x: number; y: number | null }[] = [];
    let prev = 0;
    for (const [x, p] of ser.points) {
      steps.push({ x, y: prev }, { x, y: p });
      prev = p;
    }
    return `<path class="series" data-source="${escapeHtml(ser.name)}" d="${linePath(steps, s)}" fill="none" stroke="${sourceColour(ser.name, i)}" stroke-width="${ser.name === 'live' ? 2 : 1.5}"/>`;
  });
  return frame(size, title, axes(size, s, xTicks, yTicks) + lines.join('') + legend(size, series.map((ser, i) => ({ name: ser.name, colour: sourceColour(ser.name, i) }))));
}

/** Category proportions per source, grouped bars (for categorical features, whose CDF means nothing). */
export function categoryChart(categories: readonly string[], sources: readonly { name: string; proportions: readonly number[] }[], title: string, size: ChartSize = { width: 640, height: 240 }): string {
  const shown = categories.slice(0, 12);
  const top = Math.max(0.01, ...sources.flatMap((src) => src.proportions.slice(0, shown.length)));
  const s = scales(size, [0, shown.length], [0, top]);
  const groupWidth = s.x(1) - s.x(0);
  const barWidth = (groupWidth * 0.8) / Math.max(1, sources.length);
  const bars: string[] = [];
  sources.forEach((src, j) => {
    shown.forEach((_, i) => {
      const v = src.proportions[i] ?? 0;
      const x = s.x(i) + groupWidth * 0.1 + j * barWidth;
      bars.push(`<path class="series" data-source="${escapeHtml(src.name)}" d="M${fixed(x)} ${fixed(s.y(0))}V${fixed(s.y(v))}H${fixed(x + barWidth)}V${fixed(s.y(0))}Z" fill="${sourceColour(src.name, j)}"/>`);
    });
  });
  const xTicks = shown.map((c, i) => ({ at: i + 0.5, label: c.length > 10 ? `${c.slice(0, 9)}…` : c }));
  const yTicks = [0, top / 2, top].map((at) => ({ at, label: `${Math.round(at * 100)}%` }));
  return frame(size, title, axes(size, s, xTicks, yTicks) + bars.join('') + legend(size, sources.map((src, j) => ({ name: src.name, colour: sourceColour(src.name, j) }))));
}

export interface TimePoint {
  atMs: number;
  value: number | null;
  threshold: number | null;
}

/** A distance over time against its threshold (dashed), with the time axis in UTC days. */
export function distanceChart(points: readonly TimePoint[], title: string, size: ChartSize = { width: 640, height: 200 }): string {
  const finite = points.filter((p) => p.value !== null && Number.isFinite(p.value));
  if (finite.length === 0) return frame(size, title, `<text x="${size.width / 2}" y="${size.height / 2}" text-anchor="middle" font-size="12" fill="#6b7280">no evaluations in this range</text>`);
  const t0 = points[0].atMs;
  const t1 = points[points.length - 1].atMs;
  const top = Math.max(...points.flatMap((p) => [p.value ?? 0, p.threshold ?? 0]).filter(Number.isFinite)) * 1.1 || 1;
  const s = scales(size, [t0, t1], [0, top]);
  const day = 86_400_000;
  const xTicks: { at: number; label: string }[] = [];
  const stride = Math.max(1, Math.ceil((t1 - t0) / day / 7));
  for (let t = Math.ceil(t0 / day) * day; t <= t1; t += stride * day) xTicks.push({ at: t, label: new Date(t).toISOString().slice(5, 10) });
  const yTicks = [0, top / 2, top].map((at) => ({ at, label: axisNumber(at) }));
  const value = `<path class="series" data-source="distance" d="${linePath(points.map((p) => ({ x: p.atMs, y: p.value })), s)}" fill="none" stroke="#c0392b" stroke-width="1.5"/>`;
  const threshold = `<path class="threshold" d="${linePath(points.map((p) => ({ x: p.atMs, y: p.threshold })), s)}" fill="none" stroke="#374151" stroke-width="1" stroke-dasharray="4 3"/>`;
  return frame(size, title, axes(size, s, xTicks, yTicks) + threshold + value + legend(size, [{ name: 'distance', colour: '#c0392b' }, { name: 'threshold', colour: '#374151', dashed: true }]));
}
