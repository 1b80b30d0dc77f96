import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSparkProfile, SparkSetupError, sparkFailure } from '../../spark/spark-engine';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import type { StoreContext } from '../store-context';
import { withJobLock } from './store-lock';

type Values = Record<string, string | boolean | undefined>;

/** `profile` and `run`: which engine summarises the raw data. */
export const ENGINE_OPTIONS = { engine: { type: 'string' }, 'spark-master': { type: 'string' } } as const;
export const ENGINE_USAGE = '[--engine duckdb|spark (default duckdb)] [--spark-master local[2]|yarn|spark://…|k8s://… (with --engine spark)]';

export function engineFlag(values: Values): 'duckdb' | 'spark' {
  const engine = typeof values.engine === 'string' ? values.engine : 'duckdb';
  if (engine !== 'duckdb' && engine !== 'spark') throw new CliError(`--engine must be duckdb or spark, got "${engine}"`);
  if (engine === 'duckdb' && values['spark-master'] !== undefined) throw new CliError('--spark-master needs --engine spark');
  return engine;
}

/** The job runs in the package root: a local store is passed as an absolute path, S3 as it is. */
function sparkLocation(location: string): string {
  if (/^s3:\/\//i.test(location)) return location;
  return /^file:\/\//i.test(location) ? fileURLToPath(location) : resolve(location);
}

const MASTER = /^(local(\[(\d+|\*)(,\d+)?\])?|yarn|spark:\/\/\S+|k8s:\/\/\S+|mesos:\/\/\S+)$/;

/**
 * `profile --engine spark`: one spark-submit for the models (each held under its profile lock, as
 * the embedded profile holds them). The job writes the hourly profiles, rollups, profile state and
 * the performance profiles (labels joined), so nothing is profiled again here.
 */
export async function profileWithSpark(s: StoreContext, location: string, models: readonly string[], values: Values, waitMs: number, ctx: CommandContext): Promise<number> {
  const master = typeof values['spark-master'] === 'string' ? values['spark-master'] : 'local[2]';
  if (!MASTER.test(master)) throw new CliError(`--spark-master "${master}" is not a Spark master URL such as local[2], local[*], yarn, spark://host:7077 or k8s://https://host:443`);
  if (models.length === 0) return 0;
  const locked = (i: number): Promise<number> => (i === models.length ? submit() : withJobLock(s.storage, models[i], 'profile', waitMs, ctx, () => locked(i + 1)));
  const submit = async (): Promise<number> => {
    const started = Date.now();
    let r;
    try {
      r = await runSparkProfile({ storeLocation: sparkLocation(location), models, master, onLine: ctx.log });
    } catch (error) {
      if (error instanceof SparkSetupError) throw new CliError(error.message, 1);
      throw error;
    }
    const failed = sparkFailure(r);
    if (failed) throw new CliError(failed.message, failed.exitCode);
    ctx.log(`spark: ${models.join(', ')} profiled on ${master} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  };
  return locked(0);
}
