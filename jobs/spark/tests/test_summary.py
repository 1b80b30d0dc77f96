"""Summary rows and hour tokens against the TypeScript ones (fixtures/summary_cases.json from
make_fixtures.ts): equal rows field by field, byte-identical hour tokens."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # jobs/spark, without a conftest
sys.path.insert(0, str(Path(__file__).resolve().parent))

from driftwatch_spark.digest import build_digest  # noqa: E402
from driftwatch_spark.summary import (  # noqa: E402
    MAX_CATEGORIES,
    NULL_CATEGORY,
    OTHER_CATEGORY,
    SUMMARY_FIELDS,
    TYPE_ERROR_CATEGORY,
    categorical_summary,
    hour_token,
    js_string,
    merge_summaries,
    numeric_summary,
)
from test_digest import generate  # noqa: E402

CASES = json.loads((Path(__file__).parent / "fixtures" / "summary_cases.json").read_text(encoding="utf-8"))


DOUBLES = ("min", "max", "sum", "compression")


def assert_same_row(got: Dict[str, Any], want: Dict[str, Any]) -> None:
    assert tuple(got.keys()) == SUMMARY_FIELDS
    assert tuple(want.keys()) == SUMMARY_FIELDS, "fixture rows carry the SummaryRow fields in order"
    for field in SUMMARY_FIELDS:
        if field in DOUBLES:
            # JSON writes integral doubles as integers (1.2345678901234568e20 → 123456789012345680000).
            want_value = None if want[field] is None else float(want[field])
            assert got[field] == want_value and type(got[field]) is type(want_value), field
        elif field in ("means", "weights"):
            assert got[field] == [float(x) for x in want[field]] and all(type(x) is float for x in got[field]), field
        else:
            assert got[field] == want[field] and type(got[field]) is type(want[field]), field


def python_rows() -> List[Dict[str, Any]]:
    """Every fixture row rebuilt by the Python port, in the fixture's order."""
    rows = []
    for case in CASES["numeric"]:
        digest, nan, pos_inf, neg_inf = build_digest(generate(case["spec"]))
        rows.append(numeric_summary(case["key"], digest, case["nulls"], nan + pos_inf + neg_inf, case["type_errors"]))
    for case in CASES["categorical"]:
        rows.append(categorical_summary(case["key"], dict(case["counts"]), case["nulls"], case["type_errors"]))
    return rows


ROWS = python_rows()
TS_ROWS = [c["row"] for c in CASES["numeric"]] + [c["row"] for c in CASES["categorical"]]


@pytest.mark.parametrize("i", range(len(TS_ROWS)), ids=[f'{r["kind"]}-{r["feature"]}-{i}' for i, r in enumerate(TS_ROWS)])
def test_rows_equal_typescript(i: int) -> None:
    assert_same_row(ROWS[i], TS_ROWS[i])


def test_numeric_row_rules() -> None:
    empty = next(r for r in ROWS if r["feature"] == "empty")
    assert (empty["count"], empty["min"], empty["max"], empty["sum"], empty["compression"], empty["rows"]) == (0, None, None, None, 1000.0, 9)
    failed = next(r for r in ROWS if r["feature"] == "failed")
    assert (failed["non_finite"], failed["rows"]) == (3, 5)
    amount = next(r for r in ROWS if r["feature"] == "amount")
    assert amount["rows"] == amount["count"] + amount["nulls"] + amount["non_finite"] + amount["type_errors"]
    assert math.isclose(amount["sum"], sum(m * w for m, w in zip(amount["means"], amount["weights"])), rel_tol=1e-12)


def test_categories_fold_and_order() -> None:
    country = next(r for r in ROWS if r["feature"] == "country")
    # Count descending, then JavaScript (UTF-16) order: '😀' (U+D83D…) sorts before '～' (U+FF5E).
    assert country["categories"][0] == "Ω"
    assert country["categories"].index("😀") < country["categories"].index("\uff5e")
    assert NULL_CATEGORY in country["categories"] and TYPE_ERROR_CATEGORY in country["categories"] and "zero" not in country["categories"]
    merchant = next(r for r in ROWS if r["feature"] == "merchant")
    assert len(merchant["categories"]) == MAX_CATEGORIES + 1 and merchant["categories"][-1] == OTHER_CATEGORY
    assert sum(merchant["category_counts"]) == merchant["count"]
    # An existing OTHER entry is folded with the rest, last.
    folded = categorical_summary({"model": "m", "feature": "f", "period_start": 0, "period_end": 1}, {OTHER_CATEGORY: 10, "a": 1}, 0, 0)
    assert folded["categories"] == ["a", OTHER_CATEGORY] and folded["category_counts"] == [1, 10]


@pytest.mark.parametrize("case", CASES["merges"], ids=[f'{c["key"]["feature"]}-{len(c["rows"])}' for c in CASES["merges"]])
def test_merges_equal_typescript(case: Dict[str, Any]) -> None:
    assert_same_row(merge_summaries(case["key"], [ROWS[i] for i in case["rows"]]), case["row"])
    # Rows read back from storage (plain numbers) merge the same.
    assert_same_row(merge_summaries(case["key"], [TS_ROWS[i] for i in case["rows"]]), case["row"])


def test_merge_rejects_mixed_kinds() -> None:
    numeric = next(r for r in ROWS if r["kind"] == "numeric")
    categorical = next(r for r in ROWS if r["kind"] == "categorical")
    with pytest.raises(ValueError, match="numeric in one summary and categorical"):
        merge_summaries(numeric, [numeric, categorical])
    with pytest.raises(ValueError, match="no summaries"):
        merge_summaries(numeric, [])


@pytest.mark.parametrize("case", CASES["tokens"], ids=[f"group{i}" for i in range(len(CASES["tokens"]))])
def test_hour_token_byte_identical(case: Dict[str, Any]) -> None:
    python_all = ROWS + [dict(ROWS[i], feature=r["feature"]) for i, r in enumerate(CASES["extra_rows"])]
    ts_all = TS_ROWS + CASES["extra_rows"]
    assert hour_token([python_all[i] for i in case["rows"]]) == case["token"]
    assert hour_token([ts_all[i] for i in case["rows"]]) == case["token"]


def test_hour_token_ignores_order_and_sees_changes() -> None:
    rows = list({r["feature"]: r for r in ROWS}.values())  # an hour: one row per feature
    assert hour_token(rows) == hour_token(list(reversed(rows)))
    changed = dict(rows[0], means=[*rows[0]["means"][:-1], rows[0]["means"][-1] * (1 + 1e-9)])
    assert hour_token([changed, *rows[1:]]) != hour_token(rows)


@pytest.mark.parametrize("pair", CASES["js_strings"], ids=[str(i) for i in range(len(CASES["js_strings"]))])
def test_js_number_strings(pair: List[Any]) -> None:
    x, want = pair
    assert js_string(float(x)) == want
    assert js_string(-0.0) == "0" and js_string(None) == "" and js_string(7) == "7"
