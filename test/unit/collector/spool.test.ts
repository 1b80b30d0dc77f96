import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIntake } from '@/lib/collector/intake';
import { Spool, SpoolLockedError } from '@/lib/collector/spool';
import { BackpressureError } from '@/lib/collector/types';
import { body, event, FlakyStorage, rawBatches, storeWithModels } from './helpers';

let dir: string;
const open: Spool[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-spool-'));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function spool(options: { maxBytes?: number; segmentBytes?: number } = {}): Promise<Spool> {
  const s = await Spool.open({ dir, ...options });
  open.push(s);
  return s;
}

async function recovered(s: Spool): Promise<string[]> {
  const out: string[] = [];
  for await (const { body: b, record } of s.recover()) {
    out.push(b.toString('utf8'));
    s.release(record);
  }
  return out;
}

const segments = async (): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.spool')).sort();

/** Close without releasing: what a crash leaves (the lock is removed so the test can reopen in this process). */
async function crash(s: Spool): Promise<void> {
  open.splice(open.indexOf(s), 1);
  await s.close();
}

describe('spool', () => {
  it('recovers every appended record after reopening, in order', async () => {
    const s = await spool();
    const bodies = Array.from({ length: 50 }, (_, i) => `message ${i} ${'x'.repeat(i * 13)}`);
    for (const b of bodies) await s.append(Buffer.from(b));
    await crash(s);
    const again = await spool();
    expect(await recovered(again)).toEqual(bodies);
  });

  it('skips a torn tail (the last record cut short) and keeps the earlier records', async () => {
    const s = await spool();
    for (const b of ['one', 'two', 'three']) await s.append(Buffer.from(b));
    await crash(s);
    const [name] = await segments();
    const { size } = await stat(join(dir, name));
    await truncate(join(dir, name), size - 2);
    expect(await recovered(await spool())).toEqual(['one', 'two']);
  });

  it('stops at a record whose crc does not match (a flipped byte)', async () => {
    const s = await spool();
    for (const b of ['alpha', 'bravo', 'charlie']) await s.append(Buffer.from(b));
    await crash(s);
    const [name] = await segments();
    const bytes = await readFile(join(dir, name));
    bytes[bytes.length - 3] ^= 0x01; // inside "charlie"
    await writeFile(join(dir, name), bytes);
    expect(await recovered(await spool())).toEqual(['alpha', 'bravo']);
  });

  it('seals segments at segmentBytes and deletes each once every record in it is released', async () => {
    const s = await spool({ segmentBytes: 100 });
    const records = [];
    for (let i = 0; i < 10; i++) records.push(await s.append(Buffer.alloc(40, i)));
    // 48 bytes a record: two per 100-byte segment.
    expect(await segments()).toHaveLength(5);
    expect(s.bytes).toBe(480);
    s.release(records[0]);
    await vi.waitFor(async () => expect(await segments()).toHaveLength(5));
    s.release(records[1]);
    await vi.waitFor(async () => expect(await segments()).toHaveLength(4));
    for (const r of records.slice(2)) s.release(r);
    // The active (last) segment stays until it is sealed or the spool closes.
    await vi.waitFor(async () => expect(await segments()).toHaveLength(1));
    open.splice(open.indexOf(s), 1);
    await s.close();
    expect(await segments()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('recovered records are released like any others: their segments go once written', async () => {
    const s = await spool({ segmentBytes: 100 });
    for (let i = 0; i < 6; i++) await s.append(Buffer.alloc(40, i));
    await crash(s);
    expect(await segments()).toHaveLength(3);
    const again = await spool({ segmentBytes: 100 });
    expect(await recovered(again)).toHaveLength(6);
    await vi.waitFor(async () => expect(await segments()).toEqual([]));
    expect(again.bytes).toBe(0);
  });

  it('refuses an append that would pass maxBytes with BackpressureError (retry after 5 s)', async () => {
    const s = await spool({ maxBytes: 1_000 });
    for (let i = 0; i < 9; i++) await s.append(Buffer.alloc(100));
    const error = await s.append(Buffer.alloc(100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as BackpressureError).retryAfterSeconds).toBe(5);
    expect(s.bytes).toBe(9 * 108);
  });

  it('group commit: 100 concurrent appends share far fewer than 100 fdatasyncs', async () => {
    const s = await spool();
    const records = await Promise.all(Array.from({ length: 100 }, (_, i) => s.append(Buffer.from(`m${i}`))));
    expect(records).toHaveLength(100);
    expect(s.appends).toBe(100);
    expect(s.syncs).toBeGreaterThanOrEqual(1);
    expect(s.syncs).toBeLessThanOrEqual(5);
    await crash(s);
    expect(await recovered(await spool())).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
  });

  it('is locked: a second spool on the same directory is refused; the lock of a dead holder is taken over', async () => {
    await spool();
    await expect(Spool.open({ dir })).rejects.toThrow(SpoolLockedError);
    for (const s of open.splice(0)) await s.close();
    // A pid that cannot be alive (above pid_max).
    await writeFile(join(dir, 'spool.lock'), '4194305\n');
    const taken = await spool();
    expect((await readFile(join(dir, 'spool.lock'), 'utf8')).trim()).toBe(String(process.pid));
    expect(taken.bytes).toBe(0);
  });

  it('of several opens racing over one stale lock, exactly one gets the spool (many racers, many rounds)', async () => {
    for (let round = 0; round < 60; round++) {
      await writeFile(join(dir, 'spool.lock'), `${4194305 + round}\n`);
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => Spool.open({ dir })));
      const won = results.filter((r): r is PromiseFulfilledResult<Spool> => r.status === 'fulfilled').map((r) => r.value);
      open.push(...won);
      expect(won, `round ${round}`).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof SpoolLockedError)).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['spool.lock']);
      expect((await readFile(join(dir, 'spool.lock'), 'utf8')).trim()).toBe(String(process.pid));
      await won[0].close();
      open.splice(open.indexOf(won[0]), 1);
      expect(await readdir(dir)).toEqual([]);
    }
  }, 60_000);
});

