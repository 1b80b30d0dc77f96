// The report and snapshot commands' work, run in a child process under Node's react-server
// condition (lib/cli/commands/report.ts starts it): lib/dashboard is server-only, and this way the
// CLI computes exactly what the dashboard's routes compute.
import { writeFile } from 'node:fs/promises';
import { dashboardContext, modelParam, viewQuery } from '../dashboard';
import { reportData } from './report-data';
import { renderReport } from './render-report';
import { createSnapshot, deleteSnapshot, listSnapshots, type SnapshotQuery } from './snapshots';

export interface ReportJob {
  command: 'report' | 'snapshot create' | 'snapshot list' | 'snapshot delete';
  store: string;
  model?: string;
  query: SnapshotQuery;
  out?: string;
  id?: string;
  json?: boolean;
}

async function run(job: ReportJob): Promise<string[]> {
  const ctx = await dashboardContext(job.store);
  const query = () => viewQuery((name) => job.query[name as keyof SnapshotQuery] ?? null, ctx.config.evaluation.references[0]);
  if (job.command === 'report') {
    const model = modelParam(job.model ?? '');
    const data = await reportData(ctx, model, query());
    await writeFile(job.out ?? 'report.html', renderReport(data));
    const troubled = data.charted.map((f) => `${f.row.name} (${f.row.verdict})`).join(', ');
    return [`report: ${job.out} — ${model}, ${data.view.window.from} – ${data.view.window.to} against ${data.view.reference}${troubled ? `; charted: ${troubled}` : '; nothing drifting or failing'}`];
  }
  if (job.command === 'snapshot create') {
    const s = await createSnapshot(ctx, modelParam(job.model ?? ''), query(), job.query);
    return job.json ? [JSON.stringify({ id: s.id, created_at: s.created_at, model: s.model, query: s.query })] : [`snapshot ${s.id} of ${s.model} made at ${s.created_at} (window ${s.data.view.window.from} – ${s.data.view.window.to}); open /snapshots/${s.id} in the dashboard`];
  }
  if (job.command === 'snapshot list') {
    const all = await listSnapshots(ctx);
    if (job.json) return [JSON.stringify(all)];
    return all.length ? all.map((s) => `${s.id}  ${s.created_at}  ${s.model}  ${s.status_window.from} – ${s.status_window.to}  ${s.reference}`) : ['no snapshots'];
  }
  await deleteSnapshot(ctx, job.id ?? '');
  return [`snapshot ${job.id} deleted`];
}

const job = JSON.parse(process.argv[2] ?? '{}') as ReportJob;
process.env.DRIFTWATCH_WORKERS = '0';
run(job).then(
  (lines) => {
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`driftwatch ${job.command}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
