'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type MouseHandlerDataParam } from 'recharts';
import { ChartDownload } from './ChartDownload';
import { durationMs, timeAxisTitle, timeTickLabel, timeTicks, trendRange, wholeHourRange } from './chart-scales';
import { formatNumber, formatPercent, formatTime } from './format';
import { trendOptions } from './queries/trend';
import { useSetUrlParams, useTimeZone } from './url-state';

const HOUR_MS = 3_600_000;
const AXIS_TEXT = { fill: '#57606a', fontSize: 12 };
const xTitle = (value: string) => ({ value, position: 'insideBottom' as const, offset: -2, style: AXIS_TEXT });
const yTitle = (value: string) => ({ value, angle: -90, position: 'insideLeft' as const, style: { ...AXIS_TEXT, textAnchor: 'middle' as const } });
const iso = (ms: number) => new Date(ms).toISOString();
const labelOf = (state: MouseHandlerDataParam): number | null => {
  const v = Number(state.activeLabel);
  return state.activeLabel === undefined || !Number.isFinite(v) ? null : v;
};

/**
 * Distance and failed-rate trends of one feature, with threshold, alert markers and the page's
 * window shaded. Drag across a chart to zoom (sets `from`/`to` in whole hours); click a point to
 * open the window that point measured. A window given as from–to (e.g. opened from an alert) is
 * shown with context after it too, up to the latest data.
 */
