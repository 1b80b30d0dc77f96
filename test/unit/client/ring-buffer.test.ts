import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RingBuffer } from '@/lib/client/ring-buffer';

describe('RingBuffer', () => {
  it('refuses the newest when full and keeps FIFO order across the wrap', () => {
    const q = new RingBuffer<number>(3);
    expect([q.push(1, 10), q.push(2, 20), q.push(3, 30), q.push(4, 40)]).toEqual([true, true, true, false]);
    expect(q.size).toBe(3);
    const out: [number, number][] = [];
    expect(q.shift(2, (v, ms) => out.push([v, ms]))).toBe(2);
    expect(q.oldestMs).toBe(30);
    expect([q.push(5, 50), q.push(6, 60), q.push(7, 70)]).toEqual([true, true, false]);
    q.shift(10, (v, ms) => out.push([v, ms]));
    expect(out).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [5, 50],
      [6, 60],
    ]);
    expect(q.size).toBe(0);
    expect(q.oldestMs).toBeUndefined();
  });

  it('never holds more than its capacity and behaves like a bounded array queue', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(-1)), { maxLength: 200 }), (capacity, ops) => {
        const q = new RingBuffer<number>(capacity);
        const model: number[] = [];
        for (const op of ops) {
          if (op >= 0) {
            const accepted = q.push(op, op);
            expect(accepted).toBe(model.length < capacity);
            if (accepted) model.push(op);
          } else {
            const got: number[] = [];
            q.shift(3, (v) => got.push(v));
            expect(got).toEqual(model.splice(0, 3));
          }
          expect(q.size).toBe(model.length);
          expect(q.size).toBeLessThanOrEqual(capacity);
        }
      }),
    );
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
