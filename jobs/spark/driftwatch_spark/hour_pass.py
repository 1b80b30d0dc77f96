"""The executors' side of a profile pass: the classified rows of one hour (all features, in Arrow
record batches) → one output row per numeric feature (row and type-error counts, the digest) and
one per (categorical feature, category) (its count).

Rows reach this function grouped by hour (`groupBy("hour").applyInArrow`, the iterator form), so
the shuffle moves each row once, as it was read, instead of one row per feature value. Values are
folded as lib/profile/accumulator.ts folds them: buffered per feature in slices of at most 2,048
rows, a digest part built (docs/digest.md) each time a buffer reaches 65,536 values, parts merged
when 32 pile up, and the parts merged at the end of the hour. An hour is streamed, so a worker
holds at most one buffer per feature, whatever the hour's size; an hour of at most 65,536 values of
a feature is built in one piece, bit for bit as the embedded engine builds it. Above that, where the
parts begin depends on the order in which the hour's rows arrive (as it depends on DuckDB's scan
order in the embedded engine): a re-run may write digests that differ in their last bits, within
the accuracy of merged parts.
"""

from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .digest import DEFAULT_COMPRESSION, Digest, build_digest, empty_digest, merge_digests

PART_VALUES = 1 << 16
MAX_PARTS = 32
SLICE_ROWS = 2048
# A part plus one slice: the most a feature's buffer ever holds.
FULL = PART_VALUES + SLICE_ROWS

OUT_SCHEMA = pa.schema(
    [
        ("hour", pa.int64()),
        ("f", pa.int32()),
        ("s", pa.string()),
        ("d", pa.float64()),
        ("n", pa.int64()),
        ("e", pa.int64()),
        ("means", pa.list_(pa.float64())),
        ("weights", pa.list_(pa.float64())),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("count", pa.int64()),
        ("non_finite", pa.int64()),
    ]
)


class NumericFold:
    """NumericState (accumulator.ts): buffered values → digest parts → one digest."""

    __slots__ = ("buffer", "length", "parts", "non_finite", "type_errors")

    def __init__(self) -> None:
        # Values are copied in (never kept as views, which would pin whole Arrow batches), into a
        # buffer that grows to at most a part plus one slice, as accumulator.ts's FULL buffer.
        self.buffer: Optional[np.ndarray] = None
        self.length = 0
        self.parts: List[Digest] = []
        self.non_finite = 0
        self.type_errors = 0

    def append(self, values: np.ndarray) -> None:
        k = values.shape[0]
        if k == 0:
            return
        need = self.length + k
        if self.buffer is None or need > self.buffer.shape[0]:
            capacity = max(need, min(FULL, 2 * (0 if self.buffer is None else self.buffer.shape[0]) or SLICE_ROWS))
            grown = np.empty(capacity, dtype=np.float64)
            if self.length:
                grown[: self.length] = self.buffer[: self.length]
            self.buffer = grown
        self.buffer[self.length : need] = values
        self.length = need
        if self.length >= PART_VALUES:
            self.seal()

    def seal(self) -> None:
        if self.length == 0:
            return
        digest, nan, pos_inf, neg_inf = build_digest(self.buffer[: self.length], DEFAULT_COMPRESSION)
        self.non_finite += nan + pos_inf + neg_inf
        self.parts.append(digest)  # empty parts too, as accumulator.ts (merges leave them out)
        if len(self.parts) >= MAX_PARTS:
            self.parts = [merge_digests(self.parts, DEFAULT_COMPRESSION)]
        self.length = 0

    def digest(self) -> Digest:
        self.seal()
        self.buffer = None
        if not self.parts:
            return empty_digest(DEFAULT_COMPRESSION)
        return self.parts[0] if len(self.parts) == 1 else merge_digests(self.parts, DEFAULT_COMPRESSION)


