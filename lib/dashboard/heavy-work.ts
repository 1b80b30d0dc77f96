import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { availableParallelism } from 'node:os';
import type { AvailableProfiles } from '../compare';
import { computeTrend, computeWindow, type ComputeDeps, type TrendAnswer, type TrendTask, type WindowAnswer, type WindowTask } from './compute';
import { AdmissionQueue, queueLimit, WorkerPool, workerCount, type TaskKind } from './worker-pool';

/**
 * How a request got its heavy result, for the `x-driftwatch-computed` header: `computed` (this
 * request ran it), `shared` (it awaited an identical computation already running), `cached` (a
 * finished answer from memory, or nothing heavy was needed).
 */
export type Outcome = 'computed' | 'shared' | 'cached';
const RANK: Record<Outcome, number> = { cached: 0, shared: 1, computed: 2 };

const requestOutcome = new AsyncLocalStorage<{ outcome: Outcome }>();

/** Record how this request got (part of) its answer; the costliest way wins. */
export function noteOutcome(outcome: Outcome): void {
  const store = requestOutcome.getStore();
  if (store && RANK[outcome] > RANK[store.outcome]) store.outcome = outcome;
}

/** Run a request's work, then report how it got its answer (see Outcome). */
export async function withOutcome<T>(work: () => Promise<T>): Promise<{ value: T; outcome: Outcome }> {
  const store = { outcome: 'cached' as Outcome };
  const value = await requestOutcome.run(store, work);
  return { value, outcome: store.outcome };
}

/** A listing in a key: two requests that saw different profiles are not the same computation. */
const listed = (a: AvailableProfiles) => `${a.hours.size}/${a.blocks.size}/${a.days.size}/${a.weeks.size}`;

/**
 * The dashboard's heavy computations (a window of every feature; a trend recomputed from
 * summaries): identical ones in flight are computed once and awaited by every request that asks,
 * and new ones go through a bounded queue to worker threads (or, with DRIFTWATCH_WORKERS=0, run
 * on the request thread, still bounded).
 */
export class HeavyWork {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  readonly pool: WorkerPool | undefined;
  readonly local: AdmissionQueue;
  /** Computations started (not shared), by kind: what the load test counts. */
  readonly started: Record<TaskKind, number> = { window: 0, trend: 0 };

  constructor(
    private readonly location: string,
    workers = workerCount(),
    maxQueued = queueLimit(),
  ) {
    if (workers > 0) this.pool = new WorkerPool(workers, maxQueued);
    // Without workers, and while the pool's workers still load their modules (~0.5 s after a
    // start), computations run here: the first look after a start does not wait for a worker.
    this.local = new AdmissionQueue({ slots: Math.max(1, workers > 0 ? 1 : availableParallelism()), maxQueued });
  }

  window(deps: ComputeDeps, task: WindowTask): Promise<WindowAnswer> {
    const key = `window|${task.model}|${task.fromMs}|${task.toMs}|${task.reference}@${task.referenceVersion}|${task.metric ?? ''}|${listed(task.available)}`;
    return this.share(key, deps, 'window', task, () => computeWindow(deps, task));
  }

  trend(deps: ComputeDeps, task: TrendTask): Promise<TrendAnswer> {
    const { ends } = task;
    const key = `trend|${task.model}|${task.feature}|${task.windowMs}|${ends[0]}|${ends.length}|${ends[1] - ends[0]}|${task.reference}@${task.referenceVersion}|${task.metric ?? ''}|${listed(task.available)}`;
    return this.share(key, deps, 'trend', task, () => computeTrend(deps, task));
  }

  private share<T>(key: string, deps: ComputeDeps, kind: TaskKind, task: WindowTask | TrendTask, here: () => Promise<T>): Promise<T> {
    const id = `${deps.storage.url}|${JSON.stringify(deps.config)}|${key}`;
    const running = this.inFlight.get(id);
    if (running) {
      noteOutcome('shared');
      return running as Promise<T>;
    }
    noteOutcome('computed');
    this.started[kind]++;
    const result = this.pool && this.pool.readyCount > 0 ? this.pool.run<T>(kind, this.location, deps.config, task) : (this.local as AdmissionQueue).run(here);
    this.inFlight.set(id, result);
    const done = () => {
      this.inFlight.delete(id);
      this.pool?.start();
    };
    result.then(done, done);
    return result;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
