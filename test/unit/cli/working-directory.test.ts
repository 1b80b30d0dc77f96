import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

/** Relative paths are the user's: they resolve from where the command was run, however it was run. */
describe('the CLI from another directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-cwd-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the bin resolves --store from the caller’s directory', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin', 'driftwatch.mjs'), 'init', '--store', './from-bin'], { cwd: dir });
    expect(existsSync(join(dir, 'from-bin', 'driftwatch.json'))).toBe(true);
    expect(existsSync(join(ROOT, 'from-bin'))).toBe(false);
    expect(stdout).toMatch(/from-bin/);
  });

  it('`npm run driftwatch` (which runs in the package root) resolves it from the caller’s directory too', async () => {
    await run('npm', ['run', '--silent', '--prefix', ROOT, 'driftwatch', '--', 'init', '--store', './from-npm'], { cwd: dir });
    expect(existsSync(join(dir, 'from-npm', 'driftwatch.json'))).toBe(true);
    expect(existsSync(join(ROOT, 'from-npm'))).toBe(false);
  });
});
