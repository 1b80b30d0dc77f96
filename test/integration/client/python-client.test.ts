import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PYTHON = resolve('.cache/pyclient/venv/bin/python');

/** clients/python's pytest suite, run from the venv scripts/python/setup-test-venv.sh makes (CI runs it first). */
describe('Python client (clients/python)', () => {
  it('passes its pytest suite against stdlib servers speaking the collector contract', () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: run scripts/python/setup-test-venv.sh`).toBe(true);
    const r = spawnSync(PYTHON, ['-m', 'pytest', 'clients/python', '-q', '-p', 'no:cacheprovider'], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const summary = /(\d+) passed/.exec(r.stdout);
    expect(Number(summary?.[1] ?? 0)).toBeGreaterThanOrEqual(15);
    expect(r.stdout).not.toMatch(/failed|error/i);
  });
});
