'use client';
import { useQuery } from '@tanstack/react-query';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatPercent, formatTime } from './format';

interface TrendResponse {
  metric: string;
  window: string;
  step: string;
  source: string;
  points: { at: string; value: number | null; threshold: number | null; verdict: string | null; failed_rate: number | null; reference_failed_rate: number | null }[];
  alerts: { id: string; kind: string; at: string }[];
  error?: string;
}

const time = (iso: string) => Date.parse(iso);
const tick = (ms: number) => new Date(ms).toISOString().slice(5, 13).replace('T', ' ') + 'h';

/** Distance and failed-rate trends of one feature (recomputed by the trend route), with threshold and alert markers. */
export function TrendCharts({ model, feature, reference, metric, to }: { model: string; feature: string; reference: string; metric?: string; to: string }) {
  const params = new URLSearchParams({ feature, reference, to, from: new Date(Date.parse(to) - 7 * 86_400_000).toISOString() });
  if (metric) params.set('metric', metric);
  const url = `/api/models/${encodeURIComponent(model)}/trend?${params.toString()}`;
  const { data, error, isPending } = useQuery<TrendResponse>({
    queryKey: ['trend', url],
    queryFn: async () => {
      const response = await fetch(url);
      const body = (await response.json()) as TrendResponse;
      if (!response.ok) throw new Error(body.error ?? `trend: HTTP ${response.status}`);
      return body;
    },
  });
  if (isPending) return <p className="muted">Loading the trend …</p>;
  if (error) return <p className="error">{error.message}</p>;
  const points = data.points.map((p) => ({ t: time(p.at), value: p.value, threshold: p.threshold, failed: p.failed_rate, refFailed: p.reference_failed_rate }));
  return (
    <div className="charts">
      <div className="panel" data-testid="trend-chart">
        <h3>
          {data.metric} over time ({data.window} windows every {data.step}; from {data.source}); red lines: alerts fired
        </h3>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={points} margin={{ left: 8, right: 16, top: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={tick} />
            <YAxis tickFormatter={(v: number) => formatNumber(v, 2)} />
            <Tooltip labelFormatter={(v) => formatTime(new Date(Number(v)).toISOString())} formatter={(v) => formatNumber(Number(v))} />
            <Line dataKey="value" name={data.metric} stroke="#0550ae" dot={false} isAnimationActive={false} strokeWidth={2} />
            <Line dataKey="threshold" name="threshold" stroke="#8c959f" strokeDasharray="5 3" dot={false} isAnimationActive={false} />
            {data.alerts.map((a) => (
              <ReferenceLine key={a.id} x={time(a.at)} stroke={a.kind === 'firing' ? '#cf222e' : '#1a7f37'} strokeDasharray={a.kind === 'firing' ? undefined : '4 2'} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="panel" data-testid="failed-trend-chart">
        <h3>Failed rate over time (live; dashed: reference)</h3>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={points} margin={{ left: 8, right: 16, top: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={tick} />
            <YAxis tickFormatter={(v: number) => formatPercent(v)} domain={[0, Math.max(0.01, ...points.flatMap((p) => [p.failed ?? 0, p.refFailed ?? 0]))]} />
            <Tooltip labelFormatter={(v) => formatTime(new Date(Number(v)).toISOString())} formatter={(v) => formatPercent(Number(v))} />
            <Line dataKey="failed" name="live" stroke="#D55E00" dot={false} isAnimationActive={false} strokeWidth={2} />
            <Line dataKey="refFailed" name="reference" stroke="#0072B2" strokeDasharray="6 3" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
