"""Summary Parquet files (profile packs and rollups), as lib/duckdb/summary-parquet.ts writes and reads them.

Columns are exactly the SummaryRow fields with DuckDB's types (VARCHAR → string, BIGINT → int64,
INTEGER → int32, DOUBLE → float64, DOUBLE[] → list<float64>, VARCHAR[] → list<string>, BIGINT[] →
list<int64>), Snappy-compressed like DuckDB's COPY … (FORMAT parquet) default. A file with no
rows still has the schema.
"""
from __future__ import annotations

import io
from typing import Any, Dict, List

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("feature", pa.string()),
        ("kind", pa.string()),
        ("period_start", pa.int64()),
        ("period_end", pa.int64()),
        ("chunk", pa.int32()),
        ("rows", pa.int64()),
        ("nulls", pa.int64()),
        ("non_finite", pa.int64()),
        ("type_errors", pa.int64()),
        ("count", pa.int64()),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("sum", pa.float64()),
        ("compression", pa.float64()),
        ("means", pa.list_(pa.float64())),
        ("weights", pa.list_(pa.float64())),
        ("categories", pa.list_(pa.string())),
        ("category_counts", pa.list_(pa.int64())),
    ]
)
NAMES = SCHEMA.names
_INTS = ("period_start", "period_end", "chunk", "rows", "nulls", "non_finite", "type_errors", "count")
_FLOATS = ("min", "max", "sum", "compression")


class SummaryFileError(ValueError):
    pass


def row_problem(row: Dict[str, Any]) -> str | None:
    """What summaryRowProblem (lib/format/summary.ts) checks, for rows about to be written."""
    if row.get("kind") not in ("numeric", "categorical"):
        return f"kind: expected numeric or categorical, got {row.get('kind')!r}"
    for name in ("rows", "nulls", "non_finite", "type_errors", "count"):
        if not isinstance(row[name], int) or row[name] < 0:
            return f"{name}: expected a count"
    if row["rows"] != row["nulls"] + row["non_finite"] + row["type_errors"] + row["count"]:
        return "rows must equal nulls + non_finite + type_errors + count"
    if len(row["means"]) != len(row["weights"]):
        return "means and weights must have the same length"
    if len(row["categories"]) != len(row["category_counts"]):
        return "categories and category_counts must have the same length"
    return None


def write_summary_parquet(rows: List[Dict[str, Any]]) -> bytes:
    """One profile file of `rows` (plain dicts with the SummaryRow fields), in their order."""
    for row in rows:
        problem = row_problem(row)
        if problem:
            raise SummaryFileError(f'summary of feature "{row.get("feature")}" to write is invalid: {problem}')
    columns = {}
    for name in NAMES:
        values = [row[name] for row in rows]
        if name in _INTS:
            values = [int(v) for v in values]
        elif name in _FLOATS:
            values = [None if v is None else float(v) for v in values]
        elif name in ("means", "weights"):
            values = [[float(x) for x in v] for v in values]
        elif name == "category_counts":
            values = [[int(x) for x in v] for v in values]
        columns[name] = pa.array(values, type=SCHEMA.field(name).type)
    table = pa.table(columns, schema=SCHEMA)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def read_summary_parquet(data: bytes) -> List[Dict[str, Any]]:
    """Rows of a profile file (written by either engine), ordered by chunk then feature as
    readSummaryParquet orders them; counts as int, NULL lists as empty."""
    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - any reader failure is a damaged file
        raise SummaryFileError(f"not a readable Parquet file: {error}") from error
    missing = [n for n in NAMES if n not in table.column_names]
    if missing:
        raise SummaryFileError(f"profile file lacks columns {missing}")
    out: List[Dict[str, Any]] = []
    cols = {n: table.column(n).to_pylist() for n in NAMES}
    for i in range(table.num_rows):
        row: Dict[str, Any] = {}
        for n in NAMES:
            v = cols[n][i]
            if n in _INTS:
                v = int(v)
            elif n in _FLOATS:
                v = None if v is None else float(v)
            elif n in ("means", "weights"):
                v = [float(x) for x in v] if v is not None else []
            elif n == "category_counts":
                v = [int(x) for x in v] if v is not None else []
            elif n == "categories":
                v = list(v) if v is not None else []
            row[n] = v
        out.append(row)
    out.sort(key=lambda r: (r["chunk"], _js_key(r["feature"])))
    return out


def _js_key(s: str) -> tuple:
    """JS string order (UTF-16 code units), as the TS sorts features."""
    return tuple(s.encode("utf-16-be"))
