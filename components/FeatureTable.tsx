'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { formatNumber, formatPercent } from './format';
import { Sparkline, sparklineTop } from './Sparkline';
import { useSetUrlParams } from './url-state';

export type Verdict = 'failing' | 'drift' | 'ok' | 'not_monitored';

export interface FeatureTableRow {
  name: string;
  type: string;
  verdict: Verdict;
  metric: string;
  value: number | null;
  threshold: number;
  failed_rate: number | null;
  reference_failed_rate: number | null;
  count: number;
  hint?: string;
  /** Set when the window has too few rows for a verdict ("47 rows: a verdict needs at least 120"). */
  insufficient?: string;
  sparkline: (number | null)[];
  alert: 'firing' | 'pending' | null;
}

/** Sortable columns, as named in the URL (`sort`); `dir` is asc or desc. */
export const SORT_KEYS = ['name', 'severity', 'ratio', 'trend', 'failed', 'count', 'hint'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
/** Default order: worst verdict first, then value ÷ threshold descending. */
export const DEFAULT_SORT: { key: SortKey; dir: SortDir } = { key: 'severity', dir: 'asc' };
/** The direction a column sorts in when first clicked: names A→Z, severity worst first, numbers largest first. */
const FIRST_DIR: Record<SortKey, SortDir> = { name: 'asc', severity: 'asc', ratio: 'desc', trend: 'desc', failed: 'desc', count: 'desc', hint: 'asc' };

const SEVERITY: Record<Verdict, number> = { failing: 0, drift: 1, ok: 2, not_monitored: 3 };
const ratioOf = (r: FeatureTableRow) => (r.value === null || !(r.threshold > 0) ? -Infinity : r.value / r.threshold);
const lastOf = (values: (number | null)[]) => {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && Number.isFinite(values[i])) return values[i] as number;
  return -Infinity;
};
/** Numbers ascending with missing values (−∞) last either way round. */
const byNumber = (a: number, b: number) => (a === b ? 0 : a === -Infinity ? 1 : b === -Infinity ? -1 : a - b);

/** Ascending comparators; `desc` reverses them (ties always by name, so the order is stable). */
const ASCENDING: Record<SortKey, (a: FeatureTableRow, b: FeatureTableRow) => number> = {
  name: () => 0,
  severity: (a, b) => SEVERITY[a.verdict] - SEVERITY[b.verdict] || byNumber(ratioOf(b), ratioOf(a)),
  ratio: (a, b) => byNumber(ratioOf(a), ratioOf(b)),
  trend: (a, b) => byNumber(lastOf(a.sparkline), lastOf(b.sparkline)),
  failed: (a, b) => byNumber(a.failed_rate ?? -Infinity, b.failed_rate ?? -Infinity),
  count: (a, b) => a.count - b.count,
  hint: (a, b) => (a.hint ?? '\uffff').localeCompare(b.hint ?? '\uffff'),
};

export function parseSort(sort: string | null | undefined, dir: string | null | undefined): { key: SortKey; dir: SortDir } {
  const key = (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_SORT.key;
  const d: SortDir = dir === 'asc' || dir === 'desc' ? dir : sort && key === sort ? FIRST_DIR[key] : DEFAULT_SORT.dir;
  return { key, dir: d };
}

/** Rows in the order of a column and direction (missing values last, ties by name). */
export function sortRows(rows: readonly FeatureTableRow[], key: SortKey, dir: SortDir): FeatureTableRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const compare = ASCENDING[key];
  return [...rows].sort((a, b) => {
    const missing = key === 'ratio' || key === 'trend' || key === 'failed';
    // Missing numbers stay last in both directions, so "largest first" never starts with blanks.
    if (missing) {
      const va = key === 'ratio' ? ratioOf(a) : key === 'trend' ? lastOf(a.sparkline) : (a.failed_rate ?? -Infinity);
      const vb = key === 'ratio' ? ratioOf(b) : key === 'trend' ? lastOf(b.sparkline) : (b.failed_rate ?? -Infinity);
      if (va === -Infinity !== (vb === -Infinity)) return va === -Infinity ? 1 : -1;
    }
    return sign * compare(a, b) || sign * a.name.localeCompare(b.name);
  });
}