export function TrendCharts({
  model,
  feature,
  reference,
  metric,
  to,
  from,
  window,
  latest,
}: {
  model: string;
  feature: string;
  reference: string;
  metric?: string;
  /** The page's window (WindowInfo.to / .from); `window` is set for a relative window ("24h"). */
  to: string;
  from?: string;
  window?: string;
  /** WindowInfo.latest_data: the trend never extends past it. */
  latest?: string | null;
}) {
  const tz = useTimeZone();
  const setParams = useSetUrlParams();
  const toMs = Date.parse(to);
  const fromMs = from ? Date.parse(from) : toMs - (durationMs(window) ?? 24 * HOUR_MS);
  const range = trendRange(fromMs, toMs, { relative: window !== undefined || from === undefined, latestMs: latest ? Date.parse(latest) : null });
  const { data, error, isPending, isFetching } = useQuery({
    ...trendOptions(model, { feature, reference, metric, from: iso(range.fromMs), to: iso(range.toMs) }),
    placeholderData: keepPreviousData,
  });
  // The ref is what mouse-up reads (recharts may call handlers before a re-render); the state draws the band.
  const dragRef = useRef<{ start: number; end: number } | null>(null);
  const refs = { trend: useRef<HTMLDivElement>(null), failed: useRef<HTMLDivElement>(null) };
  const [drag, setDragState] = useState<{ start: number; end: number } | null>(null);
  const setDrag = (next: { start: number; end: number } | null) => {
    dragRef.current = next;
    setDragState(next);
  };
  if (isPending) return <p className="muted">Loading the trend …</p>;
  if (error) return <p className="error">{error.message}</p>;

  const points = data.points.map((p) => ({ t: Date.parse(p.at), value: p.value, threshold: p.threshold, failed: p.failed_rate, refFailed: p.reference_failed_rate }));
  const shownFrom = Date.parse(data.from);
  const shownTo = Date.parse(data.to);
  const { ticks, stepMs } = timeTicks(shownFrom, shownTo, tz);
  const pointWindowMs = durationMs(data.window) ?? 24 * HOUR_MS;

  const openRange = (a: number, b: number) => {
    const r = wholeHourRange(a, b);
    setParams({ from: iso(r.fromMs), to: iso(r.toMs), window: null });
  };
  const mouse = {
    onMouseDown: (state: MouseHandlerDataParam) => {
      const t = labelOf(state);
      if (t !== null) setDrag({ start: t, end: t });
    },
    onMouseMove: (state: MouseHandlerDataParam) => {
      const t = labelOf(state);
      const current = dragRef.current;
      if (current && t !== null && t !== current.end) setDrag({ ...current, end: t });
    },
    onMouseUp: (state: MouseHandlerDataParam) => {
      const current = dragRef.current;
      if (!current) return;
      setDrag(null);
      const t = labelOf(state);
      const drag = t === null ? current : { ...current, end: t };
      // A click (no drag) opens the window that point measured: it ends at the point.
      if (Math.abs(drag.end - drag.start) < HOUR_MS) openRange(drag.start - pointWindowMs, drag.start);
      else openRange(drag.start, drag.end);
    },
    onMouseLeave: () => setDrag(null),
  };
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      domain={[shownFrom, shownTo]}
      scale="time"
      ticks={ticks}
      interval={0}
      allowDataOverflow
      tickFormatter={(v: number) => timeTickLabel(v, stepMs, tz)}
      label={xTitle(`${timeAxisTitle(shownTo, tz)}: end of each ${data.window} window`)}
      height={44}
    />
  );
  const overlays = [
    <ReferenceArea key="window" x1={Math.max(fromMs, shownFrom)} x2={Math.min(toMs, shownTo)} fill="#0969da" fillOpacity={0.08} stroke="#0969da" strokeOpacity={0.3} ifOverflow="hidden" label={{ value: 'selected window', position: 'insideTop', style: AXIS_TEXT }} />,
    drag && drag.end !== drag.start ? <ReferenceArea key="drag" x1={Math.min(drag.start, drag.end)} x2={Math.max(drag.start, drag.end)} fill="#8250df" fillOpacity={0.2} /> : null,
  ];
  const when = (v: unknown) => `window ending ${formatTime(iso(Number(v)), tz)}`;
  return (
    <div className="charts" style={{ userSelect: 'none', opacity: isFetching ? 0.7 : 1 }} data-trend-from={data.from} data-trend-to={data.to}>
      <div className="panel" data-testid="trend-chart" ref={refs.trend}>
        <h3>
          {data.metric} over time ({data.window} windows every {data.step}; from {data.source}); red lines: alerts fired
        </h3>
        <ChartDownload target={refs.trend} model={model} subject={feature} chart="trend" />
        <ResponsiveContainer width="100%" height={280}>
          <LineChart data={points} margin={{ left: 12, right: 28, top: 8, bottom: 4 }} {...mouse}>
            <CartesianGrid strokeDasharray="3 3" />
            {xAxis}
            <YAxis tickFormatter={(v: number) => formatNumber(v, 2)} label={yTitle(`${data.metric} (distance)`)} width={64} />
            <Tooltip labelFormatter={when} formatter={(v) => formatNumber(Number(v))} />
            {overlays}
            <Line dataKey="value" name={data.metric} stroke="#0550ae" dot={false} isAnimationActive={false} strokeWidth={2} />
            <Line dataKey="threshold" name="threshold" stroke="#8c959f" strokeDasharray="5 3" dot={false} isAnimationActive={false} />
            {data.alerts.map((a) => (
              <ReferenceLine key={a.id} x={Date.parse(a.at)} stroke={a.kind === 'firing' ? '#cf222e' : '#1a7f37'} strokeDasharray={a.kind === 'firing' ? undefined : '4 2'} />
            ))}
          </LineChart>
        </ResponsiveContainer>
        <p className="muted">Drag across a chart to zoom to that range; click a point to open the window it measured.</p>
      </div>
      <div className="panel" data-testid="failed-trend-chart" ref={refs.failed}>
        <h3>Failed rate over time (live; dashed: reference)</h3>
        <ChartDownload target={refs.failed} model={model} subject={feature} chart="failed-rate" />
        <ResponsiveContainer width="100%" height={280}>
          <LineChart data={points} margin={{ left: 12, right: 28, top: 8, bottom: 4 }} {...mouse}>
            <CartesianGrid strokeDasharray="3 3" />
            {xAxis}
            <YAxis tickFormatter={(v: number) => formatPercent(v)} domain={[0, Math.max(0.01, ...points.flatMap((p) => [p.failed ?? 0, p.refFailed ?? 0]))]} label={yTitle('failed rate')} width={64} />
            <Tooltip labelFormatter={when} formatter={(v) => formatPercent(Number(v))} />
            {overlays}
            <Line dataKey="failed" name="live" stroke="#D55E00" dot={false} isAnimationActive={false} strokeWidth={2} />
            <Line dataKey="refFailed" name="reference" stroke="#0072B2" strokeDasharray="6 3" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
