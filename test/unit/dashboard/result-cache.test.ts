import { describe, expect, it } from 'vitest';
import { availableProfiles } from '@/lib/compare';
import { ResultCache } from '@/lib/dashboard';
import { HOUR_MS, layout } from '@/lib/format';
import { MemoryStorage } from '@/lib/storage';
import { numericSummary } from '@/lib/summary';
import { putHourProfile } from '@/test/helpers/hour-profiles';

describe('ResultCache', () => {
  const t0 = Date.parse('2026-11-09T00:00:00Z');

  it('reuses a result until a file of its window or its reference is replaced', async () => {
    const storage = new MemoryStorage();
    const hour = (h: number, value: number) => putHourProfile(storage, 'm', t0 + h * HOUR_MS, [numericSummary({ model: 'm', feature: 'x', period_start: t0 + h * HOUR_MS, period_end: t0 + (h + 1) * HOUR_MS }, Float64Array.of(value), 0, 0)]);
    for (let h = 0; h < 3; h++) await hour(h, h);
    await storage.write(layout.referenceProfile('m', 'test'), 'ref');
    const cache = new ResultCache();
    let computed = 0;
    const get = async (from = t0, to = t0 + 3 * HOUR_MS, inputs = 'a') => cache.get(storage, 'm', await availableProfiles(storage, 'm'), from, to, `${inputs}|${await storage.version(layout.referenceProfile('m', 'test'))}`, async () => ++computed);
    expect(await get()).toBe(1);
    expect(await get()).toBe(1);
    // Other inputs or another window: computed anew.
    expect(await get(t0, t0 + 3 * HOUR_MS, 'b')).toBe(2);
    expect(await get(t0 + HOUR_MS)).toBe(3);
    // profile rewrote an hour of the window: the first result is stale.
    await hour(1, 100);
    expect(await get()).toBe(4);
    // A new day outside the window changes nothing; a new reference version (part of the inputs) does.
    // (A new hour of the same day rewrites the day's pack, which the window reads: computed anew.)
    await putHourProfile(storage, 'm', t0 + 30 * HOUR_MS, []);
    expect(await get()).toBe(4);
    await storage.write(layout.referenceProfile('m', 'test'), 'ref v2');
    expect(await get()).toBe(5);
  });

  it('shares one computation between concurrent requests and forgets failures', async () => {
    const storage = new MemoryStorage();
    await storage.write(layout.hourlyProfile('m', t0), 'x');
    const cache = new ResultCache();
    let computed = 0;
    const slow = () => cache.get(storage, 'm', { weeks: new Set(), days: new Set(), blocks: new Set(), hours: new Set([t0]) }, t0, t0 + HOUR_MS, 'k', async () => {
      computed++;
      await new Promise((r) => setTimeout(r, 20));
      return computed;
    });
    expect(await Promise.all([slow(), slow(), slow()])).toEqual([1, 1, 1]);
    let fail = true;
    const flaky = () => cache.get(storage, 'm', { weeks: new Set(), days: new Set(), blocks: new Set(), hours: new Set([t0]) }, t0, t0 + HOUR_MS, 'f', async () => {
      if (fail) throw new Error('boom');
      return 'ok';
    });
    await expect(flaky()).rejects.toThrow('boom');
    fail = false;
    expect(await flaky()).toBe('ok');
  });
});
