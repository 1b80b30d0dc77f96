import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `driftwatch collect` as a child process of a test: the CLI bundled once, started, stopped, killed. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The CLI bundled once per test file: through tsx each start costs ~1 s, bundled ~0.2 s (the kill
 * loop starts it hundreds of times). It lives under the repo so its external packages resolve.
 */
export async function bundleCli(name: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = join(REPO, '.cache', 'test-bundles');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}-${process.pid}.mjs`);
  await build({ entryPoints: [join(REPO, 'lib/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: path, logLevel: 'silent', tsconfig: join(REPO, 'tsconfig.json') });
  // The bundle exports main(); this runner calls it with the arguments. With DRIFTWATCH_TEST_WAIT_GO
  // it loads the modules, then waits for a line on stdin: the kill loop starts the next collector's
  // process while the current one runs, and only its `main` (the real CLI) runs after the kill.
  const runner = join(dir, `${name}-${process.pid}-run.mjs`);
  await writeFile(
    runner,
    [
      `const { main } = await import(${JSON.stringify('./' + `${name}-${process.pid}.mjs`)});`,
      `if (process.env.DRIFTWATCH_TEST_WAIT_GO) await new Promise((resolve) => process.stdin.once('data', resolve));`,
      'process.exitCode = await main(process.argv.slice(2));',
      '',
    ].join('\n'),
  );
  return { path: runner, remove: () => Promise.all([rm(path, { force: true }), rm(runner, { force: true })]).then(() => undefined) };
}

export interface Collector {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every stdout/stderr line so far. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `driftwatch collect` as a child process on port 0 and wait for its "listening" line. */
export async function startCollector(cli: string, args: string[], options: { timeoutMs?: number; env?: Record<string, string>; command?: string[] } = {}): Promise<Collector> {
  return spawnCollector(cli, args, { ...options, wait: false }).go();
}

/**
 * Spawn `driftwatch collect` with its modules loaded but `main` not yet called (`wait`), so a
 * restart costs only the collector's own start; `go()` runs it and waits for "listening".
 */
export function spawnCollector(
  cli: string,
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string>; wait?: boolean; command?: string[] } = {},
): Pick<Collector, 'child' | 'lines' | 'exited'> & { listening: Promise<number>; go: () => Promise<Collector> } {
  const wait = options.wait ?? true;
  const child = spawn(process.execPath, [cli, ...(options.command ?? ['collect']), '--listen', '127.0.0.1:0', ...args], {
    cwd: REPO,
    stdio: [wait ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...(wait ? { DRIFTWATCH_TEST_WAIT_GO: '1' } : {}), ...options.env },
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const listening = new Promise<number>((res, rej) => {
    const onData = (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m) res(Number(m[1]));
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    void exited.then((e) => rej(new Error(`collect exited (${e.code ?? e.signal}) before listening: ${lines.join(' | ')}`)));
  });
  listening.catch(() => undefined);
  const go = async (): Promise<Collector> => {
    if (wait) child.stdin!.end('go\n');
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const port = await Promise.race([listening, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`collect did not listen within ${timeoutMs} ms: ${lines.join(' | ')}`)), timeoutMs)))]).finally(() => clearTimeout(timer));
    return {
      child,
      port,
      url: `http://127.0.0.1:${port}`,
      lines,
      exited,
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  };
  return { child, lines, exited, listening, go };
}

