import { checkStore, storeFiles, type Finding, type StoreFile } from '../doctor-checks';
import { planRepairs, repairStore, type RepairPlan } from '../doctor-repair';
import { MANIFEST_KEY, ModelName } from '../../format';
import { openStorage, type Storage } from '../../storage';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { Progress } from '../progress';
import { storeLocation } from '../store-context';
import { LOCKED_EXIT_CODE, lockWaitMs, withJobLock } from './store-lock';

export interface DoctorOptions {
  store?: string;
  model?: string;
  repair?: boolean;
  /** `--wait SECONDS` for a running profile or evaluate before repairing (default 60). */
  wait?: string;
  /** No progress bar (tests). */
  quiet?: boolean;
}

function describe(findings: readonly Finding[], plans: ReadonlyMap<string, RepairPlan>): string[] {
  const lines: string[] = [];
  for (const severity of ['damaged', 'stale'] as const) {
    const of = findings.filter((f) => f.severity === severity);
    if (of.length === 0) continue;
    lines.push(`${severity}: ${of.length} file${of.length === 1 ? '' : 's'}`);
    for (const f of of) {
      const plan = plans.get(f.key);
      lines.push(`  ${f.key}: ${f.problem}`);
      if (plan) lines.push(`    ${plan.derivable ? 'derivable' : 'not derivable'}: ${plan.how}`);
    }
  }
  return lines;
}

/**
 * `driftwatch doctor`: read every file of the store and check it (docs/operations.md, "Damaged
 * store files"); with `repair`, rebuild what derives from other files and move the rest aside,
 * holding the profile and evaluate locks of every model checked, so nothing is repaired under a
 * running job. Exit 0 when nothing is damaged (after the repair), 1 when damage remains or files
 * were moved aside (their data is lost until restored), 75 when a job held a lock past `--wait`.
 */
export async function runDoctor(options: DoctorOptions, ctx: CommandContext): Promise<number> {
  const location = storeLocation(options.store);
  if (options.model !== undefined && !ModelName.safeParse(options.model).success) throw new CliError(`--model "${options.model}" is not a model name`);
  const waitMs = lockWaitMs(options.wait);
  const storage = openStorage(location);
  const files = await storeFiles(storage, options.model);
  // Nothing of a store there: a wrong --store, not a damaged manifest (repair would make one).
  if (options.model === undefined && !files.some((f) => f.model !== undefined) && !(await storage.exists(MANIFEST_KEY))) {
    throw new CliError(`${storage.url} is not a driftwatch store (no ${MANIFEST_KEY}, no models): check --store`, 1);
  }
  if (options.model !== undefined && !files.some((f) => f.kind === 'model' || f.model === options.model)) throw new CliError(`no model "${options.model}" in ${storage.url}`);
  if (!options.repair) return doctorPass(storage, options, location, ctx, files, []);
  // Taking the locks takes stale ones over and removes them: list those first, for the report.
  const staleLocks = await checkStore(storage, files.filter((f) => f.kind === 'lock'));
  const models = [...new Set(files.map((f) => f.model).filter((m): m is string => m !== undefined))].sort();
  return withStoreLocks(storage, models, waitMs, ctx, () => doctorPass(storage, options, location, ctx, undefined, staleLocks));
}

/** Hold the profile and evaluate locks of these models (one after another, in order) while `body` runs. */
async function withStoreLocks<T>(storage: Storage, models: readonly string[], waitMs: number, ctx: CommandContext, body: () => Promise<T>): Promise<T> {
  const locks = models.flatMap((model) => (['profile', 'evaluate'] as const).map((job) => ({ model, job })));
  const hold = (i: number): Promise<T> => (i === locks.length ? body() : withJobLock(storage, locks[i].model, locks[i].job, waitMs, ctx, () => hold(i + 1)));
  try {
    return await hold(0);
  } catch (e) {
    if (e instanceof CliError && e.exitCode === LOCKED_EXIT_CODE) throw new CliError(`--repair needs the store lock, nothing was repaired: ${e.message}`, LOCKED_EXIT_CODE);
    throw e;
  }
}

/** Check (the files given, else those listed now), report, and with `repair` repair; `removedLocks`: stale locks already taken over. */
async function doctorPass(storage: Storage, options: DoctorOptions, location: string, ctx: CommandContext, listed: StoreFile[] | undefined, removedLocks: readonly Finding[]): Promise<number> {
  const check = async (label: string, given?: StoreFile[]) => {
    const files = given ?? (await storeFiles(storage, options.model));
    const progress = new Progress(label, options.quiet);
    const findings = await checkStore(storage, files, (done, total) => progress.update(done, total));
    return { files, findings };
  };
  const { files, findings: found } = await check('doctor', listed);
  const findings = [...found, ...removedLocks].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const plans = await planRepairs(storage, findings);
  ctx.log(`doctor: checked ${files.length} files of ${storage.url}${options.model ? ` (model ${options.model})` : ''}`);
  if (findings.length === 0) {
    ctx.log('doctor: no damaged files');
    return 0;
  }
  for (const line of describe(findings, plans)) ctx.log(line);
  const damaged = findings.filter((f) => f.severity === 'damaged');
  if (!options.repair) {
    if (findings.length > 0) ctx.log(`doctor: run \`driftwatch doctor --store ${location} --repair\` to rebuild the derivable files, move the others aside and remove stale locks`);
    return damaged.length > 0 ? 1 : 0;
  }
  for (const f of removedLocks) ctx.log(`repair: removed the stale lock ${f.key}`);
  const result = await repairStore(storage, found, plans, ctx.log);
  const after = await check('doctor (after repair)');
  const remaining = after.findings.filter((f) => f.severity === 'damaged');
  if (remaining.length > 0) {
    ctx.log(`doctor: after repair, ${remaining.length} file${remaining.length === 1 ? ' is' : 's are'} still damaged:`);
    for (const f of remaining) ctx.log(`  ${f.key}: ${f.problem}`);
    return 1;
  }
  ctx.log(`doctor: repaired: ${result.rebuilt.length} rebuilt, ${result.movedAside.length} moved aside${removedLocks.length ? `, ${removedLocks.length} stale lock${removedLocks.length === 1 ? '' : 's'} removed` : ''}${result.movedAside.length ? ` (see damaged/…/NOTE.txt: restore them from a backup)` : ''}`);
  return result.movedAside.length > 0 ? 1 : 0;
}
