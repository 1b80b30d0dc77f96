// One self-contained HTML file: inline CSS, inline SVG, no script, nothing fetched. It opens
// offline, in a mail attachment or on paper (A4, one feature per page).
import type { ReportData, ReportFeature } from './report-data';
import { escapeHtml as h } from './html';
import { categoryChart, cdfChart, distanceChart } from './svg-charts';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #111827; margin: 24px auto; max-width: 980px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; } h3 { font-size: 15px; margin: 12px 0 6px; }
.muted { color: #6b7280; } .status { display: inline-block; padding: 1px 8px; border-radius: 4px; font-weight: 600; }
.status-ok { background: #dcfce7; color: #166534; } .status-drift { background: #fef3c7; color: #92400e; } .status-failing { background: #fee2e2; color: #991b1b; } .status-unknown { background: #e5e7eb; color: #374151; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; } th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e5e7eb; vertical-align: top; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: #fffbeb; border: 1px solid #fde68a; padding: 6px 10px; border-radius: 4px; }
.feature { margin-top: 16px; } .chart { max-width: 100%; height: auto; display: block; margin: 4px 0; }
footer { margin-top: 32px; font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  .feature { break-before: page; page-break-before: always; }
  table, .chart, .summary { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
`;

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`);
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : String(+x.toPrecision(3)));
const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/:00(\.000)?Z$/, ' UTC').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC') : '—');

type Status = 'ok' | 'drift' | 'failing' | 'unknown';
export function reportStatus(data: ReportData): Status {
  const verdicts = data.view.features.map((f) => f.verdict as string);
  return verdicts.includes('failing') ? 'failing' : verdicts.includes('drift') ? 'drift' : verdicts.length && data.view.rows > 0 ? 'ok' : 'unknown';
}

const STATUS_WORDS: Record<Status, string> = { ok: 'healthy', drift: 'drifting', failing: 'failing', unknown: 'unknown' };

/** One sentence per troubled feature: what is wrong, how much, since when. */
export function featureSentence(f: ReportFeature, reference: string): string {
  const r = f.row;
  const since = f.since ? ` since ${f.since_before ? 'before ' : ''}${when(f.since)}` : '';
  if (r.verdict === 'failing') return `${r.name} is failing${since}: ${pct(r.failed_rate)} of its values are null, non-finite or of the wrong type, against ${pct(r.reference_failed_rate)} in ${reference}.`;
  if (r.verdict === 'drift') {
    const times = r.value !== null && r.threshold ? ` (${(r.value / r.threshold).toFixed(1)}× its threshold ${num(r.threshold)})` : '';
    return `${r.name} has drifted from ${reference}${since}: ${r.metric} ${num(r.value)}${times}.`;
  }
  return `${r.name} has an alert firing (latest verdict: ${r.verdict}).`;
}

function summary(data: ReportData): string {
  const v = data.view;
  const status = reportStatus(data);
  const failing = v.features.filter((f) => f.verdict === 'failing').length;
  const drifting = v.features.filter((f) => f.verdict === 'drift').length;
  const lines: string[] = [];
  lines.push(
    `<p><span class="status status-${status}" data-testid="report-status">${STATUS_WORDS[status]}</span> <b>${h(v.model)}</b>: ${failing} failing and ${drifting} drifting of ${v.features.length} features against <b>${h(v.reference)}</b>, over ${v.rows.toLocaleString('en-US')} predictions from ${h(when(v.window.from))} to ${h(when(v.window.to))}${v.window.window ? ` (the last ${h(v.window.window)} of data)` : ''}.</p>`,
  );
  if (data.charted.length) lines.push(`<ul data-testid="report-findings">${data.charted.map((f) => `<li>${h(featureSentence(f, v.reference))}${f.row.hint ? ` <span class="muted">${h(f.row.hint)}</span>` : ''}</li>`).join('')}</ul>`);
  else if (status === 'ok') lines.push('<p>No feature drifts or fails against the reference in this window.</p>');
  if (data.open_alerts.length) lines.push(`<p>${data.open_alerts.length} alert${data.open_alerts.length === 1 ? '' : 's'} firing as of ${h(when(v.window.as_of))}: ${data.open_alerts.map((a) => `${h(a.rule)} on <b>${h(a.feature)}</b> (${h(a.reference)}) since ${h(when(a.at))}`).join('; ')}.</p>`);
  if (v.performance) lines.push(performanceLine(data));
  const notes = [...v.warnings, ...(v.notices ?? [])];
  if (notes.length) lines.push(`<div class="notice"><ul>${notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul></div>`);
  return `<section class="summary" data-testid="report-summary"><h2>Summary</h2>${lines.join('')}</section>`;
}

function performanceLine(data: ReportData): string {
  const p = data.view.performance;
  if (!p) return '';
  const parts: string[] = [];
  if (p.estimated) parts.push(`estimated ROC AUC ${num(p.estimated.roc_auc)} (${num(p.estimated.roc_auc_lower)}–${num(p.estimated.roc_auc_upper)}) for ${h(when(p.estimated.from))} – ${h(when(p.estimated.to))}`);
  else if (p.estimate_note) parts.push(`no estimate: ${h(p.estimate_note)}`);
  if (p.realised) parts.push(`realised ROC AUC ${num(p.realised.roc_auc)} on ${p.realised.labelled.toLocaleString('en-US')} labelled predictions (${pct(p.realised.coverage)} coverage) for ${h(when(p.realised.from))} – ${h(when(p.realised.to))}`);
  return `<p data-testid="report-performance">Performance: ${parts.join('; ') || 'no figures yet'}; ${h(p.reference)} had ${num(p.reference_roc_auc)}.</p>`;
}

function featureTable(data: ReportData): string {
  const rows = data.view.features
    .map(
      (f) =>
        `<tr data-feature="${h(f.name)}"><td>${h(f.name)}</td><td><span class="status status-${f.verdict === 'failing' || f.verdict === 'drift' ? f.verdict : f.verdict === 'ok' ? 'ok' : 'unknown'}">${h(f.verdict)}</span>${f.alert ? ` <span class="muted">alert ${h(f.alert)}</span>` : ''}</td><td>${h(f.metric)}</td><td class="num">${num(f.value)}</td><td class="num">${num(f.threshold)}</td><td class="num">${pct(f.failed_rate)}</td><td class="num">${pct(f.reference_failed_rate)}</td><td class="num">${f.count.toLocaleString('en-US')}</td></tr>`,
    )
    .join('');
  return `<section><h2>Features</h2><table data-testid="report-features"><thead><tr><th>Feature</th><th>Verdict</th><th>Metric</th><th class="num">Distance</th><th class="num">Threshold</th><th class="num">Failed (live)</th><th class="num">Failed (${h(data.view.reference)})</th><th class="num">Rows</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function featureSection(f: ReportFeature, data: ReportData): string {
  const title = `${f.row.name}: live against ${f.sources
    .filter((s) => s.name !== 'live')
    .map((s) => s.name)
    .join(' and ')}`;
  const distribution =
    f.type === 'numeric'
      ? cdfChart(
          f.sources.map((s) => ({ name: s.name, points: s.cdf })),
          `${title} (cumulative distribution)`,
        )
      : f.categories
        ? categoryChart(
            f.categories.categories,
            f.sources.map((s, i) => ({ name: s.name, proportions: f.categories?.proportions[i] ?? [] })),
            `${title} (category shares)`,
          )
        : '';
  const trend = distanceChart(
    f.trend.map((p) => ({ atMs: Date.parse(p.at), value: p.value, threshold: p.threshold })),
    `${f.row.name}: ${f.row.metric} over time against ${data.view.reference}`,
  );
  const failed = f.sources.map((s) => `${h(s.name)} ${pct(s.failed_rate)}`).join(' · ');
  return `<section class="feature" data-testid="report-feature" data-feature="${h(f.row.name)}"><h2>${h(f.row.name)} <span class="status status-${f.row.verdict === 'failing' || f.row.verdict === 'drift' ? f.row.verdict : 'unknown'}">${h(f.row.verdict)}</span></h2><p>${h(featureSentence(f, data.view.reference))}</p>${f.row.hint ? `<p class="muted">${h(f.row.hint)}</p>` : ''}<h3>${f.type === 'numeric' ? 'Cumulative distribution' : 'Category shares'}: live, ${h(f.sources.filter((s) => s.name !== 'live').map((s) => s.name).join(', '))}</h3>${distribution}<p class="muted">Failed values: ${failed}</p><h3>${h(f.row.metric)} over the last 7 days (${h(data.view.reference)}; dashed: threshold)</h3>${trend}</section>`;
}

/** The report's body without header and footer: the snapshot page shows it inside the dashboard. */
export function reportSections(data: ReportData, only: { table?: boolean } = {}): string {
  return [summary(data), only.table === false ? '' : featureTable(data), ...data.charted.map((f) => featureSection(f, data))].join('\n');
}

/** The report as one HTML document. Everything from the store is escaped. */
export function renderReport(data: ReportData, title = `driftwatch report: ${data.view.model}`): string {
  const v = data.view;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${h(title)}</title><style>${CSS}</style></head>
<body><header><h1>${h(title)}</h1><p class="muted">Window ${h(when(v.window.from))} – ${h(when(v.window.to))} · reference ${h(v.reference)} · generated ${h(when(data.generated_at))}</p></header>
${reportSections(data)}
<footer class="muted" data-testid="report-footer">Generated ${h(data.generated_at)} from the store ${h(data.store)} by driftwatch. The numbers are those of the window above at that time; this file fetches nothing and runs no script.</footer>
</body></html>
`;
}
