import bindings from '@duckdb/node-bindings';
import type { DuckDBConnection, DuckDBDataChunk, JS } from '@duckdb/node-api';
import { NativeMemoryReclaimer } from './native-memory';

/**
 * A VARCHAR vector: `words[4i]` is the length of row i; strings of up to 12 bytes sit inline in
 * `words[4i+1 … 4i+3]` (zero-padded), longer ones are read with `longString(i)`.
 */
export interface VarcharColumn {
  words: Uint32Array;
  mask: Uint8Array | null;
  longString: (row: number) => string;
}

/**
 * Typed, zero-allocation access to one result chunk (at most 2,048 rows). The node-api's vector
 * classes test validity with a BigInt per value; here numbers come out as one Float64Array view
 * per column and validity as its bitmask bytes. Views are valid until the next chunk is fetched.
 */
export class ChunkColumns {
  readonly rowCount: number;
  private readonly chunk: DuckDBDataChunk;

  constructor(chunk: DuckDBDataChunk) {
    this.chunk = chunk;
    this.rowCount = chunk.rowCount;
  }

  get columnCount(): number {
    return this.chunk.columnCount;
  }

  private bytes(column: number, bytesPerRow: number): Uint8Array {
    const vector = bindings.data_chunk_get_vector(this.chunk.chunk, column);
    return bindings.vector_get_data(vector, this.rowCount * bytesPerRow);
  }

  /** A DOUBLE column; rows that are NULL hold garbage, see `validity`. */
  float64(column: number): Float64Array {
    const data = this.bytes(column, 8);
    return new Float64Array(data.buffer, data.byteOffset, this.rowCount);
  }

  /** An INTEGER column. */
  int32(column: number): Int32Array {
    const data = this.bytes(column, 4);
    return new Int32Array(data.buffer, data.byteOffset, this.rowCount);
  }

  /** A BOOLEAN column: one byte (0 or 1) per row. */
  bool(column: number): Uint8Array {
    return this.bytes(column, 1);
  }

  /** A VARCHAR column: its 16-byte string_t entries as 32-bit words, for callers that avoid JS strings. */
  varchar(column: number): VarcharColumn {
    const data = this.bytes(column, 16);
    const words = new Uint32Array(data.buffer, data.byteOffset, this.rowCount * 4);
    const mask = this.validity(column);
    return {
      words,
      mask,
      longString: (i: number) => decoder.decode(bindings.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + i * 16 + 8, words[i * 4])),
    };
  }

  /** A VARCHAR column as JS strings (null where NULL). */
  strings(column: number): (string | null)[] {
    return varcharStrings(this.bytes(column, 16), this.rowCount, this.validity(column));
  }

  /**
   * A LIST column of DOUBLE: row i's values are `values.subarray(offset(i), offset(i) + length(i))`.
   * Entries are DuckDB's (offset, length) pairs of uint64, read as their low 32-bit words.
   */
  float64List(column: number): ListColumn<Float64Array> {
    const { entries, child, size } = this.list(column);
    const data = bindings.vector_get_data(child, size * 8);
    const valueMask = (bindings.vector_get_validity(child, Math.ceil(size / 64) * 8) as Uint8Array | null) ?? null;
    return { entries, values: new Float64Array(data.buffer, data.byteOffset, size), valueMask };
  }

  /** A LIST column of VARCHAR, its values as JS strings. */
  stringList(column: number): ListColumn<(string | null)[]> {
    const { entries, child, size } = this.list(column);
    return { entries, values: varcharStrings(bindings.vector_get_data(child, size * 16), size, bindings.vector_get_validity(child, Math.ceil(size / 64) * 8) as Uint8Array | null) };
  }

  private list(column: number): { entries: Uint32Array; child: ReturnType<typeof bindings.list_vector_get_child>; size: number } {
    const vector = bindings.data_chunk_get_vector(this.chunk.chunk, column);
    const data = bindings.vector_get_data(vector, this.rowCount * 16);
    const size = bindings.list_vector_get_size(vector);
    if (size >= 2 ** 32) throw new RangeError('list column too large for one chunk');
    return { entries: new Uint32Array(data.buffer, data.byteOffset, this.rowCount * 4), child: bindings.list_vector_get_child(vector), size };
  }

  /** Validity bitmask (bit i set = row i not NULL), or null when every row is valid. */
  validity(column: number): Uint8Array | null {
    const vector = bindings.data_chunk_get_vector(this.chunk.chunk, column);
    const mask = bindings.vector_get_validity(vector, Math.ceil(this.rowCount / 64) * 8) as Uint8Array | null;
    return mask ?? null;
  }
}

