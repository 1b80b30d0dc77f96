import { compareModel, NotFoundError, type CompareResult, type MetricName } from '../../compare';
import { parseDuration, parseTimestamp } from '../../format';
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

/** `driftwatch compare`: any window, by merging stored summaries. */
export async function runCompare(ctx: StoreContext, flags: CompareFlags, decode: SummaryDecoder, now = Date.now()): Promise<CompareResult> {
  const to = flags.to === undefined ? now : parseTimestamp(flags.to);
  if (to === undefined) throw new CliError(`--to: "${flags.to}" is not a timestamp (ISO 8601 or epoch seconds/ms)`);
  let from: number | undefined;
  if (flags.from !== undefined) {
    from = parseTimestamp(flags.from);
    if (from === undefined) throw new CliError(`--from: "${flags.from}" is not a timestamp (ISO 8601 or epoch seconds/ms)`);
  } else {
    const windowMs = parseDuration(flags.window ?? ctx.config.evaluation.window);
    if (windowMs === undefined) throw new CliError(`--window: "${flags.window}" is not a duration like 12h, 7d or 2w`);
    from = to - windowMs;
  }
  if (from >= to) throw new CliError(`--from must be before --to (got ${new Date(from).toISOString()} ≥ ${new Date(to).toISOString()})`);
  try {
    return await compareModel({ storage: ctx.storage, model: flags.model, fromMs: from, toMs: to, reference: flags.reference, config: ctx.config, decode, metric: flags.metric });
  } catch (e) {
    if (e instanceof NotFoundError) throw new CliError(e.message);
    throw e;
  }
}

/** A table a person reads at 3 a.m.: worst first, hints in plain words. */
export function formatCompare(result: CompareResult): string {
  const lines = [`${result.model}: ${result.from} → ${result.to} vs reference "${result.reference}", ${result.rows} rows`];
  if (result.features.length === 0) lines.push('  no data in this window (or no feature in common with the reference)');
  const width = Math.max(8, ...result.features.map((f) => f.name.length));
  for (const f of result.features) {
    const value = f.value === null ? '—' : f.value.toFixed(3);
    const failed = f.failed_rate === null ? '' : `failed ${(f.failed_rate * 100).toFixed(1)}% (ref ${((f.reference_failed_rate ?? 0) * 100).toFixed(1)}%)`;
    const mark = f.verdict === 'failing' ? 'FAILING' : f.verdict === 'drift' ? 'DRIFT  ' : 'ok     ';
    lines.push(`  ${mark} ${f.name.padEnd(width)} ${f.metric} ${value} / ${f.threshold.toFixed(3)}  ${failed}${f.hint ? `  — ${f.hint}` : ''}`);
  }
  return lines.join('\n');
}

/** The documented --json shape: NaN and ±Infinity become null. */
export function compareJson(result: CompareResult): string {
  return JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
