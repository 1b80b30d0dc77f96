'use client';
import { useRef } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type MouseHandlerDataParam } from 'recharts';
import { ChartDownload } from './ChartDownload';
import { timeAxisTitle, timeTickLabel, timeTicks } from './chart-scales';
import { formatNumber, formatTime } from './format';
import { chartRows, METRIC_LABELS, metricDomain, type PerformanceMetricName, type PerformanceSeries } from './performance-data';
import { useShownTimeZone } from './use-shown-time-zone';

const AXIS_TEXT = { fill: '#57606a', fontSize: 12 };
const yTitle = (value: string, angle = -90, position: 'insideLeft' | 'insideRight' = 'insideLeft') => ({ value, angle, position, style: { ...AXIS_TEXT, textAnchor: 'middle' as const } });
export const REALISED_COLOUR = '#0550ae';
export const ESTIMATED_COLOUR = '#D55E00';
const REFERENCE_COLOUR = '#1a7f37';

/**
 * Realised and estimated performance per window on one chart: the estimate's sampling band
 * shaded around its line (ROC AUC), label coverage shaded below (right axis, 0–100%), the
 * reference's level as a line. A click on a point selects its window (`onSelect` gets its `from`).
 */
export function PerformanceChart({ series, metric, selectedFrom, onSelect }: { series: PerformanceSeries; metric: PerformanceMetricName; selectedFrom?: string; onSelect: (from: string) => void }) {
  const tz = useShownTimeZone();
  const ref = useRef<HTMLDivElement>(null);
  const rows = chartRows(series.windows, metric);
  if (rows.length === 0) return null;
  const fromMs = Date.parse(series.windows[0].from);
  const toMs = Date.parse(series.windows.at(-1)!.to);
  const { ticks, stepMs } = timeTicks(fromMs, toMs, tz);
  const referenceLevel = metric === 'roc_auc' ? series.reference_roc_auc : null;
  const domain = metricDomain(rows, metric, referenceLevel);
  const label = METRIC_LABELS[metric];
  const selected = series.windows.find((w) => w.from === selectedFrom);
  const pick = (state: MouseHandlerDataParam) => {
    const index = Number(state.activeTooltipIndex);
    const row = Number.isInteger(index) ? rows[index] : rows.find((r) => r.t === Number(state.activeLabel));
    if (row) onSelect(row.from);
  };
  const tooltip = (v: unknown, name: unknown) => {
    if (Array.isArray(v)) return [`${formatNumber(Number(v[0]), 3)} – ${formatNumber(Number(v[1]), 3)}`, String(name)];
    return [name === 'label coverage' ? `${Number(v).toFixed(1)}%` : formatNumber(Number(v), 3), String(name)];
  };
  return (
    <div className="panel" data-testid="performance-chart" ref={ref}>
      <h3>
        {label} per {series.windows.length > 1 ? 'window' : 'the window'}: realised where labels cover ≥ {Math.round(series.min_coverage * 100)}% of predictions, estimated from the score
        {metric === 'roc_auc' ? ' (band: ± 3 standard errors)' : ''}; grey: label coverage
      </h3>
      <ChartDownload target={ref} subject="performance" chart={metric} />
      <ResponsiveContainer width="100%" height={320}>
        <ComposedChart data={rows} margin={{ left: 12, right: 12, top: 8, bottom: 4 }} onClick={pick} style={{ cursor: 'pointer' }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={[fromMs, toMs]}
            scale="time"
            ticks={ticks}
            interval={0}
            allowDataOverflow
            tickFormatter={(v: number) => timeTickLabel(v, stepMs, tz)}
            label={{ value: `${timeAxisTitle(toMs, tz)}: middle of each window`, position: 'insideBottom', offset: -2, style: AXIS_TEXT }}
            height={44}
          />
          <YAxis yAxisId="metric" domain={domain} allowDataOverflow tickFormatter={(v: number) => formatNumber(v, 3)} label={yTitle(label)} width={64} />
          <YAxis yAxisId="coverage" orientation="right" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} label={yTitle('label coverage', 90, 'insideRight')} width={56} />
          <Tooltip labelFormatter={(v) => `window ${formatTime(rows.find((r) => r.t === Number(v))?.from, tz)} (middle ${formatTime(new Date(Number(v)).toISOString(), tz)})`} formatter={tooltip} />
          {selected && <ReferenceArea yAxisId="metric" x1={Date.parse(selected.from)} x2={Date.parse(selected.to)} fill="#0969da" fillOpacity={0.08} stroke="#0969da" strokeOpacity={0.3} ifOverflow="hidden" />}
          <Area yAxisId="coverage" className="area-coverage" dataKey="coverage" name="label coverage" type="step" fill="#8c959f" fillOpacity={0.18} stroke="#8c959f" strokeOpacity={0.5} isAnimationActive={false} connectNulls={false} />
          {metric === 'roc_auc' && <Area yAxisId="metric" className="area-band" dataKey="band" name="estimate band" fill={ESTIMATED_COLOUR} fillOpacity={0.15} stroke="none" isAnimationActive={false} connectNulls={false} />}
          {referenceLevel !== null && (
            <ReferenceLine yAxisId="metric" y={referenceLevel} stroke={REFERENCE_COLOUR} strokeDasharray="2 3" ifOverflow="extendDomain" label={{ value: `reference "${series.reference}" ${formatNumber(referenceLevel, 3)}`, position: 'insideBottomLeft', style: { ...AXIS_TEXT, fill: REFERENCE_COLOUR } }} />
          )}
          <Line yAxisId="metric" className="line-estimated" dataKey="estimated" name={`estimated ${label}`} stroke={ESTIMATED_COLOUR} strokeDasharray="6 3" strokeWidth={2} dot={{ r: 2.5 }} isAnimationActive={false} connectNulls={false} />
          <Line yAxisId="metric" className="line-realised" dataKey="realised" name={`realised ${label}`} stroke={REALISED_COLOUR} strokeWidth={2} dot={{ r: 3 }} activeDot={{ r: 5 }} isAnimationActive={false} connectNulls={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <p className="legend" aria-hidden="true">
        <span style={{ ['--c' as string]: REALISED_COLOUR, ['--s' as string]: 'solid' }}>realised</span>
        <span style={{ ['--c' as string]: ESTIMATED_COLOUR, ['--s' as string]: 'dashed' }}>estimated{metric === 'roc_auc' ? ' (shaded: band)' : ''}</span>
        {referenceLevel !== null && <span style={{ ['--c' as string]: REFERENCE_COLOUR, ['--s' as string]: 'dotted' }}>reference level</span>}
        <span style={{ ['--c' as string]: '#8c959f', ['--s' as string]: 'solid' }}>label coverage (right axis)</span>
      </p>
      <p className="muted">Click a point, or a row of the table, to see that window’s confusion matrix and calibration.</p>
    </div>
  );
}
