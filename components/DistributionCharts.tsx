'use client';
import { useSearchParams } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { binDensities, mergeNarrowBins } from '@/lib/dashboard/histogram-bins';
import { ChartDownload } from './ChartDownload';
import { defaultLogX, logTicks, type SourceRange } from './chart-scales';
import { formatNumber, formatPercent } from './format';
import { sourceStyle } from './sources';
import { useSetUrlParams } from './url-state';

export interface DistributionData {
  /** The feature's name: the x axis title. */
  feature?: string;
  type: 'numeric' | 'categorical';
  sources: { name: string; cdf: [number, number][]; stats?: SourceRange }[];
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

const AXIS_TEXT = { fill: '#57606a', fontSize: 12 };
const xTitle = (value: string) => ({ value, position: 'insideBottom' as const, offset: -2, style: AXIS_TEXT });
const yTitle = (value: string) => ({ value, angle: -90, position: 'insideLeft' as const, style: { ...AXIS_TEXT, textAnchor: 'middle' as const } });

/** Log-axis ticks: 0.01 … 10,000 written out, beyond that as 1e5, 1e-4. */
function formatPowerOfTen(v: number): string {
  const k = Math.round(Math.log10(v));
  return k >= 5 || k <= -3 ? `1e${k}` : formatNumber(v, 3);
}

/** Each source's range: its table statistics, or the ends of its CDF when only that was sent. */
function rangesOf(sources: DistributionData['sources']): SourceRange[] {
  return sources
    .filter((s) => s.stats || s.cdf.length)
    .map((s) => s.stats ?? { min: s.cdf[0][0], max: s.cdf[s.cdf.length - 1][0], p50: null, p99: null });
}

/**
 * The log-x state: the URL's `logx=1|0` when given, else the automatic default (heavy-tailed
 * positive features only). A log axis needs every value above 0.
 */
export function useLogX(data: DistributionData): { log: boolean; positive: boolean; automatic: boolean; setLog: (on: boolean) => void } {
  const params = useSearchParams();
  const setParams = useSetUrlParams();
  const ranges = rangesOf(data.sources).filter((r) => r.min !== null);
  const positive = ranges.length > 0 && ranges.every((r) => (r.min as number) > 0);
  const asked = params.get('logx');
  // The box answers at once; the URL (navigation) catches up, and from then on the URL decides.
  const [pending, setPending] = useState<{ asked: string | null; log: boolean } | null>(null);
  const automatic = asked !== '1' && asked !== '0';
  const wanted = pending && pending.asked === asked ? pending.log : automatic ? defaultLogX(ranges) : asked === '1';
  const setLog = (on: boolean) => {
    setPending({ asked, log: on });
    setParams({ logx: on ? '1' : '0' }, { replace: true });
  };
  return { log: wanted && positive, positive, automatic: automatic && !pending, setLog };
}

/** Overlaid CDFs (live, test, train, …) and densities on shared bins, with axis titles and log-x for heavy tails. */
export function DistributionCharts({ data, unit }: { data: DistributionData; unit?: string }) {
  const { log, positive, automatic, setLog } = useLogX(data);
  const refs = { category: useRef<HTMLDivElement>(null), cdf: useRef<HTMLDivElement>(null), histogram: useRef<HTMLDivElement>(null) };
  const names = data.sources.map((s) => s.name);
  const ranges = rangesOf(data.sources);
  const lo = Math.min(...ranges.map((r) => r.min ?? Infinity));
  const hi = Math.max(...ranges.map((r) => r.max ?? -Infinity));
  const histogram = useMemo(() => {
    if (!data.histogram || data.histogram.edges.length < 2) return null;
    const merged = mergeNarrowBins(data.histogram, { log });
    return { merged, densities: binDensities(merged, log) };
  }, [data.histogram, log]);
  const feature = data.feature ?? 'value';
  if (data.type === 'categorical' && data.categories) {
    const categories = data.categories;
    const rows = categories.categories.map((c, i) => Object.fromEntries([['category', c], ...names.map((n, j) => [n, categories.proportions[j][i]])]));
    return (
      <div className="panel" data-testid="category-chart" ref={refs.category}>
        <h3>Category shares</h3>
        <ChartDownload target={refs.category} subject={feature} chart="categories" />
        <Legend names={names} />
        <ResponsiveContainer width="100%" height={Math.max(260, rows.length * 22 + 40)}>
          <BarChart data={rows} layout="vertical" margin={{ left: 24, right: 16, bottom: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => formatPercent(v)} label={xTitle('share of rows')} height={44} />
            <YAxis type="category" dataKey="category" width={120} label={yTitle(feature)} />
            <Tooltip formatter={(v) => formatPercent(Number(v))} />
            {names.map((n, i) => (
              <Bar key={n} dataKey={n} fill={sourceStyle(n, i).color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    );
  }
  // On a log axis the ticks are powers of ten spanning every source, so no live value lies outside them.
  const ticks = log ? logTicks(lo, hi) : undefined;
  const domain: [number, number] | ['auto', 'auto'] = ticks?.length ? [ticks[0], ticks[ticks.length - 1]] : Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : ['auto', 'auto'];
  const xScale = log ? 'log' : 'auto';
  const xLabel = `${feature}${unit ? ` (${unit})` : ''}${log ? ', log scale' : ''}`;
  const xAxis = (
    <XAxis
      type="number"
      dataKey="x"
      scale={xScale}
      domain={domain}
      ticks={ticks}
      interval={ticks ? 0 : 'preserveEnd'}
      allowDataOverflow
      tickFormatter={log ? formatPowerOfTen : (v: number) => formatNumber(v, 3)}
      label={xTitle(xLabel)}
      height={44}
    />
  );
  const histogramSeries = names.map((_, j) =>
    histogram
      ? histogram.merged.edges.slice(0, -1).flatMap((a, i) => [
          { x: a, y: histogram.densities[j][i] },
          { x: histogram.merged.edges[i + 1], y: histogram.densities[j][i] },
        ])
      : [],
  );
  const densityTitle = log ? 'density per log₁₀ unit of x' : unit ? `density (share per ${unit})` : 'density (share per unit of x)';
  return (
    <>
      <div className="controls">
        <Legend names={names} />
        <label title={positive ? 'Log scale on x (default for heavy-tailed positive features)' : 'A log axis needs every value above 0'}>
          <input type="checkbox" checked={log} disabled={!positive} onChange={(e) => setLog(e.target.checked)} aria-label="log x" data-testid="logx" data-automatic={automatic ? '1' : '0'} /> log x{' '}
          {positive ? (automatic ? <span className="muted">(auto)</span> : '') : <span className="muted">(needs positive values)</span>}
        </label>
      </div>
      <div className="charts" data-logx={log ? '1' : '0'}>
        <div className="panel" data-testid="cdf-chart" ref={refs.cdf}>
          <h3>Cumulative distribution</h3>
          <ChartDownload target={refs.cdf} subject={feature} chart="cdf" />
          <ResponsiveContainer width="100%" height={320}>
            <LineChart margin={{ left: 12, right: 28, top: 8, bottom: 4 }}>
              <CartesianGrid strokeDasharray="3 3" />
              {xAxis}
              <YAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} label={yTitle('share of rows ≤ x')} width={64} />
              <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(v) => `${feature} = ${formatNumber(Number(v))}${unit ? ` ${unit}` : ''}`} />
              {data.sources.map((s, i) => {
                const st = sourceStyle(s.name, i);
                return <Line key={s.name} name={s.name} data={s.cdf.map(([x, p]) => ({ x, p }))} dataKey="p" stroke={st.color} strokeDasharray={st.dash} strokeWidth={2} dot={false} isAnimationActive={false} type="linear" />;
              })}
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div className="panel" data-testid="histogram-chart" ref={refs.histogram}>
          <h3>Histogram on shared bins</h3>
          <ChartDownload target={refs.histogram} subject={feature} chart="density" />
          {histogram && histogram.merged.edges[0] === histogram.merged.edges[histogram.merged.edges.length - 1] ? (
            <p className="muted">Every value is {formatNumber(histogram.merged.edges[0])}: nothing to bin.</p>
          ) : (
            <ResponsiveContainer width="100%" height={320}>
              <LineChart margin={{ left: 12, right: 28, top: 8, bottom: 4 }}>
                <CartesianGrid strokeDasharray="3 3" />
                {xAxis}
                <YAxis type="number" tickFormatter={(v: number) => formatNumber(v, 2)} label={yTitle(densityTitle)} width={72} />
                <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(v) => `${feature} = ${formatNumber(Number(v))}${unit ? ` ${unit}` : ''}`} />
                {names.map((n, i) => {
                  const st = sourceStyle(n, i);
                  return <Line key={n} name={n} data={histogramSeries[i]} dataKey="y" stroke={st.color} strokeDasharray={st.dash} strokeWidth={2} dot={false} isAnimationActive={false} type="linear" />;
                })}
              </LineChart>
            </ResponsiveContainer>
          )}
        </div>
      </div>
    </>
  );
}
