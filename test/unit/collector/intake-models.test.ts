import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIntake, type CollectorIntake } from '@/lib/collector/intake';
import { Spool } from '@/lib/collector/spool';
import { BackpressureError } from '@/lib/collector/types';
import { updateModelMeta, writeModelMeta } from '@/lib/profile/model-store';
import { body, event, FlakyStorage, rawBatches, storeWithModels } from './helpers';

/** A store whose `list` fails while `listFailures` > 0. */
class ListFailing extends FlakyStorage {
  listFailures = 0;
  lists = 0;
  override list(prefix: string) {
    this.lists++;
    if (this.listFailures > 0) {
      this.listFailures--;
      return Promise.reject(new Error('injected list failure'));
    }
    return super.list(prefix);
  }
}

let intake: CollectorIntake | undefined;
const dirs: string[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await intake?.close({ timeoutMs: 1_000 }).catch(() => undefined);
  intake = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('the known-model set (C1)', () => {
  it('start() retries a failing model listing and takes nothing (503 starting) until one succeeded; the spool replay then lands in the raw area', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dw-intake-models-'));
    dirs.push(dir);
    // A previous run left an acknowledged event in the spool.
    const spool = await Spool.open({ dir });
    await spool.append(body(event('spooled')));
    await spool.close();

    const storage = new ListFailing(await storeWithModels('m'));
    storage.listFailures = 3;
    intake = createIntake({ storage, spoolDir: dir, retry: { baseMs: 1, capMs: 2 } });
    const starting = intake.start();
    await expect(intake.accept(body(event('early')), { source: 'test', durability: 'queue' })).rejects.toBeInstanceOf(BackpressureError);
    await starting;
    expect(storage.lists).toBeGreaterThanOrEqual(4);
    await intake.flush();
    expect([...(await rawBatches(storage)).values()].flat().map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['spooled']);
    expect(await storage.list('collector/quarantine/')).toEqual([]);
  });

  it('close() during a start that keeps failing makes start() give up', async () => {
    const storage = new ListFailing(await storeWithModels('m'));
    storage.listFailures = Number.POSITIVE_INFINITY;
    intake = createIntake({ storage, retry: { baseMs: 1, capMs: 2 } });
    const starting = intake.start();
    await vi.waitFor(() => expect(storage.lists).toBeGreaterThan(1));
    await intake.close();
    await expect(starting).rejects.toThrow(/injected list failure/);
  });

  it('a refresh that fails later keeps the previous set', async () => {
    const storage = new ListFailing(await storeWithModels('m'));
    intake = createIntake({ storage, modelsRefreshMs: 5, modelsOnDemandMs: 0 });
    await intake.start();
    storage.listFailures = Number.POSITIVE_INFINITY;
    const before = storage.lists;
    await vi.waitFor(() => expect(storage.lists).toBeGreaterThan(before + 2));
    expect(await intake.accept(body(event('a')), { source: 'test', durability: 'queue' })).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it('an event naming a model created after the last listing is not quarantined: the models are listed again first (rate-limited)', async () => {
    const storage = new ListFailing(await storeWithModels('m'));
    let clock = 1_000_000;
    intake = createIntake({ storage, modelsRefreshMs: 3_600_000, now: () => clock });
    await intake.start();
    await writeModelMeta(storage, updateModelMeta(undefined, 'late', {}).meta);
    clock += 1_500;
    const lists = storage.lists;
    expect(await intake.accept(body(event('a'), event('b', { model: 'late' })), { source: 'test', durability: 'queue' })).toMatchObject({ accepted: 2, rejected: 0 });
    expect(storage.lists).toBe(lists + 1);
    // A truly unknown model within the next second: no new listing (rate limit), quarantined.
    expect(await intake.accept(body(event('c', { model: 'nope' })), { source: 'test', durability: 'queue' })).toMatchObject({ rejected: 1, reasons: { unknown_model: 1 } });
    expect(storage.lists).toBe(lists + 1);
    await intake.flush();
    expect([...(await rawBatches(storage, 'late')).values()].flat()).toHaveLength(1);
  });
});

describe('on-demand listing while the store fails (C1)', () => {
  it('is rate-limited on failed attempts too: a flood of unknown-model events lists at most once per interval', async () => {
    const storage = new ListFailing(await storeWithModels('m'));
    let clock = 1_000_000;
    intake = createIntake({ storage, modelsRefreshMs: 3_600_000, now: () => clock });
    await intake.start();
    clock += 1_500;
    storage.listFailures = Number.POSITIVE_INFINITY;
    const lists = storage.lists;
    for (let i = 0; i < 20; i++) await intake.accept(body(event(`u${i}`, { model: 'nope' })), { source: 'test', durability: 'queue' });
    expect(storage.lists).toBe(lists + 1);
    // The previous set is kept: a known model still lands.
    expect(await intake.accept(body(event('k')), { source: 'test', durability: 'queue' })).toMatchObject({ accepted: 1 });
  });
});
