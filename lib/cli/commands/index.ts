import type { ParseArgsConfig } from 'node:util';
import { alertConfig, alertsApplied, alertsReplayed, evaluateModel, futureHoursNote, futureSkewMs, NumericMetric, CategoricalMetric, readAlertEvents, runAlertStep, type MetricName } from '../../compare';
import { evaluationParquet, readSummaryParquetMany } from '../../duckdb';
import { ModelName, parseDuration, parseTimestamp, ReferenceName } from '../../format';
import { addReference, ingest, profileModel, type IngestResult } from '../../profile';
import { listModels } from '../../profile/model-store';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { Progress } from '../progress';
import { openStore, storeLocation, type StoreContext } from '../store-context';
import { compareJson, formatCompare, runCompare } from './compare';
import { formatPerformance, labelsReport, performanceJson, runLabelsAdd, runPerformance } from './performance';
import { addReferencePerformance, profilePerformance } from '../../labels';
import { runDoctor } from './doctor';
import { runMigrate } from './migrate';
import { DEMO_CONFIG, DEMO_DAYS, demoPerformance, detectionReport, writeDemoData } from './demo';
import { initStore, NO_ALERT_RULES } from './init';
import { catchUpNote, deliveryFailureNote, runSchedule } from './run-schedule';
import { lockWaitMs, withJobLock } from './store-lock';
import { parsePort, serve } from './serve';
import { AUTH_COMMANDS } from './token';
import { COLLECTOR, quarantineList, quarantineReplay, quarantineShow, type QuarantineOwner } from './quarantine';
import { REPORT_COMMANDS } from './report';
import { ALERTS_WORKFLOW_COMMANDS } from './alerts-workflow';
import { COLLECT_COMMANDS, startCollector } from './collect';
import { COLLECT_OPTIONS } from './collect-flags';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineFlag, profileWithSpark } from './profile-spark';
import { join } from 'node:path';
import { CONFIG_KEY } from '../../format';
import { openStorage } from '../../storage';
import { isDamagedFileError } from '../../storage/damaged-file';

export type { CommandContext } from '../command-context';

type Values = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run: (values: Values, ctx: CommandContext) => Promise<number>;
}

const store = { store: { type: 'string' } } as const;
const columns = {
  numeric: { type: 'string' },
  categorical: { type: 'string' },
  'score-col': { type: 'string' },
  'label-col': { type: 'string' },
  'id-col': { type: 'string' },
  'timestamp-col': { type: 'string' },
  exclude: { type: 'string' },
} as const;

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Values, name: string, what: string): string {
  const v = str(values, name);
  if (v === undefined || v === '') throw new CliError(`--${name} is required (${what})`);
  return v;
}

