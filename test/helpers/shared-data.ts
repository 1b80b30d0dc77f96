import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');

/** The origin of a clone when it is a local directory (a fresh clone of /work/main for CI). */
function localOrigin(): string | undefined {
  try {
    const url = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: REPO, encoding: 'utf8' }).trim();
    const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
    // `git clone .` records '/work/main/.': normalise before taking the parent.
    return isAbsolute(path) && existsSync(path) ? resolve(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A dataset of `shared/data/` (data other people wrote, for tests): $DRIFTWATCH_SHARED_DATA, else
 * `shared/` beside the repository, else beside the repository a local clone came from. Missing
 * data is an error that lists where it looked, never a skipped test.
 */
export function sharedData(name: string): string {
  const roots = [process.env.DRIFTWATCH_SHARED_DATA, join(dirname(REPO), 'shared', 'data'), ...[localOrigin()].filter((o): o is string => o !== undefined).map((o) => join(dirname(o), 'shared', 'data'))];
  const candidates = roots.filter((r): r is string => r !== undefined).map((r) => join(r, name));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`shared data "${name}" not found; looked in ${candidates.join(', ')} (set DRIFTWATCH_SHARED_DATA to the shared/data folder)`);
  return found;
}
