import { planKeys, planWindow, type AvailableProfiles } from '../compare';
import type { Storage } from '../storage';
import { noteOutcome } from './heavy-work';

/**
 * Tests only: `onGet` sees every lookup, and a computation waits for `gate` before it starts, so a
 * test can make concurrent identical requests meet deterministically (never set in production).
 */
export const resultCacheTestHooks: { onGet?: (id: string) => void; gate?: Promise<void> } = {};

/**
 * Results of window comparisons by their inputs and the versions of every file they read (the
 * window's profiles here; the reference's version comes with `inputs`): a dashboard shows the same windows to many people, and
 * an answer is reused until `profile` or `reference add` replaces one of those files. Concurrent
 * identical requests share one computation. Bounded by entry count, least recently used first.
 */
export class ResultCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  /** Entries whose computation has finished: a hit on one is `cached`, on another `shared`. */
  private readonly settled = new WeakSet<Promise<unknown>>();

  constructor(private readonly maxEntries = 500) {}

  /** `inputs` names everything else the result depends on, reference versions included. */
  async get<T>(storage: Storage, model: string, available: AvailableProfiles, fromMs: number, toMs: number, inputs: string, compute: () => Promise<T>): Promise<T> {
    const plan = planWindow(fromMs, toMs, available);
    const keys = planKeys(model, plan);
    const versions = await Promise.all(keys.map((k) => storage.version(k)));
    const id = `${storage.url}|${model}|${plan.from}|${plan.to}|${inputs}|${keys.map((k, i) => `${k}@${versions[i] ?? '-'}`).join(',')}`;
    resultCacheTestHooks.onGet?.(id);
    const hit = this.entries.get(id);
    if (hit) {
      noteOutcome(this.settled.has(hit) ? 'cached' : 'shared');
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit as Promise<T>;
    }
    const gate = resultCacheTestHooks.gate;
    const result = gate ? gate.then(compute) : compute();
    this.entries.set(id, result);
    result.then(
      () => this.settled.add(result),
      () => this.entries.delete(id),
    );
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return result;
  }
}