export function VerdictBadge({ verdict, insufficient }: { verdict: Verdict; insufficient?: string }) {
  if (insufficient && verdict === 'ok') {
    return (
      <span className="badge unknown insufficient" title={insufficient} data-verdict="insufficient">
        too few rows
      </span>
    );
  }
  if (verdict === 'not_monitored') {
    return (
      <span className="badge unknown not_monitored" title="Drift monitoring is off for this feature (config: drift: false)" data-verdict="not_monitored">
        not monitored
      </span>
    );
  }
  return (
    <span className={`badge ${verdict}`} data-verdict={verdict} title={insufficient}>
      {verdict}
    </span>
  );
}

/** The model page's feature table: worst first by default; every column sorts, and the sort is in the URL. */
export function FeatureTable({ rows, linkQuery }: { rows: FeatureTableRow[]; linkQuery: string }) {
  const params = useSearchParams();
  const setParams = useSetUrlParams();
  const asked = `${params.get('sort') ?? ''}|${params.get('dir') ?? ''}`;
  // A click re-sorts at once; the URL (navigation) catches up, and from then on the URL decides.
  const [pending, setPending] = useState<{ asked: string; key: SortKey; dir: SortDir } | null>(null);
  const { key, dir } = pending && pending.asked === asked ? pending : parseSort(params.get('sort'), params.get('dir'));
  const sorted = useMemo(() => sortRows(rows, key, dir), [rows, key, dir]);
  const top = useMemo(() => sparklineTop(rows.map((r) => r.sparkline)), [rows]);
  const sortBy = (k: SortKey) => {
    const next = k === key ? (dir === 'asc' ? 'desc' : 'asc') : FIRST_DIR[k];
    const isDefault = k === DEFAULT_SORT.key && next === DEFAULT_SORT.dir;
    setPending({ asked, key: k, dir: next });
    setParams({ sort: isDefault ? null : k, dir: isDefault ? null : next }, { replace: true });
  };
  const [path, query = ''] = linkQuery.split('?');
  // Links to a feature carry the view (window, reference, metric, time zone, refresh), not the table's own sort.
  const featureQuery = new URLSearchParams(query);
  featureQuery.delete('sort');
  featureQuery.delete('dir');
  for (const k of ['tz', 'refresh']) {
    const v = params.get(k);
    if (v) featureQuery.set(k, v);
  }
  const header = (k: SortKey, label: string, className?: string) => (
    <th className={className} aria-sort={key === k ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'} data-sort={k}>
      <button type="button" onClick={() => sortBy(k)} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        {key === k ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <table className="data" data-testid="feature-table" data-sort={`${key}:${dir}`}>
      <thead>
        <tr>
          {header('name', 'Feature')}
          {header('severity', 'Verdict')}
          {header('ratio', 'Distance / threshold', 'num')}
          {header('trend', 'Trend (48 h, × threshold)')}
          {header('failed', 'Failed live / reference', 'num')}
          {header('count', 'Rows', 'num')}
          {header('hint', 'Hint')}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.name} data-feature={r.name} data-verdict={r.verdict}>
            <td>
              <Link href={`${path}/features/${encodeURIComponent(r.name)}?${featureQuery.toString()}`}>{r.name}</Link> <span className="muted">{r.type === 'numeric' ? '' : '(cat.)'}</span>
            </td>
            <td>
              <VerdictBadge verdict={r.verdict} insufficient={r.insufficient} /> {r.alert && <span className={`badge ${r.alert}`}>alert {r.alert}</span>}
              {r.insufficient && (
                <div className="muted" data-testid="insufficient">
                  {r.insufficient}
                </div>
              )}
            </td>
            <td className="num" title={`${r.metric} ${formatNumber(r.value)} vs threshold ${formatNumber(r.threshold)}`}>
              {r.metric} {formatNumber(r.value, 3)} / {formatNumber(r.threshold, 3)}
            </td>
            <td>
              <Sparkline values={r.sparkline} label={`${r.name} ${r.metric} ÷ threshold`} top={top} neutral={r.verdict === 'not_monitored'} pointLabel={(i) => `evaluation ${i + 1} of ${r.sparkline.length}`} />
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
