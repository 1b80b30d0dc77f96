import { calibrateReference, compareModel, Config, ConfigError, loadReference, ProfileCache, readConfig, ReferenceCache, writeCalibration } from '../compare';
import { availableProfiles } from '../compare/load-window';
import { LATE_DATA_LOOKBACK_MS, profileVersions, recordVersions } from '../compare/late-data';
import { evaluationParquet, readSummaryParquetMany } from '../duckdb';
import { DAY_MS, dayLabel, FORMAT_NAME, FORMAT_VERSION, HOUR_MS, layout, MANIFEST_KEY, parseDuration, WEEK_MS, weekStart, type EvaluationRow } from '../format';
import { profileModel, readModelMeta } from '../profile';
import { kindsOf } from '../profile/model-store';
import { readProfileState, writeProfileState } from '../profile/profile-state';
import { rollUpDays } from '../profile/rollup';
import type { Storage } from '../storage';
import { emptyDeliveryStatus } from '../alerts';
import { damageReason } from '../storage/damaged-file';
import { EvaluationStateFile, type Finding } from './doctor-checks';
import { rawBatchOfIds, rebuildIdIndex } from './doctor-id-index';

/** How a damaged file is dealt with: rebuilt from what it derives from, or moved aside. */
export interface RepairPlan {
  derivable: boolean;
  /** For the report: "rolled up again from hourly summaries", "moved aside: …". */
  how: string;
}

/** What each finding's repair would be, given everything found (a rollup is derivable only from readable or rebuildable hours). */
export async function planRepairs(storage: Storage, findings: readonly Finding[]): Promise<Map<string, RepairPlan>> {
  const plans = new Map<string, RepairPlan>();
  const damagedModels = new Set(findings.filter((f) => f.kind === 'model').map((f) => f.model));
  for (const f of findings) {
    const modelGone = f.model !== undefined && damagedModels.has(f.model) && f.kind !== 'model';
    let plan: RepairPlan;
    switch (f.kind) {
      case 'manifest':
        plan = { derivable: true, how: `written again as format ${FORMAT_VERSION}` };
        break;
      case 'config':
        plan = { derivable: false, how: 'moved aside: the defaults apply (no alert rules) until you restore it from a backup or `driftwatch init` a template' };
        break;
      case 'model':
        plan = { derivable: false, how: 'moved aside: the model leaves the store’s lists until `driftwatch reference add` writes its model.json again' };
        break;
      case 'reference-meta':
      case 'reference-profile':
        plan = { derivable: false, how: `moved aside with the rest of reference "${f.reference}": add it again with \`driftwatch reference add --model ${f.model} --name ${f.reference} --file …\`` };
        break;
      case 'calibration':
        plan = findings.some((g) => g.model === f.model && g.reference === f.reference && g.kind !== 'calibration')
          ? { derivable: false, how: 'moved aside with its reference' }
          : { derivable: true, how: 'calibrated again from the reference’s chunks' };
        break;
      case 'hourly': {
        const raw = await storage.list(layout.rawPredictionsDayPrefix(f.model as string, f.startMs as number));
        plan = raw.length > 0 && !modelGone ? { derivable: true, how: `profiled again from ${raw.length} raw batch${raw.length === 1 ? '' : 'es'}` } : { derivable: false, how: 'moved aside: no raw data of that day to profile it from' };
        break;
      }
      case 'rollup':
        plan = modelGone ? { derivable: false, how: 'moved aside: model.json is damaged, so the features’ kinds are unknown' } : { derivable: true, how: 'rolled up again from the hourly summaries' };
        break;
      case 'evaluations':
        plan = modelGone ? { derivable: false, how: 'moved aside: model.json is damaged' } : { derivable: true, how: 'windows ending that day evaluated again from the summaries (evaluation.window of config.yaml)' };
        break;
      case 'profile-state':
        plan = { derivable: true, how: 'rebuilt by profiling every day again from raw data' };
        break;
      case 'evaluation-state':
        plan = { derivable: true, how: 'rebuilt from the stored evaluations and the current profile versions' };
        break;
      case 'id-index': {
        const raw = await rawBatchOfIds(storage, f.key);
        // Without its batch, the file would make ingest skip ids that no stored event has.
        plan = raw ? { derivable: true, how: `rebuilt from the ids of its raw batch ${raw}` } : { derivable: false, how: 'moved aside: its raw batch is not in the store, so no stored event has these ids (ingesting them again stores them)' };
        break;
      }
      case 'quarantine':
        plan = { derivable: false, how: 'moved aside: the rejected lines it holds exist nowhere else, so its bytes are kept under damaged/ to fix and copy back' };
        break;
      case 'alert-delivery':
        plan = { derivable: true, how: 'reset to an empty status: each channel’s last attempt, success and error are forgotten until the next delivery round; pending notifications stay in alert-outbox.json' };
        break;
      case 'lock':
        plan = { derivable: true, how: 'removed: `doctor --repair` takes the lock over, as the next run would, and releases it' };
        break;
      default:
        plan = { derivable: false, how: 'moved aside: alert history cannot be derived exactly (the next `evaluate` continues from an empty state for what it held)' };
    }
    plans.set(f.key, plan);
  }
  return plans;
}

