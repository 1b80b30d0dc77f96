import type { VarcharColumn } from '../duckdb';

const decoder = new TextDecoder();

/**
 * Counts of one categorical feature without a JS string per value. DuckDB keeps strings of up to
 * 12 bytes inline in a 16-byte string_t; those four 32-bit words are the key of an open-addressing
 * table, and a string is made only once per distinct category. Longer strings go through a Map.
 * Decoding every value into a string and counting it in a Map cost ~100 ns a value here.
 */
export class CategoryCounter {
  private keys = new Uint32Array(4 * 64);
  private counts = new Float64Array(64);
  private used = 0;
  private readonly long = new Map<string, number>();

  /** Count rows [from, to) of a VARCHAR column; NULLs are skipped (callers send sentinels instead). */
  addColumn(column: VarcharColumn, from: number, to: number): void {
    const { words, mask } = column;
    for (let i = from; i < to; i++) {
      if (mask !== null && (mask[i >> 3] & (1 << (i & 7))) === 0) continue;
      const w = i * 4;
      const length = words[w];
      if (length <= 12) this.addInline(length, words[w + 1], words[w + 2], words[w + 3], 1);
      else {
        const s = column.longString(i);
        this.long.set(s, (this.long.get(s) ?? 0) + 1);
      }
    }
  }

  private addInline(w0: number, w1: number, w2: number, w3: number, n: number): void {
    const capacity = this.counts.length;
    let slot = hash(w0, w1, w2, w3) & (capacity - 1);
    const keys = this.keys;
    for (;;) {
      const k = slot * 4;
      if (this.counts[slot] === 0) {
        keys[k] = w0;
        keys[k + 1] = w1;
        keys[k + 2] = w2;
        keys[k + 3] = w3;
        this.counts[slot] = n;
        if (++this.used * 2 > capacity) this.grow();
        return;
      }
      if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) {
        this.counts[slot] += n;
        return;
      }
      slot = (slot + 1) & (capacity - 1);
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.counts = new Float64Array(oldCounts.length * 2);
    this.used = 0;
    for (let s = 0; s < oldCounts.length; s++) {
      if (oldCounts[s] > 0) this.addInline(oldKeys[s * 4], oldKeys[s * 4 + 1], oldKeys[s * 4 + 2], oldKeys[s * 4 + 3], oldCounts[s]);
    }
  }

  /** Category → count. */
  entries(): Map<string, number> {
    const out = new Map(this.long);
    const bytes = new Uint8Array(this.keys.buffer);
    for (let s = 0; s < this.counts.length; s++) {
      if (this.counts[s] === 0) continue;
      const label = decoder.decode(bytes.subarray(s * 16 + 4, s * 16 + 4 + this.keys[s * 4]));
      out.set(label, (out.get(label) ?? 0) + this.counts[s]);
    }
    return out;
  }
}

function hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w1 ^ Math.imul(w0, 0x9e3779b1), 0x85ebca77);
  h = Math.imul(h ^ w2 ^ (h >>> 15), 0xc2b2ae3d);
  h = Math.imul(h ^ w3 ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}