const decoder = new TextDecoder();

/** A LIST vector: row i spans `values[entries[4i] … entries[4i] + entries[4i + 2])` (NULL rows: see validity). */
export interface ListColumn<V> {
  entries: Uint32Array;
  values: V;
  /** Validity of the values themselves (numeric lists; null when every value is valid). */
  valueMask?: Uint8Array | null;
}

/** List row i's start and length. */
export function listSpan(entries: Uint32Array, i: number): [start: number, length: number] {
  return [entries[i * 4], entries[i * 4 + 2]];
}

/** `n` string_t entries (16 bytes each) as JS strings; long strings are read through their pointer. */
function varcharStrings(data: Uint8Array, n: number, mask: Uint8Array | null): (string | null)[] {
  const words = new Uint32Array(data.buffer, data.byteOffset, n * 4);
  const out = new Array<string | null>(n);
  // Short strings repeat (metric names, verdicts, feature names): each distinct one is decoded once
  // per chunk. Same length and same 12 inline bytes is the same string (padding can only cause a miss).
  const seen = new Map<number, InlinedString[]>();
  for (let i = 0; i < n; i++) {
    const length = words[i * 4];
    if (mask !== null && (mask[i >> 3] & (1 << (i & 7))) === 0) out[i] = null;
    else if (length <= 12) {
      const w1 = words[i * 4 + 1];
      const w2 = words[i * 4 + 2];
      const w3 = words[i * 4 + 3];
      const key = w1 * 16 + length;
      let bucket = seen.get(key);
      let hit = bucket?.find((e) => e.w2 === w2 && e.w3 === w3);
      if (!hit) {
        hit = { w2, w3, value: decoder.decode(data.subarray(i * 16 + 4, i * 16 + 4 + length)) };
        if (!bucket) seen.set(key, (bucket = []));
        bucket.push(hit);
      }
      out[i] = hit.value;
    } else out[i] = decoder.decode(bindings.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + i * 16 + 8, length));
  }
  return out;
}

interface InlinedString {
  w2: number;
  w3: number;
  value: string;
}

/** Row `i` is valid in `mask` (the 64-bit little-endian words DuckDB uses, read byte by byte). */
export function isValid(mask: Uint8Array | null, i: number): boolean {
  return mask === null || (mask[i >> 3] & (1 << (i & 7))) !== 0;
}

/**
 * Stream a query's result chunk by chunk; memory stays bounded by DuckDB's buffer, whatever
 * the size of the result. Consume each chunk before asking for the next.
 */
export async function* streamChunks(connection: DuckDBConnection, sql: string): AsyncGenerator<ChunkColumns> {
  const result = await connection.stream(sql);
  const reclaimer = new NativeMemoryReclaimer();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    reclaimer.fetched(chunk.rowCount * chunk.columnCount * 8);
    yield new ChunkColumns(chunk);
  }
}

/** Stream a query's rows as plain JS values (BIGINT as bigint, lists as arrays), one chunk per batch. */
export async function* streamRowObjects(connection: DuckDBConnection, sql: string): AsyncGenerator<Record<string, JS>[]> {
  const result = await connection.stream(sql);
  yield* result.yieldRowObjectJs();
}
