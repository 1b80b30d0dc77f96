import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@/lib/storage';
import { describeStorageConformance } from './storage-conformance';

describeStorageConformance('MemoryStorage', async () => ({ storage: new MemoryStorage() }), { raceFreeWriteIfAbsent: true });

describe('MemoryStorage', () => {
  it('names itself memory://<name>, and separate instances share nothing', async () => {
    const a = new MemoryStorage('a');
    const b = new MemoryStorage('b');
    expect(a.url).toBe('memory://a');
    await a.write('k', 'x');
    expect(await b.exists('k')).toBe(false);
    expect(new MemoryStorage().url).not.toBe(new MemoryStorage().url);
  });
});