describe('intake with a spool', () => {
  it('spooled messages survive a store outage and a restart, then are written and the spool emptied', async () => {
    const inner = await storeWithModels('m');
    const storage = new FlakyStorage(inner);
    storage.failures = Number.POSITIVE_INFINITY;
    const first = createIntake({ storage, spoolDir: dir, retry: { baseMs: 1, capMs: 5 } });
    await first.start();
    const durable = vi.fn();
    for (let i = 0; i < 10; i++) {
      expect(await first.accept(body(event(`a${i}`), event(`b${i}`), 'junk'), { source: 'http', durability: 'spool', onDurable: durable })).toMatchObject({ accepted: 2, rejected: 1 });
    }
    expect(first.spool!.appends).toBe(10);
    await expect(first.close({ timeoutMs: 50 })).rejects.toThrow(/still not written.*in the spool/);
    expect(durable).not.toHaveBeenCalled();
    expect((await segments()).length).toBeGreaterThan(0);

    storage.failures = 0;
    const second = createIntake({ storage, spoolDir: dir, retry: { baseMs: 1, capMs: 5 } });
    await second.start();
    await second.flush();
    const ids = [...(await rawBatches(inner)).values()].flat().map((l) => (JSON.parse(l) as { id: string }).id).sort();
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => [`a${i}`, `b${i}`]).flat().sort());
    expect((await inner.list('collector/quarantine/')).length).toBe(1);
    // The replayed segment is gone as soon as all it held is written, before close.
    await vi.waitFor(() => expect(second.spool!.segmentCount).toBe(0));
    await second.close();
    expect(await segments()).toEqual([]);
  });

  it('refuses a message when the spool is full, taking nothing', async () => {
    const storage = await storeWithModels('m');
    const intake = createIntake({ storage, spoolDir: dir, spoolMaxBytes: 200 << 10 });
    await intake.start();
    const big = body(...Array.from({ length: 1_200 }, (_, i) => event(`e${i}`)));
    expect(big.length).toBeGreaterThan(100 << 10);
    await intake.accept(big, { source: 'http', durability: 'spool' });
    const error = await intake.accept(big, { source: 'http', durability: 'spool' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect(intake.metrics.render()).toMatch(/driftwatch_collector_backpressure_total 1\n/);
    await intake.close();
  });
});
