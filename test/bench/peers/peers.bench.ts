import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sharedData } from '../../helpers/shared-data';
import { runDriftwatch } from './driftwatch-peer';
import { measure } from './measure';
import { scoreFlags, toCells, type DatasetMeta, type Score } from './score';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const VENV_PYTHON = join(ROOT, '.cache', 'peers', 'venv', 'bin', 'python');
const SCRIPTS = join(ROOT, 'scripts', 'peers');
export const PEER_DATASETS = ['car-loan', 'car-loan-faults', 'car-price', 'multiclass', 'dense', 'sparse'] as const;
export const SMOKE_DATASETS = ['car-loan-faults'] as const;

export interface PeerRow extends Score {
  dataset: string;
  tool: string;
  version: string;
  wall_s: number;
  peak_rss_mib: number;
  /** Flags as `window:feature`, for reading the table's numbers back. */
  flagged: string[];
  note?: string;
}

/** `--spark`: the Spark engine's profile of a dataset at one and two cores (local[1], local[2]). */
export interface SparkPeerRun {
  dataset: string;
  rows: number;
  features: number;
  /** spark-submit wall time, JVM start-up included (s). */
  profile_local1_s: number;
  profile_local2_s: number;
  speedup_1_to_2: number;
  /** The embedded engine's profile step on the same data, for scale (s). */
  profile_duckdb_s: number;
}

export interface PeersResult {
  sample: 'smoke' | 'full';
  spark?: SparkPeerRun[];
  datasets: Array<Pick<DatasetMeta, 'name' | 'title' | 'reference_rows' | 'monitoring_rows'> & { windows: number; truth_source: string; truth_cells: number }>;
  versions: Record<string, string>;
  rows: PeerRow[];
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 * 2 ** 20 }, (err, out, errOut) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')} failed: ${errOut.trim().split('\n').slice(-8).join('\n')}`));
      else res(out);
    });
  });
}

/** The prepared data is cached under a key of the preparing script, so a changed script re-prepares. */
async function prepare(smoke: boolean, names: readonly string[], log: (l: string) => void): Promise<string> {
  const hash = createHash('sha256').update(await readFile(join(SCRIPTS, 'prepare_data.py'))).digest('hex').slice(0, 12);
  const dir = join(ROOT, '.cache', 'peers', 'data', `${smoke ? 'smoke' : 'full'}-${hash}`);
  await mkdir(dir, { recursive: true });
  log(`peers: preparing ${names.join(', ')} in ${dir}`);
  await run(VENV_PYTHON, [join(SCRIPTS, 'prepare_data.py'), '--out', dir, '--datasets', names.join(','), '--car-loan', sharedData('car-loan'), ...(smoke ? ['--smoke'] : [])]);
  return dir;
}

interface PeerOutput {
  version: string;
  flags: Record<string, Array<[number, string]>>;
  notes: string[];
}

/** `npm run bench -- peers`: driftwatch beside NannyML, Evidently and whylogs on the same data and windows. */
export async function benchPeers(log: (l: string) => void, opts: { smoke: boolean; datasets?: string[]; spark?: boolean; enginesOnly?: boolean }): Promise<PeersResult> {
  const names = opts.datasets?.length ? opts.datasets : opts.smoke ? [...SMOKE_DATASETS] : [...PEER_DATASETS];
  for (const n of names) if (!(PEER_DATASETS as readonly string[]).includes(n)) throw new Error(`peers: unknown dataset "${n}"; known: ${PEER_DATASETS.join(', ')}`);
  log('peers: python environment (scripts/peers/setup-venv.sh)');
  await run('bash', [join(SCRIPTS, 'setup-venv.sh')]);
  const dataRoot = await prepare(opts.smoke, names, log);
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const result: PeersResult = { sample: opts.smoke ? 'smoke' : 'full', datasets: [], versions: { driftwatch: pkg.version }, rows: [] };
  for (const name of names) {
    const dir = join(dataRoot, name);
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
    result.datasets.push({ name, title: meta.title, reference_rows: meta.reference_rows, monitoring_rows: meta.monitoring_rows, windows: meta.windows.length, truth_source: meta.truth.source, truth_cells: meta.truth.drift.length });
    const row = (tool: string, version: string, flags: Array<[number, string]>, wallS: number, rssMiB: number, note?: string): PeerRow => {
      const cells = toCells(flags);
      return { dataset: name, tool, version, ...scoreFlags(meta, cells), wall_s: wallS, peak_rss_mib: rssMiB, flagged: cells.map((c) => `${c.window}:${c.feature}`), ...(note ? { note } : {}) };
    };
    log(`peers: ${name}: driftwatch`);
    const dw = await runDriftwatch(ROOT, dir, meta, pkg.version);
    result.rows.push(row('driftwatch', dw.version, dw.flags.map((c) => [c.window, c.feature]), dw.wallS, dw.peakRssMiB, `ingest+profile ${dw.ingestProfileS.toFixed(1)} s, ${meta.windows.length} compares ${dw.compareS.toFixed(1)} s`));
    if (opts.spark) {
      // The same CLI run with the Spark engine's profile; peak RSS is the CLI's and spark-submit's JVM (its waited-for child).
      const runs = [];
      for (const master of ['local[1]', 'local[2]']) {
        log(`peers: ${name}: driftwatch, profile --engine spark --spark-master ${master}`);
        const sp = await runDriftwatch(ROOT, dir, meta, pkg.version, master);
        runs.push(sp);
        const speedup = runs.length === 2 ? `, speed-up 1→2 cores ×${(runs[0].profileS / sp.profileS).toFixed(2)}` : '';
        result.rows.push(row(`driftwatch (Spark ${master})`, sp.version, sp.flags.map((c) => [c.window, c.feature]), sp.wallS, sp.peakRssMiB, `spark profile ${sp.profileS.toFixed(1)} s (embedded: ${dw.profileS.toFixed(1)} s)${speedup}`));
      }
      (result.spark ??= []).push({ dataset: name, rows: meta.monitoring_rows, features: meta.numeric.length + meta.categorical.length, profile_local1_s: runs[0].profileS, profile_local2_s: runs[1].profileS, speedup_1_to_2: runs[0].profileS / runs[1].profileS, profile_duckdb_s: dw.profileS });
    }
    for (const tool of opts.enginesOnly ? [] : (['nannyml', 'evidently', 'whylogs'] as const)) {
      log(`peers: ${name}: ${tool}`);
      const m = await measure(VENV_PYTHON, [join(SCRIPTS, 'run_peer.py'), tool, dir], { cwd: ROOT });
      const out = JSON.parse(m.stdout) as PeerOutput;
      result.versions[tool] = out.version;
      for (const [method, flags] of Object.entries(out.flags)) {
        const label = method === 'default' ? tool : `${tool} (${method.toUpperCase()})`;
        result.rows.push(row(label, out.version, flags, m.wallS, m.peakRssMiB, out.notes.join('; ')));
      }
    }
  }
  return result;
}