class CategoryFold:
    """An hour's counts of (text, number) categories, kept in Arrow: each batch is grouped by Arrow
    and the grouped tables are added up by Arrow every few batches, so a feature with thousands of
    categories costs no Python work per category and batch (only once, at the end of the hour)."""

    __slots__ = ("pending",)
    FOLD_EVERY = 16

    def __init__(self) -> None:
        self.pending: List[pa.Table] = []

    def add(self, text: pa.Array, num: pa.Array) -> None:
        pair = pa.table({"s": text, "d": num})
        self.pending.append(pair.group_by(["s", "d"], use_threads=False).aggregate([([], "count_all")]).rename_columns(["s", "d", "n"]))
        if len(self.pending) >= self.FOLD_EVERY:
            self.pending = [self._folded()]

    def _folded(self) -> pa.Table:
        if len(self.pending) == 1:
            return self.pending[0]
        table = pa.concat_tables(self.pending)
        return table.group_by(["s", "d"], use_threads=False).aggregate([("n", "sum")]).rename_columns(["s", "d", "n"])

    def counts(self) -> List[Tuple[Any, Any, int]]:
        if not self.pending:
            return []
        table = self._folded()
        return list(zip(table.column("s").to_pylist(), table.column("d").to_pylist(), table.column("n").to_pylist()))


def _values(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The non-null doubles of a column, as a NumPy array (possibly a view into the batch: copy it)."""
    if column.null_count:
        column = pc.drop_null(column)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column.to_numpy(zero_copy_only=False)


def _true_count(column: pa.Array) -> int:
    if column.null_count == len(column):
        return 0
    return int(pc.sum(column.cast(pa.int64())).as_py() or 0)


def summarise_hours(kinds: Sequence[str]):
    """The applyInArrow function for a model whose features have these kinds (in column order:
    numeric feature i in columns n{i} (value) and e{i} (type error), categorical in c{i} (text)
    and d{i} (number))."""

    def summarise(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        hour: Optional[int] = None
        rows = 0
        numeric: Dict[int, NumericFold] = {i: NumericFold() for i, k in enumerate(kinds) if k == "numeric"}
        categories: Dict[int, CategoryFold] = {i: CategoryFold() for i, k in enumerate(kinds) if k != "numeric"}
        for batch in batches:
            if batch.num_rows == 0:
                continue
            if hour is None:
                hour = int(batch.column(batch.schema.get_field_index("hour"))[0].as_py())
            rows += batch.num_rows
            for i, fold in numeric.items():
                values = batch.column(batch.schema.get_field_index(f"n{i}"))
                fold.type_errors += _true_count(batch.column(batch.schema.get_field_index(f"e{i}")))
                for start in range(0, batch.num_rows, SLICE_ROWS):
                    fold.append(_values(values.slice(start, SLICE_ROWS)))
            for i, fold in categories.items():
                fold.add(batch.column(batch.schema.get_field_index(f"c{i}")), batch.column(batch.schema.get_field_index(f"d{i}")))
        if hour is None:
            return
        out: Dict[str, List[Any]] = {name: [] for name in OUT_SCHEMA.names}

        def emit(f: int, s: Any, d: Any, n: int, e: int, digest: Optional[Digest], non_finite: int) -> None:
            out["hour"].append(hour)
            out["f"].append(f)
            out["s"].append(s)
            out["d"].append(d)
            out["n"].append(n)
            out["e"].append(e)
            has = digest is not None and digest.count > 0
            out["means"].append(digest.means if has else None)
            out["weights"].append(digest.weights if has else None)
            out["min"].append(digest.min if has else None)
            out["max"].append(digest.max if has else None)
            out["count"].append(digest.count if has else 0)
            out["non_finite"].append(non_finite)

        for i, kind in enumerate(kinds):
            if kind == "numeric":
                fold = numeric[i]
                digest = fold.digest()
                emit(i, None, None, rows, fold.type_errors, digest, fold.non_finite)
            else:
                for s, d, n in categories[i].counts():
                    emit(i, s, d, n, 0, None, 0)
        yield pa.RecordBatch.from_pydict(out, schema=OUT_SCHEMA)

    return summarise
