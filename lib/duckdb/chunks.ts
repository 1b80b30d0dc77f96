import bindings from '@duckdb/node-bindings';
import type { DuckDBConnection, DuckDBDataChunk, JS } from '@duckdb/node-api';

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

  /** Validity bitmask (bit i set = row i not NULL), or null when every row is valid. */
  validity(column: number): Uint8Array | null {
    const vector = bindings.data_chunk_get_vector(this.chunk.chunk, column);
    const mask = bindings.vector_get_validity(vector, Math.ceil(this.rowCount / 64) * 8) as Uint8Array | null;
    return mask ?? null;
  }
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
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    yield new ChunkColumns(chunk);
  }
}

/** Stream a query's rows as plain JS values (BIGINT as bigint, lists as arrays), one chunk per batch. */
export async function* streamRowObjects(connection: DuckDBConnection, sql: string): AsyncGenerator<Record<string, JS>[]> {
  const result = await connection.stream(sql);
  yield* result.yieldRowObjectJs();
}
