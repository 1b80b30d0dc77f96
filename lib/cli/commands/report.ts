import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { storeLocation } from '../store-context';
import type { CommandSpec } from './index';

/** The package root, found upwards from this module (it runs from lib/cli/commands or the bin's bundle). */
const ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'lib', 'report', 'report-cli.ts')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

type Values = Record<string, string | boolean | undefined>;
const str = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

function viewOf(values: Values): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['window', 'from', 'to', 'reference', 'metric']) {
    const v = str(values, name);
    if (v) out[name] = v;
  }
  if (out.window && out.from) throw new CliError('give either --window [--to] or --from [--to], not both');
  return out;
}

/**
 * Run lib/report/report-cli.ts in a child Node under the react-server condition: the views it
 * reuses (lib/dashboard) are server-only and refuse to load elsewhere. Its lines go to `ctx`.
 */
function runJob(job: Record<string, unknown>, ctx: CommandContext): Promise<number> {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', tsx, join(ROOT, 'lib', 'report', 'report-cli.ts'), JSON.stringify(job)], { cwd: ROOT, env: { ...process.env, DRIFTWATCH_WORKERS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (write: (line: string) => void) => {
      let rest = '';
      return (chunk: Buffer) => {
        rest += chunk.toString();
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) write(p);
      };
    };
    let errors = '';
    child.stdout.on('data', lines(ctx.log));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code === 0) return done(0);
      const message = errors.trim().split('\n').filter((l) => l.startsWith('driftwatch ')).pop();
      if (message) return fail(new CliError(message.replace(/^driftwatch [a-z ]+: /, '')));
      fail(new Error(errors.trim() || `report process exited with ${code}`));
    });
  });
}

const view = { window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, reference: { type: 'string' }, metric: { type: 'string' } } as const;
const store = { store: { type: 'string' } } as const;

function model(values: Values): string {
  const m = str(values, 'model');
  if (!m) throw new CliError('--model is required (the model to report on)');
  return m;
}

const location = (values: Values): string => {
  const s = storeLocation(str(values, 'store'));
  return s.startsWith('s3://') ? s : resolve(s);
};

export const REPORT_COMMANDS: Record<string, CommandSpec> = {
  report: {
    summary: 'one self-contained HTML report of a model view (summary, feature table, inline SVG charts; opens offline, prints on A4)',
    usage: '--model M [--window 12h [--to T] | --from T [--to T]] [--reference R] [--metric M] --out report.html',
    options: { ...store, model: { type: 'string' }, ...view, out: { type: 'string' } },
    run: (values, ctx) => {
      const out = str(values, 'out');
      if (!out) throw new CliError('--out is required (the HTML file to write, e.g. --out report.html)');
      return runJob({ command: 'report', store: location(values), model: model(values), query: viewOf(values), out: resolve(out) }, ctx);
    },
  },
  'snapshot create': {
    summary: "freeze a model view's numbers in the store (shown at /snapshots/ID in the dashboard)",
    usage: '--model M [--window 12h [--to T] | --from T [--to T]] [--reference R] [--metric M] [--json]',
    options: { ...store, model: { type: 'string' }, ...view, json: { type: 'boolean' } },
    run: (values, ctx) => runJob({ command: 'snapshot create', store: location(values), model: model(values), query: viewOf(values), json: values.json === true }, ctx),
  },
  'snapshot list': {
    summary: 'the snapshots of the store, newest first',
    usage: '[--json]',
    options: { ...store, json: { type: 'boolean' } },
    run: (values, ctx) => runJob({ command: 'snapshot list', store: location(values), query: {}, json: values.json === true }, ctx),
  },
  'snapshot delete': {
    summary: 'delete a snapshot',
    usage: '--id ID',
    options: { ...store, id: { type: 'string' } },
    run: (values, ctx) => {
      const id = str(values, 'id');
      if (!id) throw new CliError('--id is required (see `driftwatch snapshot list`)');
      return runJob({ command: 'snapshot delete', store: location(values), query: {}, id }, ctx);
    },
  },
};
