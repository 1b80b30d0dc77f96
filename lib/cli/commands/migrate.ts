import { formatMajor, FORMAT_VERSION } from '../../format';
import { leftoverV1Keys, migrateStore, MigrateInputError, removeV1Keys, type ModelReport } from '../../migrate';
import { listModels } from '../../profile/model-store';
import type { Storage } from '../../storage';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { Progress } from '../progress';
import { openStore, storeLocation } from '../store-context';
import { LOCKED_EXIT_CODE, lockWaitMs, withJobLock } from './store-lock';

export interface MigrateFlags {
  store?: string;
  dryRun?: boolean;
  /** `--wait SECONDS` for a running profile or evaluate (default 60). */
  wait?: string;
  /** No progress bar (tests). */
  quiet?: boolean;
}

const LABELS: Record<string, string> = { 'raw-parquet': 'raw Parquet', 'raw-ndjson': 'raw NDJSON', labels: 'raw labels', ids: 'id index', hourly: 'hourly profiles', 'six-hourly': '6-hourly profiles' };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** The summary lines of one model: all its files, then each kind of hour file packed per day. */
export function describeModel(r: ModelReport, dryRun: boolean): string[] {
  const kinds = Object.entries(r.kinds);
  const hour = kinds.reduce((n, [, k]) => n + k.hourBytes, 0);
  const day = kinds.reduce((n, [, k]) => n + k.dayBytes, 0);
  const lines = [`${r.model}: ${r.filesBefore} files → ${r.filesAfter}${dryRun ? ' (would be)' : ''}; hour files ${formatBytes(hour)} → day files ${formatBytes(day)}`];
  for (const [kind, k] of kinds) lines.push(`  ${LABELS[kind] ?? kind}: ${k.hourFiles} hour files (${formatBytes(k.hourBytes)}) → ${k.dayFiles} day files (${formatBytes(k.dayBytes)})`);
  if (r.reprofileDays.length > 0) lines.push(`  not profiled up to date in 1.x, left for the next \`driftwatch profile\`: ${r.reprofileDays.join(', ')}`);
  for (const key of r.unknown) lines.push(`  left in place: ${key}`);
  return lines;
}

/** Hold the profile and evaluate locks of every model while `body` runs, as `doctor --repair` does. */
async function withStoreLocks<T>(storage: Storage, models: readonly string[], waitMs: number, ctx: CommandContext, body: () => Promise<T>): Promise<T> {
  const locks = models.flatMap((model) => (['profile', 'evaluate'] as const).map((job) => ({ model, job })));
  const hold = (i: number): Promise<T> => (i === locks.length ? body() : withJobLock(storage, locks[i].model, locks[i].job, waitMs, ctx, () => hold(i + 1)));
  try {
    return await hold(0);
  } catch (e) {
    if (e instanceof CliError && e.exitCode === LOCKED_EXIT_CODE) throw new CliError(`migrate needs the store lock, nothing was changed: ${e.message}`, LOCKED_EXIT_CODE);
    throw e;
  }
}

/**
 * `driftwatch migrate`: convert a format 1.x store (a file per hour) to 2.0 (a file per day),
 * see docs/migrate.md. On a 2.0 store it only removes 1.x files an interrupted run left behind.
 * Exit 0 when done (or nothing to do), 1 on a damaged input (nothing deleted), 75 when locked.
 */
export async function runMigrate(flags: MigrateFlags, ctx: CommandContext): Promise<number> {
  const location = storeLocation(flags.store);
  const waitMs = lockWaitMs(flags.wait);
  const { storage, version } = await openStore(location, { allowOlder: true });
  const models = await listModels(storage);
  const dry = flags.dryRun === true;
  if (formatMajor(version) >= 2) {
    const leftovers = (await Promise.all(models.map(async (m) => ({ m, keys: await leftoverV1Keys(storage, m) })))).filter((l) => l.keys.length > 0);
    if (leftovers.length === 0) {
      ctx.log(`store is already format ${version}: nothing to migrate`);
      return 0;
    }
    for (const { m, keys } of leftovers) ctx.log(`${m}: ${keys.length} format 1.x files left by an interrupted migrate${dry ? ' would be removed' : ''}`);
    if (dry) return 0;
    return withStoreLocks(storage, leftovers.map((l) => l.m), waitMs, ctx, async () => {
      let kept = 0;
      for (const { m } of leftovers) {
        const r = await removeV1Keys(storage, m);
        kept += r.kept.length;
        ctx.log(`${m}: removed ${r.removed} format 1.x files${r.kept.length ? `; kept ${r.kept.length} whose 2.0 file is missing: ${r.kept.join(', ')}` : ''}`);
      }
      ctx.log(kept === 0 ? `store ${storage.url} is format ${version}: migration finished` : `store ${storage.url}: ${kept} format 1.x files have no 2.0 file; restore them to a 1.x store and migrate it, or delete them`);
      return kept === 0 ? 0 : 1;
    });
  }
  const progress = new Map<string, Progress>();
  const onProgress = (model: string, done: number, total: number) => {
    if (!progress.has(model)) progress.set(model, new Progress(`migrate ${model}`, flags.quiet));
    progress.get(model)?.update(done, total);
  };
  const migrate = () => migrateStore(storage, models, { dryRun: dry, onProgress });
  let reports: ModelReport[];
  try {
    // A dry run changes nothing: no lock needed, and it can run next to a running profile.
    reports = dry ? await migrate() : await withStoreLocks(storage, models, waitMs, ctx, migrate);
  } catch (error) {
    if (error instanceof MigrateInputError) throw new CliError(error.message, 1);
    throw error;
  }
  ctx.log(dry ? `dry run: format ${version} → ${FORMAT_VERSION} would change (nothing was written):` : `migrated ${storage.url} from format ${version} to ${FORMAT_VERSION}:`);
  for (const r of reports) for (const line of describeModel(r, dry)) ctx.log(line);
  if (reports.length === 0) ctx.log('  (no models)');
  if (!dry && reports.some((r) => r.reprofileDays.length > 0)) ctx.log(`run \`driftwatch profile --store ${location}\` to profile the days left out`);
  return 0;
}
