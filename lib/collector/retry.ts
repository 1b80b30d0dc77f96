export interface RetryOptions {
  /** First backoff ceiling (ms); doubles per attempt up to `capMs`. */
  baseMs?: number;
  capMs?: number;
  /** Stop retrying: the last error is rethrown. */
  signal?: AbortSignal;
  /** Called before each wait with the failed attempt (1-based), the error and the wait. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  /** Injectable randomness (tests). */
  random?: () => number;
}

/** Backoff with full jitter: a uniform wait in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Run `fn` until it succeeds; retry forever with backoff until `signal` aborts, then rethrow the last error. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { baseMs = 100, capMs = 10_000, signal, onRetry, random } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) throw error;
      const delayMs = backoffMs(attempt, baseMs, capMs, random);
      onRetry?.(attempt + 1, error, delayMs);
      await sleep(delayMs, signal);
      if (signal?.aborted) throw error;
    }
  }
}
