import type { AcceptOptions, AcceptResult, CollectorMetrics, Intake } from '@/lib/collector/types';

/** A minimal Intake for source tests: buffers bodies; `flush()` "writes" them and calls onDurable. */
export class FakeIntake implements Intake {
  full = false;
  /** When set, accept() rejects with this error (a broken intake). */
  failWith: Error | undefined;
  /** Bodies accepted, in order. */
  readonly accepted: { body: string; source: string }[] = [];
  /** Bodies whose write completed. */
  readonly written: string[] = [];
  private buffered: { body: string; onDurable?: () => void }[] = [];
  private roomWaiters: (() => void)[] = [];
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  readonly metrics: CollectorMetrics = {
    inc: (name, labels, by = 1) => {
      const key = `${name}${labels ? JSON.stringify(labels) : ''}`;
      this.counters.set(key, (this.counters.get(key) ?? 0) + by);
    },
    set: (name, value, labels) => void this.gauges.set(`${name}${labels ? JSON.stringify(labels) : ''}`, value),
    render: () => '',
  };

  async accept(body: Uint8Array, options: AcceptOptions): Promise<AcceptResult> {
    if (this.failWith) throw this.failWith;
    const text = Buffer.from(body).toString('utf8');
    this.accepted.push({ body: text, source: options.source });
    this.buffered.push({ body: text, onDurable: options.onDurable });
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    return { accepted: lines, rejected: 0, reasons: {}, duplicates: 0 };
  }

  async waitForRoom(signal?: AbortSignal): Promise<void> {
    if (!this.full) return;
    await new Promise<void>((resolve) => {
      this.roomWaiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  setFull(full: boolean): void {
    this.full = full;
    if (!full) for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /** Write everything buffered: onDurable for each message. */
  flush(): number {
    const batch = this.buffered.splice(0);
    for (const message of batch) {
      this.written.push(message.body);
      message.onDurable?.();
    }
    return batch.length;
  }

  /** Forget what is buffered (a crash before the write). */
  crash(): void {
    this.buffered = [];
  }

  counter(name: string): number {
    let total = 0;
    for (const [key, value] of this.counters) if (key === name || key.startsWith(`${name}{`)) total += value;
    return total;
  }
}
