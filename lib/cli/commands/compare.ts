import { availableProfiles, compareModel, futureSkewMs, NotFoundError, resolveWindow, windowAnchor, WindowError, type CompareResult, type ResolvedWindow, type MetricName } from '../../compare';
import { HOUR_MS, parseTimestamp } from '../../format';
import { listModels } from '../../profile/model-store';
import { CliError } from '../cli-error';
import type { StoreContext } from '../store-context';
import type { SummaryDecoder } from '../../compare';

export interface CompareFlags {
  model: string;
  from?: string;
  to?: string;
  window?: string;
  reference: string;
  metric?: MetricName;
}

export interface CompareAnswer extends CompareResult {
  /** Set for a relative window ("12h"): it ends at the latest profiled hour, as in the dashboard. */
  window?: string;
  /** End of the model's latest profiled hour, or null without data. */
  latest_data: string | null;
}

/**
 * `driftwatch compare`: any window, by merging stored summaries. The window is read exactly as the
 * dashboard reads it (lib/compare resolveWindow): `--window 12h` ends at the latest profiled hour.
 */
export async function runCompare(ctx: StoreContext, flags: CompareFlags, decode: SummaryDecoder, now = Date.now()): Promise<CompareAnswer> {
  // Flags first (their errors do not depend on the store), then the model, then the real anchor.
  // `--from` alone runs up to the latest data, unknown yet: check it against an anchor just after it.
  const fromMs = flags.from === undefined ? undefined : parseTimestamp(flags.from);
  windowOf(flags, fromMs !== undefined && !flags.to ? Math.floor(fromMs / HOUR_MS) * HOUR_MS + HOUR_MS : 0, ctx.config.evaluation.window);
  const known = await listModels(ctx.storage);
  if (!known.includes(flags.model)) throw new CliError(`no model "${flags.model}" in ${ctx.storage.url}${known.length ? ` (models: ${known.join(', ')})` : ': add a reference first (`driftwatch reference add`)'}`);
  const available = await availableProfiles(ctx.storage, flags.model);
  const { anchorMs, latestDataMs } = windowAnchor(available, now, futureSkewMs(ctx.config));
  const window = windowOf(flags, anchorMs, ctx.config.evaluation.window);
  try {
    const result = await compareModel({ storage: ctx.storage, model: flags.model, fromMs: window.fromMs, toMs: window.toMs, reference: flags.reference, config: ctx.config, decode, metric: flags.metric, available });
    return { ...result, ...(window.window ? { window: window.window } : {}), latest_data: latestDataMs === undefined ? null : new Date(latestDataMs).toISOString() };
  } catch (e) {
    if (e instanceof NotFoundError) throw new CliError(e.message);
    throw e;
  }
}

function windowOf(flags: CompareFlags, anchorMs: number, defaultWindow: string): ResolvedWindow {
  try {
    return resolveWindow({ from: flags.from, to: flags.to, window: flags.window }, anchorMs, defaultWindow);
  } catch (e) {
    if (e instanceof WindowError) throw new CliError(`--${e.message}`);
    throw e;
  }
}

const MARKS = { failing: 'FAILING', drift: 'DRIFT', ok: 'ok', not_monitored: 'not monitored' } as const;

/** A table a person reads at 3 a.m.: worst first, hints in plain words. */
export function formatCompare(result: CompareAnswer): string {
  const span = result.window ? `last ${result.window} of data, ` : '';
  const lines = [`${result.model}: ${result.from} → ${result.to} (${span}latest data ${result.latest_data ?? 'none'}) vs reference "${result.reference}", ${result.rows} rows`];
  for (const w of result.warnings) lines.push(`  warning: ${w}`);
  if (result.features.length === 0) lines.push('  no data in this window (or no feature in common with the reference)');
  const width = Math.max(8, ...result.features.map((f) => f.name.length));
  for (const f of result.features) {
    const value = f.value === null ? '—' : f.value.toFixed(3);
    const failed = f.failed_rate === null ? '' : `failed ${(f.failed_rate * 100).toFixed(1)}% (ref ${((f.reference_failed_rate ?? 0) * 100).toFixed(1)}%)`;
    const mark = MARKS[f.verdict].padEnd(13);
    lines.push(`  ${mark} ${f.name.padEnd(width)} ${f.metric} ${value} / ${f.threshold.toFixed(3)}  ${failed}${f.hint ? `  — ${f.hint}` : ''}${f.insufficient ? `  — too few rows: ${f.insufficient}` : ''}`);
  }
  return lines.join('\n');
}

/** The documented --json shape: NaN and ±Infinity become null. */
export function compareJson(result: CompareAnswer): string {
  return JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
