/**
 * A fixed-capacity FIFO of logged events and the time each was logged. `push` is O(1) and refuses
 * (returns false) when full, so the caller drops the newest; nothing here allocates after construction.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1; got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time (ms since the epoch) the oldest queued item was pushed; undefined when empty. */
  get oldestMs(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.head];
  }

  push(item: T, nowMs: number): boolean {
    if (this.count === this.capacity) return false;
    const at = (this.head + this.count) % this.capacity;
    this.items[at] = item;
    this.times[at] = nowMs;
    this.count++;
    return true;
  }

  /** Removes up to `n` of the oldest items and hands each to `take` in order. */
  shift(n: number, take: (item: T, ms: number) => void): number {
    const k = Math.min(n, this.count);
    for (let i = 0; i < k; i++) {
      const item = this.items[this.head] as T;
      const ms = this.times[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      take(item, ms);
    }
    return k;
  }
}
