import { afterEach, describe, expect, it, vi } from 'vitest';
import { CachedListingStorage } from '@/lib/dashboard';
import { MemoryStorage } from '@/lib/storage';

describe('CachedListingStorage', () => {
  afterEach(() => vi.useRealTimers());

  it('reuses a listing within the TTL, lists again after it, and forgets listings when it writes', async () => {
    vi.useFakeTimers({ now: 0 });
    const inner = new MemoryStorage();
    const spy = vi.spyOn(inner, 'list');
    const storage = new CachedListingStorage(inner, 5000);
    await inner.write('p/a', '1');
    expect(await storage.list('p/')).toEqual(['p/a']);
    await inner.write('p/b', '2'); // written by another process: seen after the TTL
    expect(await storage.list('p/')).toEqual(['p/a']);
    vi.setSystemTime(5001);
    expect(await storage.list('p/')).toEqual(['p/a', 'p/b']);
    await storage.write('p/c', '3'); // written through this store: seen at once
    expect(await storage.list('p/')).toEqual(['p/a', 'p/b', 'p/c']);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await storage.version('p/c')).toBe(await inner.version('p/c'));
  });
});
