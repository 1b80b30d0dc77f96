import type { CatchUpSkip, ChannelFailures } from '../../compare';
import { HOUR_MS } from '../../format';
import { CliError } from '../cli-error';

/** "skipped 8,521,000 window ends before 2026-10-16T00:00Z: beyond the catch-up limit of 30d (evaluation.max_catch_up)" */
export function catchUpNote(skip: CatchUpSkip): string {
  const n = skip.windows;
  return `skipped ${n.toLocaleString('en-US')} window end${n === 1 ? '' : 's'} before ${new Date(skip.beforeMs).toISOString().slice(0, 16)}Z: beyond the catch-up limit of ${skip.limit} (evaluation.max_catch_up); evaluate them with --at, or raise the limit`;
}

/** "3 notifications failed to deliver to ops-webhook: HTTP 503 …; will retry at the next evaluation (5 pending)" */
export function deliveryFailureNote(f: ChannelFailures): string {
  const what = `${f.count} notification${f.count === 1 ? '' : 's'} failed to deliver to ${f.channel}: ${f.error}`;
  const next = f.retryable ? 'will retry at the next evaluation' : 'rejected by the receiver: fix the channel in config.yaml; kept and retried at the next evaluation';
  return `${what}; ${next} (${f.pending} pending)`;
}

/** Milliseconds until the next multiple of `everyMs` (UTC), plus a small delay for late writers. */
export function msUntilNextTick(nowMs: number, everyMs: number, graceMs = 60_000): number {
  const next = Math.floor(nowMs / everyMs) * everyMs + everyMs;
  return next - nowMs + graceMs;
}

/**
 * `driftwatch run`: profile and evaluate now (catching up up to the catch-up limit), then again at
 * every tick, until `signal` aborts. A failed cycle is logged and retried at the next tick.
 * Returns the status of the last cycle: its own, or the exit code of the error that ended it.
 */
export async function runSchedule(cycle: () => Promise<number | void>, options: { everyMs?: number; once?: boolean; signal?: AbortSignal; log: (line: string) => void; now?: () => number }): Promise<number> {
  const everyMs = options.everyMs ?? HOUR_MS;
  const now = options.now ?? Date.now;
  for (;;) {
    let status = 0;
    try {
      status = (await cycle()) ?? 0;
    } catch (e) {
      status = e instanceof CliError ? e.exitCode : 1;
      options.log(`run: this cycle failed (${(e as Error).message.split('\n')[0]}); trying again at the next tick`);
    }
    if (options.once || options.signal?.aborted) return status;
    const wait = msUntilNextTick(now(), everyMs);
    options.log(`run: next cycle in ${Math.round(wait / 60_000)} min`);
    const aborted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), wait);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (aborted) return status;
  }
}
