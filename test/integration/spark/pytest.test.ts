import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireSparkVenv, ROOT, VENV_PYTHON } from './spark-harness';

/**
 * The Spark job's Python tests (jobs/spark/tests: digest port, values, job, labels) in test:all, but for
 * those marked `slow` (the 30-day demo store; equivalence.test.ts compares it through the CLI).
 */
describe('the Spark job: pytest', () => {
  it('passes jobs/spark/tests', () => {
    requireSparkVenv();
    const r = spawnSync(VENV_PYTHON, ['-m', 'pytest', 'jobs/spark/tests', '-q', '-p', 'no:cacheprovider', '-m', 'not slow'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 * 2 ** 20 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.error).toBeUndefined();
    expect(r.status, out.split('\n').slice(-60).join('\n')).toBe(0);
    expect(out).toMatch(/\d+ passed/);
    expect(out).not.toMatch(/\d+ (failed|error)/);
  }, 900_000);
});
