import { readFile, writeFile } from 'node:fs/promises';
import type { PeersResult, PeerRow } from './peers.bench';

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** One line per dataset and tool, the same columns in the console and in docs/peers.md. */
export function peersTable(r: PeersResult): Array<Record<string, string | number>> {
  return r.rows.map((x: PeerRow) => ({
    dataset: x.dataset,
    tool: x.tool,
    right: `${x.right}/${x.truth_cells}`,
    missed: x.missed,
    'false (stable features)': x.false_stable,
    'false (drifting features, outside their drift)': x.false_other,
    'quiet windows flagged': `${x.quiet_windows_flagged}/${x.quiet_windows}`,
    'wall (s)': fmt(x.wall_s),
    'peak RSS (MiB)': fmt(x.peak_rss_mib),
  }));
}

export function markdownTable(rows: Array<Record<string, string | number>>): string {
  const head = Object.keys(rows[0] ?? {});
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${head.map((h) => String(r[h])).join(' | ')} |`)].join('\n');
}

const START = '<!-- peers:table -->';
const END = '<!-- /peers:table -->';

/** Replaces the generated part of docs/peers.md (between the markers); the prose around it is written by hand. */
export async function writePeersDoc(file: string, r: PeersResult, machine: string): Promise<void> {
  const doc = await readFile(file, 'utf8');
  const at = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (at < 0 || end < at) throw new Error(`${file}: markers ${START} … ${END} not found`);
  const datasets = r.datasets.map((d) => `- **${d.name}** — ${d.title}: reference ${d.reference_rows.toLocaleString('en')} rows, monitoring ${d.monitoring_rows.toLocaleString('en')} rows, ${d.windows} windows, ${d.truth_cells} drift cells. Truth: ${d.truth_source}.`);
  const versions = Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const body = [START, '', `Run: ${r.sample} sample, ${machine}. Versions: ${versions}.`, '', ...datasets, '', markdownTable(peersTable(r)), '', END].join('\n');
  await writeFile(file, doc.slice(0, at) + body + doc.slice(end + END.length));
}
