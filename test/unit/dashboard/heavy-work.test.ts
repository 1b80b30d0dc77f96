import { describe, expect, it } from 'vitest';
import { AdmissionQueue, BusyError, errorResponse, HeavyWork, pathSegments, withOutcome, type ComputeDeps, type TrendTask } from '@/lib/dashboard';
import { parseConfig, ProfileCache, ReferenceCache } from '@/lib/compare';
import { MemoryStorage } from '@/lib/storage';

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

describe('AdmissionQueue', () => {
  it('runs at most `slots` jobs, queues up to `maxQueued`, refuses the next with a 503 and Retry-After', async () => {
    const queue = new AdmissionQueue({ slots: 2, maxQueued: 1 });
    const g = gate();
    let running = 0;
    let most = 0;
    const job = async () => {
      running++;
      most = Math.max(most, running);
      await g.opened;
      running--;
      return 'done';
    };
    const accepted = [queue.run(job), queue.run(job), queue.run(job)];
    expect(queue.active).toBe(2);
    expect(queue.queued).toBe(1);
    const refused = queue.run(job);
    await expect(refused).rejects.toBeInstanceOf(BusyError);
    const error = (await refused.catch((e: unknown) => e)) as BusyError;
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/busy: 2 computations running and 1 waiting/);
    const response = errorResponse(error);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toEqual({ error: error.message, code: 'unavailable' });
    g.open();
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(most).toBe(2);
    expect([queue.active, queue.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a job that fails', async () => {
    const queue = new AdmissionQueue({ slots: 1, maxQueued: 0 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 7)).toBe(7);
  });
});

describe('HeavyWork on the request thread (DRIFTWATCH_WORKERS=0)', () => {
  const storage = new MemoryStorage();
  const deps: ComputeDeps = { storage, config: parseConfig(''), decode: async () => [], references: new ReferenceCache(), profiles: new ProfileCache() };
  const task = (feature: string): TrendTask => ({ model: 'm', feature, reference: 'test', referenceVersion: 'v1', windowMs: 3_600_000, ends: [7_200_000, 10_800_000], available: { weeks: new Set(), days: new Set(), blocks: new Set(), hours: new Set() } });

  it('computes identical concurrent requests once, and says which request computed and which shared', async () => {
    const heavy = new HeavyWork('memory', 0, 10);
    // No reference in the store: every request fails the same way, once.
    const results = await Promise.all(Array.from({ length: 5 }, () => withOutcome(() => heavy.trend(deps, task('a')).catch((e: Error) => e.message))));
    expect(heavy.started.trend).toBe(1);
    expect(results.map((r) => r.outcome).sort()).toEqual(['computed', 'shared', 'shared', 'shared', 'shared']);
    expect(new Set(results.map((r) => r.value)).size).toBe(1);
    // Once finished it is not kept: the next request computes again (results are cached by ResultCache).
    await heavy.trend(deps, task('a')).catch(() => undefined);
    await heavy.trend(deps, task('b')).catch(() => undefined);
    expect(heavy.started.trend).toBe(3);
  });
});

describe('pathSegments', () => {
  it('decodes segments and names a malformed one instead of throwing URIError', () => {
    expect(pathSegments('/api/models/a%2Eb/compare')).toEqual(['api', 'models', 'a.b', 'compare']);
    expect(() => pathSegments('/api/models/%c0%ae%c0%ae%2f/compare')).toThrow('path: "%c0%ae%c0%ae%2f" is not valid percent-encoding (malformed UTF-8 or a stray %)');
    expect(() => pathSegments('/models/100%')).toThrow(/path: "100%" is not valid percent-encoding/);
  });
});
