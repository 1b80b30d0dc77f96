import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIntake, type CollectorIntake } from '@/lib/collector/intake';
import { MetricsRegistry } from '@/lib/collector/metrics';
import { decodeIds } from '@/lib/profile/id-index';
import { body, deferred, event, FlakyStorage, rawBatches, storeWithModels, T0 } from './helpers';

let intake: CollectorIntake | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await intake?.close({ timeoutMs: 1_000 }).catch(() => undefined);
  intake = undefined;
});

describe('intake: validate, buffer, write, acknowledge', () => {
  it('writes a raw batch and its ids file, then calls onDurable once', async () => {
    const storage = await storeWithModels('m');
    intake = createIntake({ storage, limits: { maxEvents: 3 } });
    await intake.start();
    const durable = vi.fn();
    const result = await intake.accept(body(event('a'), event('b'), event('c')), { source: 'test', durability: 'queue', onDurable: durable });
    expect(result).toEqual({ accepted: 3, rejected: 0, reasons: {}, duplicates: 0 });
    await intake.flush();
    expect(durable).toHaveBeenCalledTimes(1);
    const batches = await rawBatches(storage);
    expect([...batches.keys()]).toHaveLength(1);
    const [key, lines] = [...batches][0];
    expect(key).toMatch(/^models\/m\/raw\/predictions\/day=2026-11-29\/c-[0-9a-f]{12}-[0-9a-f]{12}-3\.ndjson\.gz$/);
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c']);
    const idsKey = key.replace('/raw/predictions/', '/ids/').replace('.ndjson.gz', '.ids.gz');
    expect(decodeIds((await storage.read(idsKey))!)).toEqual(['a', 'b', 'c']);
  });
});
