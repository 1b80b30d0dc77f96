import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, type Measured } from './measure';
import type { Cell, DatasetMeta } from './score';

export interface DriftwatchRun {
  version: string;
  flags: Cell[];
  wallS: number;
  peakRssMiB: number;
  /** reference add + ingest + profile, then the compares. */
  ingestProfileS: number;
  /** The `profile` step alone (with `sparkMaster`: the whole spark-submit, JVM start-up included). */
  profileS: number;
  compareS: number;
}

/**
 * driftwatch through its CLI, as a new user would: a fresh store, the reference, the data, one
 * compare per window. `sparkMaster`: `profile --engine spark --spark-master M` instead of the embedded engine.
 */
export async function runDriftwatch(root: string, dataDir: string, meta: DatasetMeta, version: string, sparkMaster?: string): Promise<DriftwatchRun> {
  const dir = await mkdtemp(join(tmpdir(), 'peers-driftwatch-'));
  const store = join(dir, 'store');
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', DRIFTWATCH_STORE: store };
  const cli = (args: string[]): Promise<Measured> => measure(process.execPath, [join(root, 'bin', 'driftwatch.mjs'), ...args], { cwd: root, env });
  const columns = ['--model', 'm', '--numeric', meta.numeric.join(','), '--categorical', meta.categorical.join(','), '--timestamp-col', 'timestamp'];
  try {
    const setup = [
      await cli(['init']),
      await cli(['reference', 'add', '--name', 'test', '--file', join(dataDir, 'reference.parquet'), ...columns]),
      await cli(['ingest', '--file', join(dataDir, 'monitoring.parquet'), ...columns]),
      await cli(['profile', '--model', 'm', ...(sparkMaster ? ['--engine', 'spark', '--spark-master', sparkMaster] : [])]),
    ];
    const flags: Cell[] = [];
    const compares: Measured[] = [];
    for (const [window, w] of meta.windows.entries()) {
      const m = await cli(['compare', '--model', 'm', '--from', w.from, '--to', w.to, '--json']);
      compares.push(m);
      const result = JSON.parse(m.stdout) as { features: Array<{ name: string; verdict: string }> };
      for (const f of result.features) if (f.verdict === 'drift' || f.verdict === 'failing') flags.push({ window, feature: f.name });
    }
    const sum = (xs: Measured[]): number => xs.reduce((a, x) => a + x.wallS, 0);
    return {
      version,
      flags,
      wallS: sum(setup) + sum(compares),
      peakRssMiB: Math.max(...[...setup, ...compares].map((m) => m.peakRssMiB)),
      ingestProfileS: sum(setup),
      profileS: setup[3].wallS,
      compareS: sum(compares),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
