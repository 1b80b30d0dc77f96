import { buildDigest, DEFAULT_COMPRESSION, mergeDigests, type TDigest } from '../digest';
import type { FeatureKind, SummaryRow } from '../format';
import { categoricalSummary, digestSummary, type SummaryKey } from '../summary';
import type { VarcharColumn } from '../duckdb';
import { CategoryCounter } from './category-counter';
import { NULL_CATEGORY, TYPE_ERROR_CATEGORY } from './feature-sql';

/** Values buffered per feature before they are folded into a digest part (512 KB). */
const PART_VALUES = 1 << 16;
/** Parts are merged down once this many pile up, so a huge group stays small. */
const MAX_PARTS = 32;

/**
 * Full-size value buffers are recycled: growing each (hour, feature) buffer from scratch made
 * ~1 MB of garbage per feature-hour, a third of the profile's time went to GC.
 */
const pool: Float64Array[] = [];
const MAX_POOLED = 256;
const SMALL = 256;
/** Room for a part plus one more chunk (at most 2,048 rows) before the part is sealed. */
const FULL = PART_VALUES + 2048;

class NumericState {
  buffer: Float64Array = new Float64Array(SMALL);
  length = 0;
  parts: TDigest[] = [];
  typeErrors = 0;
  nonFinite = 0;

  /** Append values[from, to) that are valid in `mask` (null mask: all valid). */
  append(values: Float64Array, mask: Uint8Array | null, from: number, to: number): void {
    if (this.length + (to - from) > this.buffer.length) this.grow(this.length + (to - from));
    let n = this.length;
    const buffer = this.buffer;
    if (mask === null) {
      buffer.set(values.subarray(from, to), n);
      n += to - from;
    } else {
      for (let i = from; i < to; i++) {
        if ((mask[i >> 3] & (1 << (i & 7))) !== 0) buffer[n++] = values[i];
      }
    }
    this.length = n;
    if (this.length >= PART_VALUES) this.seal();
  }

  private grow(need: number): void {
    const next = need <= FULL ? (pool.pop() ?? new Float64Array(FULL)) : new Float64Array(need);
    next.set(this.buffer.subarray(0, this.length));
    this.release();
    this.buffer = next;
  }

  private release(): void {
    if (this.buffer.length === FULL && pool.length < MAX_POOLED) pool.push(this.buffer);
  }

  /** Fold the buffered values into a digest part and release the buffer. */
  seal(compression = DEFAULT_COMPRESSION): void {
    if (this.length > 0) {
      const built = buildDigest(this.buffer.subarray(0, this.length), compression);
      this.nonFinite += built.nan + built.posInf + built.negInf;
      this.parts.push(built.digest);
      if (this.parts.length >= MAX_PARTS) this.parts = [mergeDigests(this.parts, compression)];
    }
    this.length = 0;
    this.release();
    if (this.buffer.length !== SMALL) this.buffer = new Float64Array(SMALL);
  }

  digest(): TDigest {
    this.seal();
    return this.parts.length === 1 ? this.parts[0] : mergeDigests(this.parts);
  }
}

class GroupState {
  rows = 0;
  timeMin = Infinity;
  timeMax = -Infinity;
  readonly numeric: (NumericState | null)[];
  readonly categories: (CategoryCounter | null)[];

  constructor(kinds: readonly FeatureKind[]) {
    this.numeric = kinds.map((k) => (k === 'numeric' ? new NumericState() : null));
    this.categories = kinds.map((k) => (k === 'categorical' ? new CategoryCounter() : null));
  }
}

export interface AccumulatedFeature {
  name: string;
  kind: FeatureKind;
}

/**
 * Per group (an hour, a reference chunk) and feature: numeric values into digests, category
 * counts, failed-value counts. Groups may arrive in any order; `park` releases a group's buffers
 * when the stream moves on, so a time-ordered stream holds one group's values at a time.
 */
export class ProfileAccumulator {
  readonly features: readonly AccumulatedFeature[];
  private readonly kinds: FeatureKind[];
  private readonly groups = new Map<number, GroupState>();

  constructor(features: readonly AccumulatedFeature[]) {
    this.features = features;
    this.kinds = features.map((f) => f.kind);
  }

  group(id: number): GroupState {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new GroupState(this.kinds)));
    return g;
  }

  /** The groups that received rows. */
  groupIds(): number[] {
    return [...this.groups].filter(([, g]) => g.rows > 0).map(([id]) => id);
  }

  addRows(id: number, rows: number): void {
    this.group(id).rows += rows;
  }

  addTime(id: number, times: Float64Array, mask: Uint8Array | null, from: number, to: number): void {
    const g = this.group(id);
    for (let i = from; i < to; i++) {
      if (mask !== null && (mask[i >> 3] & (1 << (i & 7))) === 0) continue;
      const t = times[i];
      if (t < g.timeMin) g.timeMin = t;
      if (t > g.timeMax) g.timeMax = t;
    }
  }

  /** values[from, to) where valid in `mask`; a row `present` (1) without a valid value is a type error. */
  addNumeric(id: number, feature: number, values: Float64Array, mask: Uint8Array | null, present: Uint8Array | null, from: number, to: number): void {
    const state = this.group(id).numeric[feature];
    if (!state) throw new RangeError(`feature "${this.features[feature].name}" is not numeric`);
    let errors = 0;
    if (present && mask) for (let i = from; i < to; i++) errors += present[i] & ~(mask[i >> 3] >> (i & 7)) & 1;
    state.append(values, mask, from, to);
    // Type errors arrive as NULL values; nulls are what is left of the group's rows at the end.
    state.typeErrors += errors;
  }

  /** Count rows [from, to) of a category column (nulls and type errors arrive as sentinel categories). */
  addCategories(id: number, feature: number, column: VarcharColumn, from: number, to: number): void {
    const counter = this.group(id).categories[feature];
    if (!counter) throw new RangeError(`feature "${this.features[feature].name}" is not categorical`);
    counter.addColumn(column, from, to);
  }

  /** The stream has moved past this group (for now): fold its buffered values away. */
  park(id: number): void {
    const g = this.groups.get(id);
    if (g) for (const n of g.numeric) n?.seal();
  }

  timeRange(id: number): [number, number] | null {
    const g = this.groups.get(id);
    return g && g.timeMin <= g.timeMax ? [g.timeMin, g.timeMax] : null;
  }

  /**
   * One SummaryRow per feature of a group. Rows missing a feature's value altogether count as
   * nulls, so every row has `rows` equal to the group's row count.
   */
  summaries(id: number, key: Omit<SummaryKey, 'feature'>): SummaryRow[] {
    const g = this.group(id);
    return this.features.map((f, i) => {
      const k = { ...key, feature: f.name };
      const numeric = g.numeric[i];
      if (numeric) {
        const digest = numeric.digest();
        const nulls = g.rows - digest.count - numeric.nonFinite - numeric.typeErrors;
        return digestSummary(k, digest, nulls, numeric.nonFinite, numeric.typeErrors);
      }
      const counts = g.categories[i]?.entries() ?? new Map<string, number>();
      const typeErrors = counts.get(TYPE_ERROR_CATEGORY) ?? 0;
      counts.delete(TYPE_ERROR_CATEGORY);
      counts.delete(NULL_CATEGORY);
      let total = 0;
      for (const c of counts.values()) total += c;
      return categoricalSummary(k, counts, g.rows - total - typeErrors, typeErrors);
    });
  }
}
