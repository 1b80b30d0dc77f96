import { checkStore, storeFiles, type Finding } from '../doctor-checks';
import { planRepairs, repairStore, type RepairPlan } from '../doctor-repair';
import { MANIFEST_KEY, ModelName } from '../../format';
import { openStorage } from '../../storage';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { Progress } from '../progress';
import { storeLocation } from '../store-context';

export interface DoctorOptions {
  store?: string;
  model?: string;
  repair?: boolean;
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
 * store files"); with `repair`, rebuild what derives from other files and move the rest aside.
 * Exit 0 when nothing is damaged (after the repair), 1 when damage remains or files were moved
 * aside (their data is lost until restored).
 */
export async function runDoctor(options: DoctorOptions, ctx: CommandContext): Promise<number> {
  const location = storeLocation(options.store);
  if (options.model !== undefined && !ModelName.safeParse(options.model).success) throw new CliError(`--model "${options.model}" is not a model name`);
  const storage = openStorage(location);
  const check = async (label: string) => {
    const files = await storeFiles(storage, options.model);
    const progress = new Progress(label, options.quiet);
    const findings = await checkStore(storage, files, (done, total) => progress.update(done, total));
    return { files, findings };
  };
  const { files, findings } = await check('doctor');
  // Nothing of a store there: a wrong --store, not a damaged manifest (repair would make one).
  if (options.model === undefined && !files.some((f) => f.model !== undefined) && !(await storage.exists(MANIFEST_KEY))) {
    throw new CliError(`${storage.url} is not a driftwatch store (no ${MANIFEST_KEY}, no models): check --store`, 1);
  }
  if (options.model !== undefined && !files.some((f) => f.kind === 'model' || f.model === options.model)) throw new CliError(`no model "${options.model}" in ${storage.url}`);
  const plans = await planRepairs(storage, findings);
  ctx.log(`doctor: checked ${files.length} files of ${storage.url}${options.model ? ` (model ${options.model})` : ''}`);
  if (findings.length === 0) {
    ctx.log('doctor: no damaged files');
    return 0;
  }
  for (const line of describe(findings, plans)) ctx.log(line);
  const damaged = findings.filter((f) => f.severity === 'damaged');
  if (!options.repair) {
    if (damaged.length > 0) ctx.log(`doctor: run \`driftwatch doctor --store ${location} --repair\` to rebuild the derivable files and move the others aside`);
    return damaged.length > 0 ? 1 : 0;
  }
  const result = await repairStore(storage, findings, plans, ctx.log);
  const after = await check('doctor (after repair)');
  const remaining = after.findings.filter((f) => f.severity === 'damaged');
  if (remaining.length > 0) {
    ctx.log(`doctor: after repair, ${remaining.length} file${remaining.length === 1 ? ' is' : 's are'} still damaged:`);
    for (const f of remaining) ctx.log(`  ${f.key}: ${f.problem}`);
    return 1;
  }
  ctx.log(`doctor: repaired: ${result.rebuilt.length} rebuilt, ${result.movedAside.length} moved aside${result.movedAside.length ? ` (see damaged/…/NOTE.txt: restore them from a backup)` : ''}`);
  return result.movedAside.length > 0 ? 1 : 0;
}
