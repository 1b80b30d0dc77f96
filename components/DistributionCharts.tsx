'use client';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatPercent } from './format';
import { sourceStyle } from './sources';

export interface DistributionData {
  type: 'numeric' | 'categorical';
  sources: { name: string; cdf: [number, number][] }[];
  histogram: { edges: number[]; proportions: number[][] } | null;
  categories: { categories: string[]; proportions: number[][] } | null;
}

export function Legend({ names }: { names: string[] }) {
  return (
    <div className="legend" aria-label="legend">
      {names.map((n, i) => {
        const s = sourceStyle(n, i);
        return (
          <span key={n} style={{ ['--c' as string]: s.color, ['--s' as string]: s.css }}>
            {n}
          </span>
        );
      })}
    </div>
  );
}

/** Overlaid CDFs (live, test, train, …) and histograms on shared bins; log-x for heavy tails. */
export function DistributionCharts({ data }: { data: DistributionData }) {
  const positive = data.sources.every((s) => s.cdf.length === 0 || s.cdf[0][0] > 0);
  // Heavy tails or sources decades apart (×1000 units) start on a log axis; the box switches it.
  const lo = Math.min(...data.sources.filter((s) => s.cdf.length).map((s) => s.cdf[0][0]));
  const hi = Math.max(...data.sources.filter((s) => s.cdf.length).map((s) => s.cdf[s.cdf.length - 1][0]));
  const [logX, setLogX] = useState(positive && hi / lo > 1e3);
  const log = logX && positive;
  const names = data.sources.map((s) => s.name);
  if (data.type === 'categorical' && data.categories) {
    const rows = data.categories.categories.map((c, i) => Object.fromEntries([['category', c], ...names.map((n, j) => [n, data.categories!.proportions[j][i]])]));
    return (
      <div className="panel">
        <h3>Category shares</h3>
        <Legend names={names} />
        <ResponsiveContainer width="100%" height={Math.max(260, rows.length * 22)}>
          <BarChart data={rows} layout="vertical" margin={{ left: 40, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => formatPercent(v)} />
            <YAxis type="category" dataKey="category" width={110} />
            <Tooltip formatter={(v) => formatPercent(Number(v))} />
            {names.map((n, i) => (
              <Bar key={n} dataKey={n} fill={sourceStyle(n, i).color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    );
  }
  // Density per unit of x (or of log x) on the shared bins, drawn as steps.
  const edges = data.histogram?.edges ?? [];
  const bins = edges.slice(0, -1).map((a, i) => [a, edges[i + 1]] as const);
  const width = (a: number, b: number) => (log ? Math.log10(b) - Math.log10(a) : b - a);
  const histogramSeries = names.map((n, j) =>
    bins.flatMap(([a, b], i) => {
      const w = width(a, b);
      const density = w > 0 ? (data.histogram!.proportions[j][i] ?? 0) / w : 0;
      return [
        { x: a, y: density },
        { x: b, y: density },
      ];
    }),
  );
  const xScale = log ? 'log' : 'auto';
  const domain = edges.length ? [edges[0], edges[edges.length - 1]] : ['auto', 'auto'];
  return (
    <>
      <div className="controls">
        <Legend names={names} />
        <label>
          <input type="checkbox" checked={log} disabled={!positive} onChange={(e) => setLogX(e.target.checked)} aria-label="log x" /> log x {positive ? '' : '(needs positive values)'}
        </label>
      </div>
      <div className="charts">
        <div className="panel" data-testid="cdf-chart">
          <h3>Cumulative distribution</h3>
          <ResponsiveContainer width="100%" height={300}>
            <LineChart margin={{ left: 8, right: 16, top: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" dataKey="x" scale={xScale} domain={domain as [number, number]} allowDataOverflow tickFormatter={(v: number) => formatNumber(v, 3)} />
              <YAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} />
              <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(v) => `x = ${formatNumber(Number(v))}`} />
              {data.sources.map((s, i) => {
                const st = sourceStyle(s.name, i);
                return <Line key={s.name} name={s.name} data={s.cdf.map(([x, p]) => ({ x, p }))} dataKey="p" stroke={st.color} strokeDasharray={st.dash} strokeWidth={2} dot={false} isAnimationActive={false} type="linear" />;
              })}
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div className="panel" data-testid="histogram-chart">
          <h3>Histogram on shared bins ({log ? 'density per log₁₀ unit' : 'density'})</h3>
          <ResponsiveContainer width="100%" height={300}>
            <LineChart margin={{ left: 8, right: 16, top: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" dataKey="x" scale={xScale} domain={domain as [number, number]} allowDataOverflow tickFormatter={(v: number) => formatNumber(v, 3)} />
              <YAxis type="number" tickFormatter={(v: number) => formatNumber(v, 2)} />
              <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(v) => `x = ${formatNumber(Number(v))}`} />
              {names.map((n, i) => {
                const st = sourceStyle(n, i);
                return <Line key={n} name={n} data={histogramSeries[i]} dataKey="y" stroke={st.color} strokeDasharray={st.dash} strokeWidth={2} dot={false} isAnimationActive={false} type="linear" />;
              })}
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
    </>
  );
}
