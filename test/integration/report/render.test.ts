import { describe, expect, it } from 'vitest';
import type { ReportData } from '@/lib/report/report-data';
import { renderReport } from '@/lib/report/render-report';
import { cdfChart, distanceChart } from '@/lib/report/svg-charts';

/** The renderer alone: hostile store text is escaped, charts break at gaps, nothing refers outside. */
const row = { name: 'amount<script>', verdict: 'drift', metric: 'area', value: 0.3, threshold: 0.1, failed_rate: 0, reference_failed_rate: 0, count: 100, hint: '"><img src=https://evil.example/x>', alert: 'firing', sparkline: [] };
// A fixture of the fields the renderer reads; the rest of the model view does not matter here.
const data = {
  generated_at: '2026-11-15T00:00:00.000Z',
  store: '/tmp/store',
  view: { model: 'm', reference: 'test', rows: 100, features: [row], window: { from: '2026-11-14T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z', as_of: '2026-11-15T00:00:00.000Z', latest_data: null }, warnings: ['<b>warn</b>'], notices: [], performance: null },
  charted: [
    {
      row,
      type: 'numeric',
      sources: [
        { name: 'live', cdf: [[1, 0.2], [2, 1]], failed_rate: 0 },
        { name: 'test', cdf: [[0, 0.5], [1, 1]], failed_rate: 0 },
      ],
      categories: null,
      trend: [{ at: '2026-11-14T00:00:00.000Z', value: 0.2, threshold: 0.1, verdict: 'drift' }, { at: '2026-11-14T01:00:00.000Z', value: 0.3, threshold: 0.1, verdict: 'drift' }],
      since: '2026-11-14T00:00:00.000Z',
      since_before: true,
    },
  ],
  open_alerts: [],
} as unknown as ReportData;

describe('renderReport', () => {
  it('escapes every store string and refers to nothing outside the file', () => {
    const html = renderReport(data);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('amount&lt;script&gt;');
    expect(html).toContain('&lt;b&gt;warn&lt;/b&gt;');
    expect(html).toContain('has drifted from test since before 2026-11-14 00:00 UTC: area 0.3 (3.0× its threshold 0.1)');
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it('draws CDF steps and breaks a distance line where a value is missing', () => {
    expect(cdfChart([{ name: 'live', points: [[0, 0.5], [1, 1]] }], 't')).toMatch(/d="M48 \S+L48 \S+L628 \S+L628 \S+"/);
    const line = distanceChart([{ atMs: 0, value: 1, threshold: 2 }, { atMs: 1, value: null, threshold: 2 }, { atMs: 2, value: 1, threshold: 2 }], 't');
    expect(line.match(/data-source="distance" d="([^"]*)"/)?.[1].match(/M/g)).toHaveLength(2);
  });
});
