import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCompare } from '@/lib/cli/commands/compare';
import { runPerformance } from '@/lib/cli/commands/performance';
import { main } from '@/lib/cli/main';
import { openStore } from '@/lib/cli/store-context';
import { readSummaryParquetMany } from '@/lib/duckdb';
import { layout } from '@/lib/format';
import { jsonDifferences } from '@/test/helpers/store-equivalence';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const VENV_PYTHON = join(ROOT, '.cache', 'spark', 'venv', 'bin', 'python');

/** The Spark tests need the venv; missing, they fail (never skip) and say how to make it. */
export function requireSparkVenv(): void {
  if (!existsSync(VENV_PYTHON) || !existsSync(join(ROOT, '.cache', 'spark', 'venv', 'bin', 'spark-submit'))) {
    throw new Error(`the Spark venv is missing (${VENV_PYTHON}): run \`bash scripts/spark/setup-venv.sh\` (pinned PySpark, ~450 MB) first`);
  }
}

export interface Cli {
  run: (args: string[]) => Promise<number>;
  log: string[];
}

/** The CLI in-process with its lines captured; a failure carries them. */
export function cliFor(store: string): Cli {
  const log: string[] = [];
  const ctx = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };
  return {
    log,
    run: async (args) => {
      const code = await main([...args, '--store', store], ctx);
      if (code !== 0) throw new Error(`driftwatch ${args.join(' ')} exited ${code}:\n${log.slice(-30).join('\n')}`);
      return code;
    },
  };
}

/** What profiling derives (summaries, rollups, profile and performance state): a copy without them is raw again. */
export async function stripProfiles(store: string, model: string): Promise<void> {
  await rm(join(store, 'models', model, 'profiles'), { recursive: true, force: true });
  await rm(join(store, layout.profileState(model)), { force: true });
  await rm(join(store, layout.performanceState(model)), { force: true });
}

export interface Window {
  from: string;
  to: string;
}

/**
 * `compare` on both stores for each window and reference: per feature (by name) the verdict
 * identical and every number within 1e-3 (jsonDifferences). Returns the differences and how many
 * feature verdicts were compared, by verdict.
 */
export async function compareDifferences(storeA: string, storeB: string, model: string, windows: readonly Window[], references: readonly string[]): Promise<{ differences: string[]; verdicts: Record<string, number> }> {
  const [a, b] = [await openStore(storeA), await openStore(storeB)];
  const differences: string[] = [];
  const verdicts: Record<string, number> = {};
  for (const w of windows) {
    for (const reference of references) {
      const flags = { model, from: w.from, to: w.to, reference };
      const [ra, rb] = [await runCompare(a, flags, readSummaryParquetMany), await runCompare(b, flags, readSummaryParquetMany)];
      const byName = (r: typeof ra) => Object.fromEntries(r.features.map((f) => [f.name, f]));
      for (const f of ra.features) verdicts[f.verdict] = (verdicts[f.verdict] ?? 0) + 1;
      jsonDifferences({ ...ra, features: byName(ra) }, { ...rb, features: byName(rb) }, `${model} ${w.from}…${w.to} vs ${reference}`, 1e-3, differences);
    }
  }
  return { differences, verdicts };
}

/** `performance` on both stores (realised where labels arrived, and the estimate), numbers within 1e-3. */
export async function performanceDifferences(storeA: string, storeB: string, model: string, from: string, to: string, step: string, reference: string): Promise<{ differences: string[]; realisedWindows: number; estimatedWindows: number }> {
  const flags = { model, from, to, step, reference };
  const [ra, rb] = [await runPerformance(await openStore(storeA), flags), await runPerformance(await openStore(storeB), flags)];
  return { differences: jsonDifferences(JSON.parse(JSON.stringify(ra)), JSON.parse(JSON.stringify(rb)), `${model} performance`), realisedWindows: ra.windows.filter((w) => w.realised !== null).length, estimatedWindows: ra.windows.filter((w) => w.estimated !== null).length };
}
