/**
 * A store file that exists but cannot be read as what its key says it is (truncated Parquet,
 * invalid JSON, a schema mismatch). The message names the store key, never a temporary copy,
 * and says what to run; the dashboard answers 503 with it, the CLI prints it.
 */
export class DamagedFileError extends Error {
  override readonly name = 'DamagedFileError';
  /** The key relative to the store root, e.g. `models/m/evaluations/day=2026-11-09.parquet`. */
  readonly key: string;
  /** What is wrong with it, e.g. "not a readable Parquet file". */
  readonly reason: string;

  constructor(key: string, reason: string, storeUrl?: string) {
    super(`${key} is damaged (${reason}): run \`driftwatch doctor --store ${storeUrl ?? '…'}\` to list and repair damaged files`);
    this.key = key;
    this.reason = reason;
  }
}

/** The first line of a reader's message without the paths of temporary copies (`/dev/shm/driftwatch-…/3.parquet`). */
export function withoutTempPaths(message: string): string {
  return message
    .split('\n')[0]
    .replace(/\s*(["'])?\/[^\s"']*driftwatch-[^\s"']*\1?/g, '')
    .trim();
}

/**
 * The reason a parser's error gives, for a DamagedFileError: JSON syntax, the first schema issue,
 * or the first line of the message without temporary paths.
 */
export function damageReason(error: unknown): string {
  if (error instanceof SyntaxError) return `not valid JSON: ${error.message.split('\n')[0]}`;
  const issues = (error as { issues?: { path?: PropertyKey[]; message?: string }[] } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    const where = (issues[0].path ?? []).map(String).join('.');
    return `does not match its schema: ${where ? `${where}: ` : ''}${issues[0].message ?? 'invalid'}`;
  }
  return withoutTempPaths(error instanceof Error ? error.message : String(error));
}

/**
 * A DamagedFileError, also one rebuilt from a worker thread's message (same name, the message
 * already names the key): what the API answers with 503.
 */
export function isDamagedFileError(error: unknown): error is Error {
  return error instanceof DamagedFileError || (error instanceof Error && error.name === 'DamagedFileError');
}
