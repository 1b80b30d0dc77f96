import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaProblem } from './java-version';
import { propertiesText, submitCommand, venvDir } from './submit-command';

/** A precondition of the Spark engine is not met (Java, the venv): one line saying what to do. */
export class SparkSetupError extends Error {
  override readonly name = 'SparkSetupError';
}

export interface SparkProfileOptions {
  /** A local directory or `s3://bucket/prefix`. */
  storeLocation: string;
  models?: readonly string[];
  /** `local[N]`, `yarn`, `spark://host:7077`, `k8s://…`; default local[2]. */
  master?: string;
  input?: readonly string[];
  /** Lines for the user: the job's progress (`spark: …`), the venv setup, errors. */
  onLine?: (line: string) => void;
  env?: Record<string, string | undefined>;
}

export interface SparkProfileResult {
  exitCode: number;
  /** The job's stderr (its last 400 lines): Spark's own log and the job's lines. */
  stderr: string;
}

/** The package root (it holds scripts/spark), found upwards from this module or the CLI's bundle. */
export const PACKAGE_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'spark', 'setup-venv.sh')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** In local mode the executors live in the driver's JVM: a quarter of the machine, 1 to 4 GiB; DRIFTWATCH_SPARK_DRIVER_MEMORY overrides. */
function driverMemory(env: Record<string, string | undefined>): string {
  const set = env.DRIFTWATCH_SPARK_DRIVER_MEMORY?.trim();
  if (set) return set;
  return `${Math.max(1, Math.min(4, Math.floor(totalmem() / 2 ** 30 / 4)))}g`;
}

/** Output of `java -version` (stderr), or undefined when the command cannot be run (the cast: see runLines). */
function javaVersionOutput(java: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(java, ['-version'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', () => resolve(out));
  });
}

/** Checks Java ≥ 17 (JAVA_HOME's when set, as spark-submit uses it), else throws SparkSetupError. */
export async function checkJava(env: Record<string, string | undefined> = process.env): Promise<void> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const problem = javaProblem(await javaVersionOutput(java, env), env.JAVA_HOME ? `${java} (JAVA_HOME)` : java);
  if (problem) throw new SparkSetupError(problem);
}

/** Runs a command, sending each output line to `onLine`; resolves with its exit code and the tail of its stderr. */
function runLines(command: string, args: readonly string[], opts: { cwd: string; env: Record<string, string | undefined>; onLine: (line: string, stream: 'stdout' | 'stderr') => void }): Promise<SparkProfileResult> {
  return new Promise((resolve, reject) => {
    // Next's types make NODE_ENV required in ProcessEnv; a child's environment needs no such key.
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const split = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return {
        data: (b: Buffer) => {
          const parts = (rest + b.toString()).split('\n');
          rest = parts.pop() ?? '';
          for (const line of parts) emit(line, stream);
        },
        end: () => rest && emit(rest, stream),
      };
    };
    const emit = (line: string, stream: 'stdout' | 'stderr') => {
      if (stream === 'stderr') {
        tail.push(line);
        if (tail.length > 400) tail.shift();
      }
      opts.onLine(line, stream);
    };
    const out = split('stdout');
    const err = split('stderr');
    child.stdout.on('data', out.data);
    child.stderr.on('data', err.data);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128), stderr: tail.join('\n') });
    });
  });
}

/** Makes .cache/spark/venv once (pinned PySpark, ~450 MB); a venv already made is left alone. */
export async function ensureVenv(onLine: (line: string) => void, env: Record<string, string | undefined> = process.env): Promise<void> {
  const venv = venvDir(PACKAGE_ROOT);
  if (existsSync(join(venv, '.requirements-hash')) && existsSync(join(venv, 'bin', 'spark-submit'))) return;
  onLine(`spark: installing PySpark into ${venv} (about 450 MB, once; later runs reuse it) …`);
  const r = await runLines('bash', [join(PACKAGE_ROOT, 'scripts', 'spark', 'setup-venv.sh')], { cwd: PACKAGE_ROOT, env, onLine });
  if (r.exitCode !== 0) throw new SparkSetupError(`installing PySpark failed (bash scripts/spark/setup-venv.sh exited ${r.exitCode}): ${lastLine(r.stderr)}; it needs python3.11 (or SPARK_PYTHON) and access to PyPI`);
}

/** The job's own lines (`spark: …`) and Python's error lines are for the user; Spark's log stays in `stderr`. */
export function isJobLine(line: string): boolean {
  return /^(spark: |driftwatch[ -]spark|error: |[A-Za-z]*Error: )/.test(line);
}

/**
 * `driftwatch profile --engine spark`: Java checked, the venv made on first use, then
 * `spark-submit jobs/spark/profile.py` on the store. Resolves with the job's exit code (0 ok,
 * 2 bad arguments, 1 failure: see `sparkFailure`); setup problems throw SparkSetupError.
 */
export async function runSparkProfile(options: SparkProfileOptions): Promise<SparkProfileResult> {
  const env = options.env ?? process.env;
  const onLine = options.onLine ?? (() => {});
  await checkJava(env);
  await ensureVenv(onLine, env);
  const scratch = await mkdtemp(join(tmpdir(), 'driftwatch-spark-'));
  try {
    const propertiesFile = join(scratch, 'spark.properties');
    const cmd = submitCommand({ root: PACKAGE_ROOT, storeLocation: options.storeLocation, models: options.models, master: options.master ?? 'local[2]', input: options.input, localDir: join(scratch, 'local'), propertiesFile, driverMemory: driverMemory(env), env });
    await writeFile(propertiesFile, propertiesText(cmd.properties), { mode: 0o600 });
    await chmod(propertiesFile, 0o600);
    return await runLines(cmd.command, cmd.args, { cwd: PACKAGE_ROOT, env: cmd.env, onLine: (line) => isJobLine(line) && onLine(line) });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.filter(isJobLine).at(-1) ?? lines.at(-1) ?? 'no output';
}

/** A failed run as one line: the job's last error line, and what its exit code means. */
export function sparkFailure(r: SparkProfileResult): { message: string; exitCode: number } | undefined {
  if (r.exitCode === 0) return undefined;
  const why = lastLine(r.stderr);
  if (r.exitCode === 2) return { message: `the Spark job rejected its arguments: ${why}`, exitCode: 2 };
  if (r.exitCode === 137 || /OutOfMemoryError|Java heap space/.test(r.stderr)) {
    return { message: `the Spark job ran out of memory (${why}); give the driver more with DRIFTWATCH_SPARK_DRIVER_MEMORY=8g, or run on a cluster (docs/spark.md)`, exitCode: 1 };
  }
  return { message: `the Spark job failed (exit ${r.exitCode}): ${why}`, exitCode: 1 };
}
