import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Bundle the CLI once (esbuild, packages external) so a child `driftwatch collect` starts in a few
 * hundred ms instead of loading ~150 modules through tsx; answers the runner script to pass to node.
 * The bundle lives under <repo>/.cache (git-ignored) so its bare imports resolve from node_modules.
 */
export async function bundleCli(name: string): Promise<string> {
  const { build } = await import('esbuild');
  const dir = path.join(repoRoot, '.cache', 'test-bundles', `${name}-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const bundle = path.join(dir, 'cli.mjs');
  await build({ entryPoints: [path.join(repoRoot, 'lib/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
  const runner = path.join(dir, 'run.mjs');
  await writeFile(runner, "import { main } from './cli.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  return runner;
}
