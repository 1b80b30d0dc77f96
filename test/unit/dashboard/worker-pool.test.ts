import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, parseConfig } from '@/lib/compare';
import { ApiError, BusyError, errorResponse, WorkerPool } from '@/lib/dashboard';

const ENTRY = join(import.meta.dirname, 'fixtures', 'echo-worker.mjs');
const config = parseConfig('');
let pool: WorkerPool | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('runs tasks on worker threads, one per worker at a time, and refuses past the queue', async () => {
    pool = new WorkerPool(2, 2, ENTRY);
    const run = (value: number) => pool!.run<{ echo: number }>('window', 'memory', config, { value, ms: 100 });
    const accepted = [run(1), run(2), run(3), run(4)];
    expect([pool.queue.active, pool.queue.queued]).toEqual([2, 2]);
    await expect(run(5)).rejects.toBeInstanceOf(BusyError);
    expect((await Promise.all(accepted)).map((r) => r.echo)).toEqual([1, 2, 3, 4]);
    expect(pool.workersStarted).toBe(2);
  });

  it('rebuilds the errors the API maps (404, 400) and fails, then replaces, a worker that dies', async () => {
    pool = new WorkerPool(1, 4, ENTRY);
    await expect(pool.run('trend', 'memory', config, { error: { name: 'NotFoundError', message: 'no model "x"' } })).rejects.toBeInstanceOf(NotFoundError);
    const bad = await pool.run('trend', 'memory', config, { error: { name: 'ApiError', message: 'feature: bad', status: 400 } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(400);
    // Damage and format errors keep the 503 the API gives them on the request thread.
    const damaged = errorResponse(await pool.run('window', 'memory', config, { error: { name: 'DamagedFileError', message: 'models/m/hour.parquet is damaged (truncated)' } }).catch((e: unknown) => e));
    expect([damaged.status, ((await damaged.json()) as { error: string }).error]).toEqual([503, 'models/m/hour.parquet is damaged (truncated)']);
    expect(errorResponse(await pool.run('window', 'memory', config, { error: { name: 'FormatVersionError', message: 'format 9.0 is newer' } }).catch((e: unknown) => e)).status).toBe(503);
    expect(errorResponse(await pool.run('window', 'memory', config, { error: { name: 'SummaryFileError', message: 'x', reason: 'truncated' } }).catch((e: unknown) => e)).status).toBe(503);
    await expect(pool.run('window', 'memory', config, { exit: true })).rejects.toThrow('a dashboard worker exited (code 3)');
    expect(await pool.run('window', 'memory', config, { value: 9 })).toEqual({ echo: 9 });
    expect(pool.workersStarted).toBe(2);
  });
});
