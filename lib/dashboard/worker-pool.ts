import 'server-only';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError, NotFoundError, type Config } from '../compare';
import { EvaluationFileError, SummaryFileError } from '../duckdb';
import { ApiError } from './params';

/** The heavy-work queue is full: a 503 whose Retry-After says when to come back. */
export class BusyError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(503, message);
  }
}

export interface QueueLimits {
  /** Computations running at once (one per worker thread, or per core on the request thread). */
  slots: number;
  /** Computations allowed to wait for a slot; one more is refused with BusyError. */
  maxQueued: number;
}

/**
 * A bounded admission queue: at most `slots` jobs run, at most `maxQueued` wait, the rest are
 * refused at once (a 503 with Retry-After) instead of piling up behind the others.
 */
export class AdmissionQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Moving average of a job's duration, for Retry-After. */
  private averageMs = 200;

  constructor(readonly limits: QueueLimits) {}

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.slots) {
      if (this.waiting.length >= this.limits.maxQueued) {
        throw new BusyError(`the dashboard is busy: ${this.running} computations running and ${this.waiting.length} waiting (the most allowed); retry shortly`, this.retryAfterS());
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - t0);
      const next = this.waiting.shift();
      // The slot passes straight to the next job in line: `running` stays the same.
      if (next) next();
      else this.running--;
    }
  }

  /** Seconds until the queue has likely drained, at least 1. */
  retryAfterS(): number {
    return Math.min(60, Math.max(1, Math.ceil((((this.waiting.length + this.running) / this.limits.slots) * this.averageMs) / 1000)));
  }
}

export type TaskKind = 'window' | 'trend';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface TaskError {
  name: string;
  message: string;
  status?: number;
  reason?: string;
}

/** An error thrown in a worker, rebuilt as the class the API maps to a status (404, 400, 503). */
function rebuild(e: TaskError): Error {
  if (e.name === 'NotFoundError') return new NotFoundError(e.message);
  if (e.name === 'ConfigError') return new ConfigError(e.message);
  if (e.name === 'ApiError' && (e.status === 400 || e.status === 404 || e.status === 413 || e.status === 503)) return new ApiError(e.status, e.message);
  if (e.name === 'FormatVersionError') return new ApiError(503, e.message);
  if (e.name === 'SummaryFileError') return new SummaryFileError(e.reason ?? e.message);
  if (e.name === 'EvaluationFileError') return new EvaluationFileError(e.reason ?? e.message);
  // DamagedFileError keeps its name and message: errorResponse knows it by name (a 503 naming the key).
  return Object.assign(new Error(e.message), { name: e.name });
}

/** The worker script: plain JavaScript outside Next's bundle, which loads lib/dashboard/worker/tasks.ts. */
export function workerEntry(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIFTWATCH_WORKER_ENTRY ?? join(process.cwd(), 'lib', 'dashboard', 'worker', 'compute-worker.mjs');
}

/**
 * Worker threads that run heavy computations (lib/dashboard/compute.ts), one at a time each, fed
 * by an AdmissionQueue. Each worker keeps its own decoded-profile and reference caches. A worker
 * that dies fails its task (500) and is replaced on the next task.
 */
export class WorkerPool {
  readonly queue: AdmissionQueue;
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly owner = new Map<number, Worker>();
  private started = 0;
  private nextId = 1;
  private readonly ready = new WeakSet<Worker>();
  /** Workers that have loaded their modules and answer tasks. */
  readyCount = 0;

  constructor(
    private readonly size: number,
    maxQueued: number,
    private readonly entry = workerEntry(),
  ) {
    this.queue = new AdmissionQueue({ slots: size, maxQueued });
  }

  /**
   * Start the workers (once). HeavyWork does it after the server's first computation, which runs on
   * the request thread: workers loading their modules (DuckDB among them) would compete with it
   * for the cores, and the first look after a start would wait for them.
   */
  start(): void {
    if (this.started > 0) return;
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
  }

  run<T>(kind: TaskKind, location: string, config: Config, task: unknown): Promise<T> {
    return this.queue.run(async () => {
      const worker = this.idle.pop() ?? this.spawn();
      const id = this.nextId++;
      try {
        return await new Promise<T>((resolve, reject) => {
          this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
          this.owner.set(id, worker);
          worker.postMessage({ id, kind, location, config, task });
        });
      } finally {
        this.pending.delete(id);
        this.owner.delete(id);
        if (worker.threadId !== -1 && !this.dead.has(worker)) this.idle.push(worker);
      }
    });
  }

  private readonly dead = new WeakSet<Worker>();

  private spawn(): Worker {
    this.started++;
    // Heavy work must not keep a server (or a test) alive on its own.
    const worker = new Worker(this.entry, { env: process.env });
    worker.unref();
    worker.on('message', (m: { id: number; value?: unknown; error?: TaskError; ready?: true }) => {
      if (m.ready) {
        if (!this.ready.has(worker)) {
          this.ready.add(worker);
          this.readyCount++;
        }
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.error) p.reject(rebuild(m.error));
      else p.resolve(m.value);
    });
    const fail = (error: Error) => {
      if (this.ready.has(worker) && !this.dead.has(worker)) this.readyCount--;
      this.dead.add(worker);
      for (const [id, w] of this.owner) if (w === worker) this.pending.get(id)?.reject(error);
    };
    worker.on('error', (e) => fail(new Error(`a dashboard worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`a dashboard worker exited (code ${code})`)));
    return worker;
  }

  /** Workers started so far (replacements included). */
  get workersStarted(): number {
    return this.started;
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }
}

/** Worker threads for heavy work: DRIFTWATCH_WORKERS, default one per core; 0 computes on the request thread. */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DRIFTWATCH_WORKERS ?? availableParallelism());
  return Number.isInteger(n) && n >= 0 ? n : availableParallelism();
}

/** Heavy computations allowed to wait: DRIFTWATCH_QUEUE, default 64. */
export function queueLimit(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DRIFTWATCH_QUEUE ?? 64);
  return Number.isInteger(n) && n >= 0 ? n : 64;
}
