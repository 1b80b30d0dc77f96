import { HOUR_MS } from '../../format';

/** Milliseconds until the next multiple of `everyMs` (UTC), plus a small delay for late writers. */
export function msUntilNextTick(nowMs: number, everyMs: number, graceMs = 60_000): number {
  const next = Math.floor(nowMs / everyMs) * everyMs + everyMs;
  return next - nowMs + graceMs;
}

/**
 * `driftwatch run`: profile and evaluate now (catching up every missed hour), then again at every
 * tick, until `signal` aborts. A failed cycle is logged and retried at the next tick.
 */
export async function runSchedule(cycle: () => Promise<void>, options: { everyMs?: number; once?: boolean; signal?: AbortSignal; log: (line: string) => void; now?: () => number }): Promise<void> {
  const everyMs = options.everyMs ?? HOUR_MS;
  const now = options.now ?? Date.now;
  for (;;) {
    try {
      await cycle();
    } catch (e) {
      options.log(`run: this cycle failed (${(e as Error).message.split('\n')[0]}); trying again at the next tick`);
    }
    if (options.once || options.signal?.aborted) return;
    const wait = msUntilNextTick(now(), everyMs);
    options.log(`run: next cycle in ${Math.round(wait / 60_000)} min`);
    const aborted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), wait);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (aborted) return;
  }
}