function list(values: Values, name: string): string[] | undefined {
  const v = str(values, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `--collector`: the collector's store-level quarantine (events of models unknown when they arrived); else `--model`. */
function quarantineOwner(values: Values): QuarantineOwner {
  if (values.collector === true) {
    if (str(values, 'model') !== undefined) throw new CliError('--collector and --model: pick one (the collector quarantine holds events of models that did not exist)');
    return COLLECTOR;
  }
  return modelName(values);
}

function modelName(values: Values): string {
  const m = required(values, 'model', 'the model name, e.g. checkout-fraud');
  const parsed = ModelName.safeParse(m);
  if (!parsed.success) throw new CliError(`--model "${m}" ${parsed.error.issues[0].message}`);
  return m;
}

async function context(values: Values): Promise<StoreContext> {
  return openStore(storeLocation(str(values, 'store')));
}

/** Models of the store: --model if given (it must exist), else every model with a model.json. */
async function models(ctx: StoreContext, values: Values): Promise<string[]> {
  const known = await listModels(ctx.storage);
  if (str(values, 'model') === undefined) return known;
  const model = modelName(values);
  if (!known.includes(model)) throw new CliError(`no model "${model}" in ${ctx.storage.url}${known.length ? ` (models: ${known.join(', ')})` : ''}`);
  return [model];
}

function columnFlags(values: Values) {
  return {
    numeric: list(values, 'numeric'),
    categorical: list(values, 'categorical'),
    scoreCol: str(values, 'score-col'),
    labelCol: str(values, 'label-col'),
    idCol: str(values, 'id-col'),
    timestampCol: str(values, 'timestamp-col'),
    exclude: list(values, 'exclude'),
  };
}

function metricFlag(values: Values): MetricName | undefined {
  const m = str(values, 'metric');
  if (m === undefined) return undefined;
  if (!NumericMetric.safeParse(m).success && !CategoricalMetric.safeParse(m).success) {
    throw new CliError(`--metric "${m}" is not one of ${[...new Set([...NumericMetric.options, ...CategoricalMetric.options])].join(', ')}`);
  }
  return m as MetricName;
}

/** What `ingest` (and `quarantine replay`) did with a file: lines read = accepted + quarantined. */
export function ingestReport(model: string, file: string, r: IngestResult): string[] {
  const lines = [
    `${model}: ${file}: ${r.linesRead} lines read = ${r.accepted} accepted + ${r.quarantined} quarantined; stored in ${r.hours.length} hours (${r.batches} new batches${r.duplicateBatches ? `, ${r.duplicateBatches} already stored` : ''})`,
  ];
  const { inFile, stored } = r.duplicates;
  if (inFile + stored > 0) lines.push(`${model}: ${inFile + stored} duplicates stored once (${inFile} repeated in the file, ${stored} duplicates of ids already stored)`);
  const utf8 = Object.entries(r.invalidUtf8);
  if (utf8.length > 0) lines.push(`${model}: invalid UTF-8 counted as failed values (type errors): ${utf8.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (r.quarantineKeys.length > 0) lines.push(`${model}: rejected lines in ${r.quarantineKeys.join(', ')}; see \`driftwatch quarantine show --model ${model}\``);
  return lines;
}

export const COMMANDS: Record<string, CommandSpec> = {
  ...REPORT_COMMANDS,
  ...ALERTS_WORKFLOW_COMMANDS,
  ...COLLECT_COMMANDS,
  init: {
    summary: 'create a store, with a commented config.yaml (thresholds, windows, default alert rules)',
    usage: '[--store DIR|s3://bucket/prefix]',
    options: { ...store },
    run: async (values, ctx) => {
      await initStore(storeLocation(str(values, 'store')), ctx.log);
      return 0;
    },
  },
  'reference add': {
    summary: 'profile a dataset (CSV, Parquet, NDJSON) as a reference: test, train or any name',
    usage: '--model M --name test|train|NAME --file F [--numeric a,b] [--categorical c,d] [--score-col C] [--label-col C] [--id-col C] [--timestamp-col C] [--exclude a,b]',
    options: { ...store, model: { type: 'string' }, name: { type: 'string' }, file: { type: 'string' }, ...columns },
    run: async (values, ctx) => {
      const s = await context(values);
      const model = modelName(values);
      const name = required(values, 'name', 'test, train or another reference name');
      const checked = ReferenceName.safeParse(name);
      if (!checked.success) throw new CliError(`--name "${name}" ${checked.error.issues[0]?.message ?? 'is not a valid reference name'}`);
      const file = required(values, 'file', 'the dataset to profile');
      const progress = new Progress(`reference ${name}`);
      const result = await addReference({ storage: s.storage, model, name, file, ...columnFlags(values), onProgress: (p) => progress.update(p.done, p.total ?? 0, p.stage) });
      const meta = result.reference;
      ctx.log(`reference "${name}" of ${model}: ${meta.rows} rows, ${result.model.features.length} features profiled from ${file} (${meta.chunks} chunks for default thresholds, calibrated and stored)`);
      for (const warning of result.warnings) ctx.error(`warning: ${warning}`);
      for (const notice of result.notices) ctx.log(`notice: ${notice}`);
      // With a score and a label column: the score's calibration and chunk metrics, for estimates before labels arrive.
      const perf = await addReferencePerformance({ storage: s.storage, model, name, file, meta: result.model, chunks: meta.chunks });
      if (perf) {
        ctx.log(`reference "${name}" of ${model}: ROC AUC ${perf.roc_auc.toFixed(3)} on ${perf.rows} labelled rows; score calibration error ${perf.ece_raw.toFixed(3)} raw, ${perf.ece_calibrated.toFixed(3)} calibrated (held out)`);
        if (perf.untrusted) ctx.error(`warning: no performance estimates from reference "${name}": ${perf.untrusted}`);
      }
      return 0;
    },
  },
  ingest: {
    summary: 'import prediction logs (NDJSON events, or a wide CSV/Parquet table) into the store',
    usage: '--model M --file F [--numeric …] [--categorical …] [--score-col C] [--id-col C | --id-start N] [--timestamp-col C] [--exclude …]',
    options: { ...store, model: { type: 'string' }, file: { type: 'string' }, 'id-start': { type: 'string' }, ...columns },
    run: async (values, ctx) => {
      const s = await context(values);
      const model = modelName(values);
      const file = required(values, 'file', 'the prediction log to import');
      const progress = new Progress('ingest');
      const idStart = str(values, 'id-start');
      // A table without an id column: ids are the row number plus this, so labels that name rows can join (docs/format.md, "Event ids").
      if (idStart !== undefined && !/^\d+$/.test(idStart)) throw new CliError(`--id-start must be a whole number, e.g. 50000; got "${idStart}"`);
      const r = await ingest({ storage: s.storage, model, file, ...columnFlags(values), ...(idStart !== undefined ? { idStart: Number(idStart) } : {}), timeLimits: s.config.ingest, dedupeWindow: s.config.ingest.dedupe_window, onProgress: (p) => progress.update(p.done, p.total ?? 0, p.stage) });
      for (const line of ingestReport(model, file, r)) ctx.log(line);
      for (const warning of r.warnings) ctx.error(`warning: ${warning}`);
      if (r.damage) {
        ctx.error(`driftwatch ingest: ${file} is damaged at line ${r.damage.line} (after ${r.damage.offset} decompressed bytes): ${r.damage.message}; the ${r.linesRead} lines before it were ingested`);
        return 1;
      }
      return 0;
    },
  },
  profile: {
    summary: 'summarise new raw data into hourly profiles and daily rollups (incremental)',
    usage: `[--model M] [--wait SECONDS (default 60: for another profile run of the model)] ${ENGINE_USAGE}`,
    options: { ...store, model: { type: 'string' }, wait: { type: 'string' }, ...ENGINE_OPTIONS },
    run: async (values, ctx) => {
      const s = await context(values);
      const waitMs = lockWaitMs(str(values, 'wait'));
      if (engineFlag(values) === 'spark') return profileWithSpark(s, storeLocation(str(values, 'store')), await models(s, values), values, waitMs, ctx);
      let damaged = 0;
      for (const model of await models(s, values)) {
        // A damaged raw batch fails its model's run (its other hours are profiled), not the other models'.
        await withJobLock(s.storage, model, 'profile', waitMs, ctx, async () => {
          const progress = new Progress(`profile ${model}`);
          const r = await profileModel({ storage: s.storage, model, onProgress: (p) => progress.update(p.done, p.total ?? 0, p.stage) });
          ctx.log(`${model}: ${r.hours} hourly profiles written; ${r.days} days rolled up (6-hourly, daily and weekly rollups)`);
          // Predictions that arrive after their labels join now (nothing is read when no label was ever added).
          const joined = await profilePerformance(s.storage, model, s.config.performance.threshold);
          if (joined.days > 0) ctx.log(`${model}: labels joined again for ${joined.days} prediction day${joined.days === 1 ? '' : 's'} (${joined.matched} of ${joined.labels} labelled ids matched)`);
        }).catch((error: unknown) => {
          if (!isDamagedFileError(error)) throw error;
          ctx.error(`driftwatch profile: ${model}: ${error.message}`);
          damaged++;
        });
      }
      return damaged > 0 ? 1 : 0;
    },
  },
  'labels add': {
    summary: 'add delayed labels (CSV, Parquet, NDJSON `{"model","id","ts","label"}`) and join them to the predictions by id',
    usage: '--model M --file F [--id-col id] [--label-col label] [--timestamp-col ts (when the label became known; default: now)]',
    options: { ...store, model: { type: 'string' }, file: { type: 'string' }, 'id-col': { type: 'string' }, 'label-col': { type: 'string' }, 'timestamp-col': { type: 'string' } },
    run: async (values, ctx) => {
      const s = await context(values);
      const model = modelName(values);
      const file = required(values, 'file', 'the labels to add');
      const r = await withJobLock(s.storage, model, 'profile', lockWaitMs(undefined), ctx, () => runLabelsAdd(s, model, file, { idCol: str(values, 'id-col'), labelCol: str(values, 'label-col'), timestampCol: str(values, 'timestamp-col') }));
      for (const line of labelsReport(model, file, r)) ctx.log(line);
      return 0;
    },
  },
  performance: {
    summary: 'realised performance where labels arrived, and the estimate from the score before they do, per window (--json for machines)',
    usage: '--model M [--window 30d [--to T] | --from T [--to T]] [--step 1d] [--reference R (default: the first configured)] [--json]',
    options: { ...store, model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, window: { type: 'string' }, step: { type: 'string' }, reference: { type: 'string' }, json: { type: 'boolean' } },
    run: async (values, ctx) => {
      const s = await context(values);
      const result = await runPerformance(s, { model: modelName(values), from: str(values, 'from'), to: str(values, 'to'), window: str(values, 'window'), step: str(values, 'step'), reference: str(values, 'reference') ?? s.config.evaluation.references[0] });
      ctx.log(values.json ? performanceJson(result) : formatPerformance(result));
      return 0;
    },
  },
  compare: {
    summary: 'compare any window with a reference, from stored summaries (--json for machines)',
    usage: '--model M [--from T --to T | --window 12h [--to T]] [--reference R (default: the first configured)] [--metric M] [--json]',
    options: { ...store, model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, window: { type: 'string' }, reference: { type: 'string' }, metric: { type: 'string' }, json: { type: 'boolean' } },
    run: async (values, ctx) => {
      const s = await context(values);
      const result = await runCompare(
        s,
        { model: modelName(values), from: str(values, 'from'), to: str(values, 'to'), window: str(values, 'window'), reference: str(values, 'reference') ?? s.config.evaluation.references[0], metric: metricFlag(values) },
        readSummaryParquetMany,
      );
      ctx.log(values.json ? compareJson(result) : formatCompare(result));
      return 0;
    },
  },
  evaluate: {
    summary: 'the scheduled step: evaluate every hour not yet evaluated (and again where late data arrived), store the trend, run alert rules',
    usage: '[--model M] [--at T] [--window 12h] [--strict (exit 1 when notifications fail)] [--wait SECONDS]',
    options: { ...store, model: { type: 'string' }, at: { type: 'string' }, window: { type: 'string' }, json: { type: 'boolean' }, strict: { type: 'boolean' }, wait: { type: 'string' } },
    run: async (values, ctx) => {
      const s = await context(values);
      const at = str(values, 'at');
      const atMs = at === undefined ? undefined : parseTimestamp(at);
      if (at !== undefined && atMs === undefined) throw new CliError(`--at: "${at}" is not a timestamp`);
      const w = str(values, 'window');
      const windowMs = w === undefined ? undefined : parseDuration(w);
      if (w !== undefined && windowMs === undefined) throw new CliError(`--window: "${w}" is not a duration like 12h or 7d`);
      const waitMs = lockWaitMs(str(values, 'wait'));
      if (alertConfig(s.config).rules.length === 0) ctx.log(NO_ALERT_RULES);
      let failedNotifications = 0;
      for (const model of await models(s, values)) {
        await withJobLock(s.storage, model, 'evaluate', waitMs, ctx, async () => {
          const progress = new Progress(`evaluate ${model}`);
          const r = await evaluateModel({ storage: s.storage, model, config: s.config, decode: readSummaryParquetMany, evaluations: evaluationParquet, atMs, windowMs, onProgress: (d, t) => progress.update(d, t) });
          if (r.futureHours.length > 0) ctx.log(`${model}: ${futureHoursNote(r.futureHours, futureSkewMs(s.config))}`);
          if (r.skipped) ctx.log(`${model}: ${catchUpNote(r.skipped)}`);
          const last = new Date(r.windowEnds[r.windowEnds.length - 1] ?? 0).toISOString();
          const now = new Map<string, string[]>();
          for (const row of r.rows) if ((row.verdict === 'drift' || row.verdict === 'failing') && row.window_to === last) now.set(`${row.name} ${row.verdict}`, [...(now.get(`${row.name} ${row.verdict}`) ?? []), row.reference]);
          const again = r.reevaluated.windows > 0 ? `, ${r.reevaluated.windows} re-evaluated (${r.reevaluated.reason})` : '';
          ctx.log(`${model}: ${r.windowEnds.length} windows evaluated${again}${now.size ? `; now: ${[...now].map(([what, refs]) => `${what} (${refs.join(', ')})`).join(', ')}` : ''}`);
          // A run killed between storing windows and its alert step left alertsPendingFrom: replay from there.
          const replayFrom = r.alertsPendingFrom === null ? r.alertsReplayFrom : Math.min(r.alertsPendingFrom, r.alertsReplayFrom ?? Infinity);
          const alerts = await runAlertStep(s.storage, model, s.config, r.rows, ctx.log, { replayFrom, evaluations: evaluationParquet });
          if (r.alertsReplayFrom !== null) await alertsReplayed(s.storage, model, r.alertsReplayFrom);
          await alertsApplied(s.storage, model);
          if (alerts.replay) {
            const withdrawn = alerts.replay.withdrawn.length;
            ctx.log(`${model}: alerts recomputed from ${alerts.replay.after ?? 'the first evaluation'} over the re-evaluated windows: ${alerts.events.length} new event${alerts.events.length === 1 ? '' : 's'}${withdrawn ? `, ${withdrawn} withdrawn` : ''}`);
          }
          if (alerts.events.length > 0 || alerts.undelivered > 0) {
            ctx.log(`${model}: ${alerts.events.length} alert events, ${alerts.delivered} notifications delivered, ${alerts.undelivered} pending`);
          }
          for (const f of alerts.failures) {
            failedNotifications += f.count;
            ctx.error(`${model}: ${deliveryFailureNote(f)}`);
          }
        });
      }
      return values.strict === true && failedNotifications > 0 ? 1 : 0;
    },
  },
  run: {
    summary: 'keep profiling and evaluating on a schedule, catching up missed hours (Ctrl-C stops)',
    usage: `[--every 1h] [--model M] [--once] [--strict (exit 1 when notifications fail)] [--wait SECONDS] ${ENGINE_USAGE} [--collect [collect flags: see \`driftwatch collect --help\`]]`,
    options: { ...store, model: { type: 'string' }, every: { type: 'string' }, once: { type: 'boolean' }, strict: { type: 'boolean' }, wait: { type: 'string' }, collect: { type: 'boolean' }, ...COLLECT_OPTIONS, ...ENGINE_OPTIONS },
    run: async (values, ctx) => {
      engineFlag(values);
      const every = str(values, 'every');
      const everyMs = every === undefined ? undefined : parseDuration(every);
      if (every !== undefined && everyMs === undefined) throw new CliError(`--every: "${every}" is not a duration like 1h or 6h`);
      lockWaitMs(str(values, 'wait'));
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // --collect: the collector runs beside the schedule in this process and stops on the same signal (or after --once's cycle).
      const collector = values.collect === true ? startCollector(values, ctx, controller.signal) : undefined;
      collector?.catch(() => controller.abort());
      try {
        // The status of the last cycle: a failed cycle, or failed notifications with --strict.
        const status = await runSchedule(
          async () => {
            const profiled = await COMMANDS.profile.run(values, ctx);
            const evaluated = await COMMANDS.evaluate.run(values, ctx);
            return profiled || evaluated;
          },
          { everyMs, once: Boolean(values.once), signal: controller.signal, log: ctx.log },
        );
        controller.abort();
        return Math.max(status, (await collector) ?? 0);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    },
  },
  demo: {
    summary: 'the fraud-model demo end to end: generate, ingest, profile, evaluate, report (then the dashboard)',
    usage: '[--store DIR] [--days 30] [--port 3000] [--no-serve]',
    options: { store: { type: 'string', default: './driftwatch-demo' }, days: { type: 'string' }, port: { type: 'string' }, 'no-serve': { type: 'boolean' } },
    run: async (values, ctx) => {
      const location = str(values, 'store') ?? './driftwatch-demo';
      const port = parsePort(str(values, 'port'), 3000);
      const days = Number(str(values, 'days') ?? DEMO_DAYS);
      if (!Number.isInteger(days) || days < 1 || days > 60) throw new CliError(`--days must be a whole number from 1 to 60, got "${str(values, 'days')}"`);
      const dataDir = join(location, '..', `${location.replace(/[\\/]+$/, '').split(/[\\/]/).pop()}-data`);
      const scenario = await writeDemoData(dataDir, days, ctx);
      await initStore(location, ctx.log);
      await openStorage(location).write(CONFIG_KEY, DEMO_CONFIG);
      const common = { store: location, model: scenario.model, 'id-col': 'id', 'timestamp-col': 'ts', 'score-col': 'score', 'label-col': 'label' };
      await COMMANDS['reference add'].run({ ...common, name: 'test', file: join(dataDir, 'test.csv') }, ctx);
      await COMMANDS['reference add'].run({ ...common, name: 'train', file: join(dataDir, 'train.csv') }, ctx);
      await COMMANDS.ingest.run({ store: location, model: scenario.model, file: join(dataDir, 'predictions.ndjson') }, ctx);
      await COMMANDS.profile.run({ store: location }, ctx);
      const alertLines: string[] = [];
      await COMMANDS.evaluate.run({ store: location }, { ...ctx, log: (line) => (line.startsWith('alert') || line.includes('·') ? alertLines.push(line) : ctx.log(line)) });
      const s = await openStore(location);
      const events = [];
      for (let t = Date.parse(scenario.start); t <= Date.parse(scenario.end); t += 86_400_000) events.push(...(await readAlertEvents(s.storage, scenario.model, t)));
      const firing = events.filter((e) => e.kind === 'firing');
      ctx.log('');
      ctx.log(`demo: ${firing.length} alerts fired. Injected faults:`);
      for (const line of detectionReport(scenario.faults, firing)) ctx.log(line);
      const faulty = new Set<string>(scenario.faults.map((f) => f.feature));
      const others = firing.filter((e) => !faulty.has(e.feature) && e.feature !== 'score');
      ctx.log(others.length === 0 ? '  no alert on any other feature' : `  other alerts: ${others.map((e) => `${e.feature} (${e.reference}) at ${e.at}`).join('; ')}`);
      const scoreAlerts = firing.filter((e) => e.feature === 'score');
      if (scoreAlerts.length > 0 && !faulty.has('score')) ctx.log(`  the score itself: first alert at ${scoreAlerts[0].at} (${scoreAlerts[0].message})`);
      ctx.log('');
      await demoPerformance(s, scenario, dataDir, ctx);
      ctx.log('');
      ctx.log(`store: ${s.storage.url} — try \`npm run driftwatch -- compare --store ${location} --model ${scenario.model} --window 12h --to ${scenario.end}\``);
      if (values['no-serve']) {
        ctx.log(`dashboard: \`npm run driftwatch -- serve --store ${location}\``);
        return 0;
      }
      return serve({ store: location, port, host: 'localhost', log: ctx.log });
    },
  },

  'quarantine list': {
    summary: 'rejected input lines per model: quarantine files, their counts and reasons',
    usage: '[--model M]',
    options: { ...store, model: { type: 'string' } },
    run: async (values, ctx) => {
      const s = await context(values);
      return quarantineList(s, str(values, 'model') === undefined ? undefined : (await models(s, values))[0], ctx);
    },
  },
  'quarantine show': {
    summary: 'the rejected lines of a model (one file with --batch, one line with --line; --out F writes its original bytes)',
    usage: '--model M | --collector [--batch B] [--line N] [--out F]',
    options: { ...store, model: { type: 'string' }, collector: { type: 'boolean' }, batch: { type: 'string' }, line: { type: 'string' }, out: { type: 'string' } },
    run: async (values, ctx) => {
      const s = await context(values);
      const line = str(values, 'line');
      const n = line === undefined ? undefined : Number(line);
      if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new CliError(`--line must be a line number (1, 2, …), got "${line}"`);
      return quarantineShow(s, quarantineOwner(values), str(values, 'batch'), n, str(values, 'out'), ctx);
    },
  },
  'quarantine replay': {
    summary: 'ingest quarantined lines again after a fix (config, model); those that land leave the quarantine',
    usage: '--model M | --collector [--batch B]',
    options: { ...store, model: { type: 'string' }, collector: { type: 'boolean' }, batch: { type: 'string' } },
    run: async (values, ctx) => quarantineReplay(await context(values), quarantineOwner(values), str(values, 'batch'), ctx),
  },
  doctor: {
    summary: 'check every file of the store (schemas, versions, checksums), list what is damaged; --repair rebuilds what can be derived',
    usage: '[--store S] [--model M] [--repair [--wait SECONDS (default 60: for a running profile or evaluate)]] [--quiet]',
    options: { ...store, model: { type: 'string' }, repair: { type: 'boolean' }, wait: { type: 'string' }, quiet: { type: 'boolean' } },
    run: async (values, ctx) => runDoctor({ store: str(values, 'store'), model: str(values, 'model'), repair: values.repair === true, wait: str(values, 'wait'), quiet: values.quiet === true }, ctx),
  },
  migrate: {
    summary: 'convert a format 1.x store (a file per hour) to format 2.0 (a file per day); --dry-run shows what would change',
    usage: '[--store S] [--dry-run] [--wait SECONDS (default 60: for a running profile or evaluate)] [--quiet]',
    options: { ...store, 'dry-run': { type: 'boolean' }, wait: { type: 'string' }, quiet: { type: 'boolean' } },
    run: async (values, ctx) => runMigrate({ store: str(values, 'store'), dryRun: values['dry-run'] === true, wait: str(values, 'wait'), quiet: values.quiet === true }, ctx),
  },
  ...AUTH_COMMANDS,
};
