import { layout } from '../../format';
import { describeHolder, Lease, LeaseBusyError } from '../../storage/lease';
import type { Storage } from '../../storage';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';

/** Exit status of a run that found its job locked by another (EX_TEMPFAIL: try again later). */
export const LOCKED_EXIT_CODE = 75;

/** Seconds a command waits for another run of the same job by default (`--wait`). */
export const DEFAULT_LOCK_WAIT_S = 60;

/** `models/<model>/state/locks/<job>/`: one lease per job and model (docs/format.md). */
export function lockPrefix(model: string, job: 'profile' | 'evaluate'): string {
  return layout.profileState(model).replace(/profile-state\.json$/, `locks/${job}/`);
}

/** `--wait SECONDS`: how long to wait for another run of the same job (0: do not wait). */
export function lockWaitMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOCK_WAIT_S * 1000;
  const s = Number(value);
  if (value.trim() === '' || !Number.isFinite(s) || s < 0) throw new CliError(`--wait: "${value}" is not a number of seconds (0 or more)`);
  return Math.round(s * 1000);
}

/** Test hook: a shorter lease (DRIFTWATCH_LOCK_TTL_MS), so a stale lock from another host expires quickly. */
function ttlMs(): number | undefined {
  const v = Number(process.env.DRIFTWATCH_LOCK_TTL_MS);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Run `body` holding the store lock of `job` for `model`: a second run of the same job waits up to
 * `waitMs` for the first, then exits with LOCKED_EXIT_CODE and a message naming the holder. A lock
 * left by a killed run is taken over (see lib/storage/lease.ts).
 */
export async function withJobLock<T>(storage: Storage, model: string, job: 'profile' | 'evaluate', waitMs: number, ctx: CommandContext, body: () => Promise<T>): Promise<T> {
  const name = `${job} of ${model}`;
  let lease: Lease;
  try {
    lease = await Lease.acquire(storage, lockPrefix(model, job), name, {
      waitMs,
      ttlMs: ttlMs(),
      onWait: (holder) => ctx.error(`${name} is running (${describeHolder(holder)}): waiting up to ${Math.round(waitMs / 1000)} s …`),
      onRecover: (stale, why) => ctx.error(`${name}: taking over the lock of an earlier run (${describeHolder(stale)}; ${why})`),
      onLost: (holder) => ctx.error(`warning: ${name} lost its lock${holder ? ` to ${describeHolder(holder)}` : ''}: this run was paused longer than the lock lasts; the other run redoes its work`),
    });
  } catch (e) {
    if (e instanceof LeaseBusyError) {
      throw new CliError(`${name} is running (${describeHolder(e.holder)}): run again later${waitMs > 0 ? `, or wait longer with --wait SECONDS (waited ${Math.round(e.waitedMs / 1000)} s)` : ''}`, LOCKED_EXIT_CODE);
    }
    throw e;
  }
  try {
    return await body();
  } finally {
    await lease.release().catch(() => undefined);
  }
}
