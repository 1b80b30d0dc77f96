'use client';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { formatNumber, formatPercent } from './format';
import { Sparkline } from './Sparkline';

export interface FeatureTableRow {
  name: string;
  type: string;
  verdict: 'ok' | 'drift' | 'failing' | 'not_monitored';
  metric: string;
  value: number | null;
  threshold: number;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  count: number;
  hint?: string;
  sparkline: (number | null)[];
  alert: 'firing' | 'pending' | null;
}

type Key = 'severity' | 'name' | 'ratio' | 'failed' | 'count';
const SEVERITY = { failing: 0, drift: 1, ok: 2, not_monitored: 3 } as const;
const ratioOf = (r: FeatureTableRow) => (r.value === null ? -Infinity : r.value / r.threshold);

/** The model page's feature table: sortable by any column, worst first by default. */
export function FeatureTable({ rows, linkQuery }: { rows: FeatureTableRow[]; linkQuery: string }) {
  const [key, setKey] = useState<Key>('ratio');
  const [descending, setDescending] = useState(false);
  const sorted = useMemo(() => {
    const compare: Record<Key, (a: FeatureTableRow, b: FeatureTableRow) => number> = {
      severity: (a, b) => SEVERITY[a.verdict] - SEVERITY[b.verdict] || ratioOf(b) - ratioOf(a),
      name: (a, b) => a.name.localeCompare(b.name),
      ratio: (a, b) => ratioOf(b) - ratioOf(a),
      failed: (a, b) => (b.failed_rate ?? -1) - (a.failed_rate ?? -1),
      count: (a, b) => b.count - a.count,
    };
    const out = [...rows].sort(compare[key]);
    return descending ? out.reverse() : out;
  }, [rows, key, descending]);
  const header = (k: Key, label: string, className?: string) => (
    <th className={className} aria-sort={key === k ? ((k === 'name') !== descending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => (key === k ? setDescending(!descending) : (setKey(k), setDescending(false)))}>
        {label}
        {key === k ? (descending ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <table className="data" data-testid="feature-table">
      <thead>
        <tr>
          {header('name', 'Feature')}
          {header('severity', 'Verdict')}
          {header('ratio', 'Distance / threshold', 'num')}
          <th>Trend (48 h)</th>
          {header('failed', 'Failed live / reference', 'num')}
          {header('count', 'Rows', 'num')}
          <th>Hint</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.name} data-feature={r.name}>
            <td>
              <Link href={`${linkQuery.split('?')[0]}/features/${encodeURIComponent(r.name)}?${linkQuery.split('?')[1] ?? ''}`}>{r.name}</Link> <span className="muted">{r.type === 'numeric' ? '' : '(cat.)'}</span>
            </td>
            <td>
              <span className={`badge ${r.verdict}`}>{r.verdict}</span> {r.alert && <span className={`badge ${r.alert}`}>alert {r.alert}</span>}
            </td>
            <td className="num" title={`${r.metric} ${formatNumber(r.value)} vs threshold ${formatNumber(r.threshold)}`}>
              {r.metric} {formatNumber(r.value, 3)} / {formatNumber(r.threshold, 3)}
            </td>
            <td>
              <Sparkline values={r.sparkline} label={`${r.name} distance`} />
            </td>
            <td className="num">
              {formatPercent(r.failed_rate)} / {formatPercent(r.reference_failed_rate)}
            </td>
            <td className="num">{r.count.toLocaleString('en-US')}</td>
            <td className="hint" data-testid="hint">
              {r.hint ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
