import { FaultInjector } from './fault-injection';
import { BackpressureError, type Intake } from './types';

export interface QueueConsumerOptions {
  /** Source name (`redis`, `sqs`) for the intake and messages. */
  source: string;
  /** Acks of durable messages are coalesced over this window (ms). */
  ackIntervalMs: number;
  /**
   * Acknowledge these ids (XACK / DeleteMessageBatch); answers the ids to try again. Ids not
   * answered are no longer held (acked, or given up on: they are redelivered and deduplicated).
   */
  ack(ids: string[]): Promise<string[]>;
  /** Release the queue's connections (called once, by close()). */
  release(): void;
  /** For the fault log line: `the ack of 3 redis entries`. */
  describeAck(count: number): string;
  log: (line: string) => void;
}

/** After stop(), acks of messages the intake still writes are sent for at most this long. */
const STOP_ACK_GRACE_MS = 60_000;
/** An ack that failed is tried again after this long. */
const ACK_RETRY_MS = 500;
/** close(): how long the acks already due may take before the connections are released anyway. */
const CLOSE_FLUSH_MS = 2_000;

/**
 * What the queue sources (Redis Streams, SQS) share: the messages held (accepted, not yet acked),
 * accepting one with backpressure (wait for room, retry), coalescing the acks of durable messages,
 * and stopping (in-flight accepts finish; held messages are acked if written within a grace period)
 * and closing (connections released).
 */
export class QueueConsumer<H> {
  /** Accepted and not yet acked, by message id: never accepted twice while held. */
  readonly held = new Map<string, H>();
  readonly abort = new AbortController();
  readonly fault = new FaultInjector();
  intake: Intake | undefined;
  private stopping_ = false;
  private closed_ = false;
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private acks: string[] = [];
  private ackTimer: NodeJS.Timeout | undefined;
  private ackRunning: Promise<void> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: QueueConsumerOptions) {}

  get stopping(): boolean {
    return this.stopping_;
  }

  get closed(): boolean {
    return this.closed_;
  }

  /**
   * Hold the message and hand its body to the intake; while the intake is full, wait for room and
   * try again. When not taken (stopping, or an error) it is no longer held: the queue delivers it again.
   */
  async accept(id: string, held: H, body: Uint8Array): Promise<void> {
    const intake = this.intake;
    if (!intake) return;
    this.held.set(id, held);
    for (;;) {
      const accepting = intake.accept(body, { source: this.options.source, durability: 'queue', onDurable: () => this.durable(id) });
      this.inFlight.add(accepting);
      try {
        await accepting;
        return;
      } catch (error) {
        if (!(error instanceof BackpressureError) || this.stopping_) {
          this.held.delete(id);
          if (error instanceof BackpressureError) return;
          throw error;
        }
        await intake.waitForRoom(this.abort.signal).catch(() => undefined);
      } finally {
        this.inFlight.delete(accepting);
      }
    }
  }

  /** Resolves once the intake has room (or on stop). */
  async roomFor(): Promise<void> {
    while (this.intake?.full && !this.stopping_) await this.intake.waitForRoom(this.abort.signal).catch(() => undefined);
  }

  /** Back off `ms` (interrupted by stop). */
  sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  private durable(id: string): void {
    this.fault.onDurable();
    this.acks.push(id);
    this.scheduleAcks(this.options.ackIntervalMs);
  }

  private scheduleAcks(delayMs: number): void {
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      this.ackRunning = this.flushAcks().finally(() => (this.ackRunning = undefined));
    }, delayMs);
  }

  private async flushAcks(): Promise<void> {
    if (this.ackRunning) await this.ackRunning;
    const ids = this.acks;
    this.acks = [];
    if (ids.length === 0 || this.closed_) return;
    if (this.fault.dropAck()) {
      this.options.log(`driftwatch collector: fault ack-fail-once: dropping ${this.options.describeAck(ids.length)}`);
      for (const id of ids) this.held.delete(id);
    } else {
      const retry = await this.options.ack(ids);
      const again = new Set(retry);
      for (const id of ids) if (!again.has(id)) this.held.delete(id);
      if (retry.length > 0) {
        // Durable but not acked yet: keep them held and try again (a lost ack only means a redelivery).
        if (this.closing) return;
        this.acks.push(...retry);
        this.scheduleAcks(ACK_RETRY_MS);
        return;
      }
    }
    if (this.stopping_ && this.held.size === 0 && this.acks.length === 0) this.release();
  }

  /** Stop accepting: in-flight accepts finish; held messages are acked if written within the grace period, then the connections are released. */
  async stop(loops: Promise<unknown>[]): Promise<void> {
    this.beginStop();
    await Promise.allSettled(loops);
    await Promise.allSettled([...this.inFlight]);
    if (this.held.size === 0 && this.acks.length === 0) this.release();
    else {
      this.graceTimer = setTimeout(() => this.release(), STOP_ACK_GRACE_MS);
      this.graceTimer.unref();
    }
  }

  /** Marks the consumer as stopping and interrupts waits (room, back-off). */
  beginStop(): void {
    this.stopping_ = true;
    this.abort.abort();
  }

  /**
   * Release the connections now: the acks already due are sent (one attempt, briefly), messages
   * still held and not written are not waited for (they stay unacked and are delivered again).
   */
  async close(): Promise<void> {
    if (this.closed_) return;
    this.beginStop();
    this.closing = true;
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const flush = (async () => {
      if (this.ackRunning) await this.ackRunning;
      if (this.acks.length > 0) await this.flushAcks();
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([flush.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)))]);
    clearTimeout(timer);
    this.release();
  }

  /** Release the connections (once); nothing is acked after this. */
  release(): void {
    if (this.closed_) return;
    this.closed_ = true;
    clearTimeout(this.graceTimer);
    clearTimeout(this.ackTimer);
    this.options.release();
  }
}
