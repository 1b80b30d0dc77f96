"""Summary rows as the embedded engine writes them (lib/summary/build-summary.ts,
lib/format/summary.ts) and the hour token of profile-state.json (lib/format/profile-state.ts).

A row is a plain dict with exactly the SummaryRow fields, in their order; means, weights,
categories and category_counts are lists. Numbers are written at full precision (the Parquet
columns are DOUBLE): the 12-significant-digit rounding of `TDigest.toJSON` applies to JSON
digests only, and no summary path uses it.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .digest import DEFAULT_COMPRESSION, Digest, empty_digest, make_digest, merge_digests

MAX_CATEGORIES = 1000
OTHER_CATEGORY = "__other__"
NULL_CATEGORY = "\x01null"
TYPE_ERROR_CATEGORY = "\x01type_error"

SUMMARY_FIELDS = (
    "model",
    "feature",
    "kind",
    "period_start",
    "period_end",
    "chunk",
    "rows",
    "nulls",
    "non_finite",
    "type_errors",
    "count",
    "min",
    "max",
    "sum",
    "compression",
    "means",
    "weights",
    "categories",
    "category_counts",
)


def _utf16_key(s: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units), not code point order."""
    return s.encode("utf-16-be", "surrogatepass")


def _chunk(key: Mapping[str, Any]) -> int:
    chunk = key.get("chunk")
    return -1 if chunk is None else int(chunk)


def numeric_summary(key: Mapping[str, Any], digest: Digest, nulls: int, non_finite: int, type_errors: int) -> Dict[str, Any]:
    """Port of digestSummary: a numeric row from a digest and the counts of failed values."""
    count = int(digest.count)
    return {
        "model": key["model"],
        "feature": key["feature"],
        "kind": "numeric",
        "period_start": int(key["period_start"]),
        "period_end": int(key["period_end"]),
        "chunk": _chunk(key),
        "rows": count + int(nulls) + int(non_finite) + int(type_errors),
        "nulls": int(nulls),
        "non_finite": int(non_finite),
        "type_errors": int(type_errors),
        "count": count,
        "min": float(digest.min) if count > 0 else None,
        "max": float(digest.max) if count > 0 else None,
        "sum": digest.mean() * count if count > 0 else None,
        "compression": float(digest.compression),
        "means": digest.means.tolist(),
        "weights": digest.weights.tolist(),
        "categories": [],
        "category_counts": [],
    }


def _fold_categories(counts: Mapping[str, int]) -> Tuple[List[str], List[int], int]:
    """Sort by count (then name, in JS order) and fold everything past the top into OTHER."""
    entries = sorted(((c, int(n)) for c, n in counts.items() if n > 0), key=lambda e: (-e[1], _utf16_key(e[0])))
    other = 0
    total = 0
    categories: List[str] = []
    category_counts: List[int] = []
    for category, n in entries:
        total += n
        if category != OTHER_CATEGORY and len(categories) < MAX_CATEGORIES:
            categories.append(category)
            category_counts.append(n)
        else:
            other += n
    if other > 0:
        categories.append(OTHER_CATEGORY)
        category_counts.append(other)
    return categories, category_counts, total


def categorical_summary(key: Mapping[str, Any], counts: Mapping[str, int], nulls: int, type_errors: int) -> Dict[str, Any]:
    """Port of categoricalSummary: the top MAX_CATEGORIES kept, the rest folded into OTHER_CATEGORY."""
    categories, category_counts, total = _fold_categories(counts)
    return {
        "model": key["model"],
        "feature": key["feature"],
        "kind": "categorical",
        "period_start": int(key["period_start"]),
        "period_end": int(key["period_end"]),
        "chunk": _chunk(key),
        "rows": total + int(nulls) + int(type_errors),
        "nulls": int(nulls),
        "non_finite": 0,
        "type_errors": int(type_errors),
        "count": total,
        "min": None,
        "max": None,
        "sum": None,
        "compression": None,
        "means": [],
        "weights": [],
        "categories": categories,
        "category_counts": category_counts,
    }


def summary_digest(row: Mapping[str, Any]) -> Digest:
    """The digest of a numeric row (summaryDigest): its count is the weights' sum."""
    compression = row["compression"] if row["compression"] is not None else DEFAULT_COMPRESSION
    if row["kind"] != "numeric" or row["count"] == 0:
        return empty_digest(compression)
    lo = row["min"] if row["min"] is not None else float("nan")
    hi = row["max"] if row["max"] is not None else float("nan")
    return make_digest(np.asarray(row["means"], dtype=np.float64), np.asarray(row["weights"], dtype=np.float64), lo, hi, compression)


def merge_summaries(key: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """Port of mergeSummaries: counts add, digests merge, category counts add and are re-folded."""
    if not rows:
        raise ValueError(f'mergeSummaries: no summaries for feature "{key["feature"]}"')
    kind = rows[0]["kind"]
    for r in rows:
        if r["kind"] != kind:
            raise ValueError(f'mergeSummaries: feature "{key["feature"]}" is {kind} in one summary and {r["kind"]} in another')
    nulls = sum(int(r["nulls"]) for r in rows)
    non_finite = sum(int(r["non_finite"]) for r in rows)
    type_errors = sum(int(r["type_errors"]) for r in rows)
    if kind == "numeric":
        compression = rows[0]["compression"] if rows[0]["compression"] is not None else DEFAULT_COMPRESSION
        digest = merge_digests([summary_digest(r) for r in rows], compression)
        return numeric_summary(key, digest, nulls, non_finite, type_errors)
    counts: Dict[str, int] = {}
    for r in rows:
        for category, n in zip(r["categories"], r["category_counts"]):
            counts[category] = counts.get(category, 0) + int(n)
    return categorical_summary(key, counts, nulls, type_errors)


def js_string(value: Any) -> str:
    """`String(value)` of JavaScript for a number (Array#join writes null as '')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and abs(int(value)) < 10**21:
        return str(int(value))
    x = float(value)
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest round-trip digits, as Number#toString; only the layout differs.
    _, digit_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = int(exponent) + k  # the decimal point sits after n digits
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def _checksum(values: Sequence[float]) -> float:
    """a·31 + b with a = Σ v and b = Σ v·(i+1), summed left to right as the TS loop."""
    if len(values) == 0:
        return 0.0
    v = np.asarray(values, dtype=np.float64)
    a = float(np.add.accumulate(v)[-1])
    b = float(np.add.accumulate(v * np.arange(1, v.shape[0] + 1, dtype=np.float64))[-1])
    return a * 31 + b


def _utf8(text: str) -> bytes:
    # Node's hash.update writes a lone surrogate as U+FFFD.
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace").encode("utf-8")


def hour_token(rows: Sequence[Mapping[str, Any]]) -> str:
    """Port of hourToken: a hash of an hour's summaries, independent of row order."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: _utf16_key(r["feature"])):
        fields: List[Optional[Any]] = [row[name] for name in SUMMARY_FIELDS[1:15]]
        fields += [len(row["means"]), _checksum(row["means"]), _checksum(row["weights"])]
        digest.update(_utf8("|".join(js_string(f) for f in fields)))
        categories = "\x01".join(row["categories"])
        counts = ",".join(js_string(n) for n in row["category_counts"])
        digest.update(_utf8(f"|{categories}|{counts}\n"))
    return digest.hexdigest()[:20]
