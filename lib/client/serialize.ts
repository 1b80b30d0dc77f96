/**
 * Non-finite numbers become the strings "NaN"/"Infinity"/"-Infinity" (JSON has no token for them
 * and JSON.stringify would write null, a missing value): the profiler counts them as non-finite, as
 * it does the bare NaN Python's json.dumps writes. BigInts become numbers.
 */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * One event as one NDJSON line (no trailing newline); `ts` set from `loggedMs` when absent.
 * Undefined when it cannot be serialised (cycles, throwing getters, a toJSON that is not an object).
 */
export function serializeEvent(event: unknown, loggedMs: number): string | undefined {
  try {
    const e = event as Record<string, unknown>;
    const value = e.ts === undefined || e.ts === null || e.ts === '' ? { ...e, ts: new Date(loggedMs).toISOString() } : e;
    const line = JSON.stringify(value, replacer);
    return typeof line === 'string' && line.charCodeAt(0) === 123 /* { */ ? line : undefined;
  } catch {
    return undefined;
  }
}
