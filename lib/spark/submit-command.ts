import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { s3Options } from '../storage/open-storage';

type Env = Record<string, string | undefined>;

export interface SubmitCommandOptions {
  /** The package root: jobs/spark and .cache/spark/venv are found under it. */
  root: string;
  /** A local directory or `s3://bucket/prefix` (read as s3a:// by Spark). */
  storeLocation: string;
  models?: readonly string[];
  master: string;
  /** NDJSON/Parquet files or directories (local paths or Hadoop URIs) profiled instead of the store's raw area. */
  input?: readonly string[];
  /** Spark's scratch space (shuffle and spill files). */
  localDir: string;
  /** Where the properties file goes (created by the caller, mode 0600: it may hold S3 keys). */
  propertiesFile: string;
  driverMemory: string;
  env?: Env;
}

export interface SubmitCommand {
  command: string;
  args: string[];
  env: Env;
  /** Spark configuration written to `propertiesFile`, outside the command line (S3 keys must not show in `ps`). */
  properties: Record<string, string>;
}

export const venvDir = (root: string): string => join(root, '.cache', 'spark', 'venv');

/**
 * `spark-submit` of jobs/spark/profile.py from the cached venv. Its Python runs the driver and the
 * workers (PYSPARK_PYTHON, PYSPARK_DRIVER_PYTHON); the job ships driftwatch_spark to the workers
 * itself (jobs/spark is not put on PYTHONPATH: its profile.py would shadow the standard library's). An `s3://` store is passed as `s3a://` with the endpoint and keys of
 * the variables lib/storage/open-storage.ts reads; the hadoop-aws jar must be on the classpath.
 */
export function submitCommand(o: SubmitCommandOptions): SubmitCommand {
  const env = o.env ?? process.env;
  const venv = venvDir(o.root);
  const python = join(venv, 'bin', 'python');
  const properties: Record<string, string> = {
    'spark.sql.session.timeZone': 'UTC',
    'spark.ui.enabled': 'false',
    'spark.local.dir': o.localDir,
    'spark.log.level': 'WARN',
    'spark.driver.extraJavaOptions': '-Duser.timezone=UTC',
    'spark.executor.extraJavaOptions': '-Duser.timezone=UTC',
  };
  const cores = localCores(o.master);
  // 200 shuffle partitions (the default) on one machine are 200 tasks per stage, each feeding a Python worker: 3.4× the time of 4 on a 3-day demo store.
  if (cores !== undefined) properties['spark.sql.shuffle.partitions'] = String(2 * cores);
  // e.g. org.apache.hadoop:hadoop-aws:3.5.0 for s3a (resolved by spark-submit from Maven Central).
  if (env.DRIFTWATCH_SPARK_PACKAGES?.trim()) properties['spark.jars.packages'] = env.DRIFTWATCH_SPARK_PACKAGES.trim();
  let store = o.storeLocation;
  if (/^s3:\/\//i.test(store)) {
    const s3 = s3Options(store, env);
    store = `s3a://${s3.bucket}${s3.prefix ? `/${s3.prefix}` : ''}`;
    Object.assign(properties, s3aProperties(s3));
  }
  const args = [
    '--master', o.master,
    '--driver-memory', o.driverMemory,
    '--properties-file', o.propertiesFile,
    join(o.root, 'jobs', 'spark', 'profile.py'),
    '--store', store,
    ...(o.models ?? []).flatMap((m) => ['--model', m]),
    ...(o.input ?? []).flatMap((i) => ['--input', i]),
  ];
  return {
    command: join(venv, 'bin', 'spark-submit'),
    args,
    env: { ...env, PYSPARK_PYTHON: python, PYSPARK_DRIVER_PYTHON: python, TZ: 'UTC' },
    properties,
  };
}

/** Cores of a local master (`local` 1, `local[N]` N, `local[*]` this machine's), undefined for a cluster. */
export function localCores(master: string): number | undefined {
  const m = /^local(?:\[(\d+|\*)(?:,\d+)?\])?$/.exec(master);
  if (!m) return undefined;
  if (m[1] === undefined) return 1;
  return m[1] === '*' ? availableParallelism() : Number(m[1]);
}

/** Hadoop S3A settings equivalent to the S3 client's: an S3-compatible endpoint is path-style; without keys, S3A's default chain (instance roles, …). */
function s3aProperties(s3: ReturnType<typeof s3Options>): Record<string, string> {
  const out: Record<string, string> = {};
  const h = 'spark.hadoop.fs.s3a.';
  if (s3.endpoint !== undefined) {
    out[`${h}endpoint`] = s3.endpoint;
    out[`${h}path.style.access`] = 'true';
    out[`${h}connection.ssl.enabled`] = String(s3.endpoint.toLowerCase().startsWith('https://'));
  }
  if (s3.region) out[`${h}endpoint.region`] = s3.region;
  const c = s3.credentials;
  if (c && typeof c !== 'function') {
    out[`${h}access.key`] = c.accessKeyId;
    out[`${h}secret.key`] = c.secretAccessKey;
    if (c.sessionToken) {
      out[`${h}session.token`] = c.sessionToken;
      out[`${h}aws.credentials.provider`] = 'org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider';
    }
  }
  return out;
}

/** A Java properties file: `key=value` lines with `\`, `=`, `:` and line breaks escaped. */
export function propertiesText(properties: Record<string, string>): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/([=:#!])/g, '\\$1').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return Object.entries(properties).map(([k, v]) => `${esc(k)}=${esc(v)}`).join('\n') + '\n';
}