export interface RepairResult {
  rebuilt: string[];
  movedAside: { key: string; to: string }[];
}

/**
 * Rebuild what can be derived, in dependency order (profile state and hours, rollups,
 * calibrations, evaluations, evaluation state), and move the rest to `damaged/<time>/` with a
 * note, so the views that read them recover.
 */
export async function repairStore(storage: Storage, findings: readonly Finding[], plans: ReadonlyMap<string, RepairPlan>, log: (line: string) => void, now = new Date()): Promise<RepairResult> {
  const result: RepairResult = { rebuilt: [], movedAside: [] };
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const aside = findings.filter((f) => !plans.get(f.key)?.derivable);
  // A damaged reference goes aside whole: a reference without its profile or description reads as none.
  const asideKeys = new Set(aside.map((f) => f.key));
  for (const f of aside) {
    if (f.kind !== 'reference-meta' && f.kind !== 'reference-profile') continue;
    for (const key of [layout.referenceMeta(f.model as string, f.reference as string), layout.referenceProfile(f.model as string, f.reference as string), layout.referenceCalibration(f.model as string, f.reference as string)]) asideKeys.add(key);
  }
  const notes: string[] = [];
  for (const key of [...asideKeys].sort()) {
    const bytes = await storage.read(key);
    if (bytes === undefined) continue;
    const to = `damaged/${stamp}/${key}`;
    await storage.write(to, bytes);
    await storage.delete(key);
    result.movedAside.push({ key, to });
    const finding = findings.find((f) => f.key === key);
    notes.push(`${key}: ${finding ? `${finding.problem}; ${plans.get(key)?.how}` : 'moved with its reference'}`);
    log(`repair: moved ${key} aside to ${to}`);
  }
  if (notes.length > 0) await storage.write(`damaged/${stamp}/NOTE.txt`, `Moved aside by \`driftwatch doctor --repair\` at ${now.toISOString()}: these files could not be read and cannot be derived.\nRestore them from a backup (copy back to the same key) or re-create them as each line says.\n\n${notes.join('\n')}\n`);

  const derivable = findings.filter((f) => plans.get(f.key)?.derivable);
  if (derivable.some((f) => f.kind === 'manifest')) {
    await storage.write(MANIFEST_KEY, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION, created_at: now.toISOString() }, null, 2)}\n`);
    result.rebuilt.push(MANIFEST_KEY);
    log(`repair: wrote ${MANIFEST_KEY} again (format ${FORMAT_VERSION})`);
  }
  const config = await readConfig(storage).catch((error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    log(`repair: ${error.message}; using the defaults`);
    return Config.parse({});
  });
  const models = [...new Set(derivable.map((f) => f.model).filter((m): m is string => m !== undefined))].sort();
  for (const model of models) {
    const mine = derivable.filter((f) => f.model === model);
    await repairModel(storage, model, mine, config, stamp, log);
    result.rebuilt.push(...mine.map((f) => f.key));
  }
  return result;
}

async function repairModel(storage: Storage, model: string, findings: readonly Finding[], config: Config, stamp: string, log: (line: string) => void): Promise<void> {
  const of = (kind: Finding['kind']) => findings.filter((f) => f.kind === kind);
  // Damaged profiles go first (a copy stays under damaged/): rebuilding one reads its neighbours (a
  // week's rollup reads its days), and a missing file is skipped where a damaged one stops the rebuild.
  for (const f of findings) {
    if (f.kind !== 'hourly' && f.kind !== 'rollup') continue;
    await keepCopy(storage, f.key, stamp);
    await storage.delete(f.key);
  }
  // Days: forget them in the profile state (or the whole state), and profile again from raw data.
  if (of('profile-state').length > 0 || of('hourly').length > 0) {
    if (of('profile-state').length > 0) await storage.delete(layout.profileState(model));
    else {
      const state = await readProfileState(storage, model);
      for (const f of of('hourly')) delete state.days[dayLabel(f.startMs as number)];
      await writeProfileState(storage, model, state);
    }
    const r = await profileModel({ storage, model });
    log(`repair: ${model}: ${r.hours} hourly profiles written again from raw data, ${r.days} days rolled up`);
  }
  const rollups = of('rollup');
  if (rollups.length > 0) {
    const meta = await readModelMeta(storage, model);
    if (!meta) throw new Error(`${layout.model(model)} is missing: cannot roll up without the features' kinds`);
    const hours = (await availableProfiles(storage, model)).hours;
    const days = new Set<number>();
    for (const f of rollups) {
      const start = f.startMs as number;
      const span = (f.endMs as number) - start;
      // A week is the merge of its days: roll up every day of it that has hours.
      const from = span === WEEK_MS ? weekStart(start) : Math.floor(start / DAY_MS) * DAY_MS;
      const to = span === WEEK_MS ? from + WEEK_MS : from + DAY_MS;
      for (let d = from; d < to; d += DAY_MS) if ([...hours].some((h) => h >= d && h < d + DAY_MS)) days.add(d);
    }
    await rollUpDays(storage, model, [...days].sort((a, b) => a - b), new Map(), kindsOf(meta));
    log(`repair: ${model}: ${days.size} day${days.size === 1 ? '' : 's'} rolled up again from hourly summaries`);
  }
  for (const f of of('id-index')) {
    const raw = await rawBatchOfIds(storage, f.key);
    if (raw === undefined) continue;
    await keepCopy(storage, f.key, stamp);
    // A raw batch that cannot be read leaves its index damaged: the check after the repair lists it.
    try {
      log(`repair: ${f.key}: ${await rebuildIdIndex(storage, f.key, raw)} ids written again from ${raw}`);
    } catch (error) {
      log(`repair: ${f.key}: not rebuilt: its raw batch ${raw} cannot be read (${damageReason(error)})`);
    }
  }
  for (const f of of('alert-delivery')) {
    await keepCopy(storage, f.key, stamp);
    await storage.write(f.key, JSON.stringify(emptyDeliveryStatus()));
    log(`repair: ${f.key} reset to an empty status (a copy is under damaged/${stamp}/): the channels' last attempts and errors show again after the next delivery round`);
  }
  for (const f of of('calibration')) {
    const reference = await loadReference(storage, model, f.reference as string, readSummaryParquetMany);
    const chunks = await reference.loadChunks();
    await writeCalibration(storage, calibrateReference(model, f.reference as string, reference.identity, reference.whole, chunks, config.defaults));
    log(`repair: ${model}: reference "${f.reference}" calibrated again`);
  }
  const windowMs = parseDuration(config.evaluation.window) ?? 12 * HOUR_MS;
  const evaluations = of('evaluations');
  if (evaluations.length > 0) {
    const available = await availableProfiles(storage, model);
    const hours = [...available.hours].sort((a, b) => a - b);
    const lastEnd = (await readEvaluationState(storage, model))?.last_window_end ?? (hours.length ? hours[hours.length - 1] + HOUR_MS : null);
    const firstEnd = hours.length ? hours[0] + windowMs : Infinity;
    const references: string[] = [];
    for (const name of config.evaluation.references) {
      if (await storage.exists(layout.referenceProfile(model, name))) references.push(name);
      else log(`repair: ${model}: reference "${name}" is missing: evaluation days are rebuilt without its rows`);
    }
    const cache = new ReferenceCache();
    const profiles = new ProfileCache({ maxBytes: 128 << 20 });
    for (const f of evaluations) {
      const day = f.startMs as number;
      const rows: EvaluationRow[] = [];
      for (let end = Math.max(day + HOUR_MS, firstEnd); lastEnd !== null && end <= Math.min(day + DAY_MS, lastEnd); end += HOUR_MS) {
        for (const reference of references) {
          const compared = await compareModel({ storage, model, fromMs: end - windowMs, toMs: end, reference, config, decode: readSummaryParquetMany, cache, profiles, available });
          for (const feature of compared.features) rows.push({ ...feature, model, reference, window_from: compared.from, window_to: compared.to, window_hours: windowMs / HOUR_MS });
        }
      }
      await storage.write(layout.evaluations(model, day), await evaluationParquet.encode(rows));
      await storage.delete(layout.legacyEvaluations(model, day));
      log(`repair: ${model}: ${new Date(day).toISOString().slice(0, 10)} evaluated again (${rows.length} rows)`);
    }
  }
  if (of('evaluation-state').length > 0) {
    let last: number | null = null;
    for (const key of await storage.list(layout.evaluationsPrefix(model))) {
      const m = /day=(\d{4}-\d{2}-\d{2})\.parquet$/.exec(key);
      const bytes = m ? await storage.read(key) : undefined;
      if (!bytes) continue;
      for (const row of await evaluationParquet.decode(bytes)) {
        const end = Date.parse(row.window_to);
        if (row.window_hours * HOUR_MS === windowMs && (last === null || end > last)) last = end;
      }
    }
    const hours = [...(await availableProfiles(storage, model)).hours].sort((a, b) => a - b);
    const from = (last ?? 0) - LATE_DATA_LOOKBACK_MS;
    const versions = await profileVersions(storage, model, hours.filter((h) => h >= from));
    const state = EvaluationStateFile.parse({ last_window_end: last, profile_versions: last === null ? {} : recordVersions(versions, from), alerts_replay_from: null });
    await storage.write(layout.evaluationState(model), JSON.stringify(state));
    log(`repair: ${model}: evaluation state rebuilt (last window end ${last === null ? 'none' : new Date(last).toISOString()})`);
  }
}

/** A copy of a damaged file under `damaged/<stamp>/` before it is rebuilt in place. */
async function keepCopy(storage: Storage, key: string, stamp: string): Promise<void> {
  const bytes = await storage.read(key);
  if (bytes !== undefined) await storage.write(`damaged/${stamp}/${key}`, bytes);
}

async function readEvaluationState(storage: Storage, model: string): Promise<EvaluationStateFile | undefined> {
  const bytes = await storage.read(layout.evaluationState(model));
  if (!bytes) return undefined;
  try {
    return EvaluationStateFile.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return undefined;
  }
}
