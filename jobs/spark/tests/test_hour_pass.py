"""hour_pass.summarise_hours: an hour's Arrow batches → counts, digests and category counts.

Checked against direct computation (build_digest of all the hour's values at once, collections.
Counter of the categories), for one batch and for the same rows in many batches, for an hour large
enough to be folded in parts (exact counts and extremes, quantiles against the sorted values), and
through Spark's applyInArrow with small Arrow batches.
"""
from collections import Counter
from typing import List

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)
import pytest
from driftwatch_spark.digest import DEFAULT_COMPRESSION, build_digest, quantile
from driftwatch_spark.values import NULL_CATEGORY
from driftwatch_spark.hour_pass import MAX_PARTS, OUT_SCHEMA, PART_VALUES, SLICE_ROWS, NumericFold, summarise_hours

KINDS = ["numeric", "categorical", "numeric"]
HOUR = 491_234


def hour_table(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(5, 1, rows)
    x[rng.random(rows) < 0.05] = np.nan
    x[rng.random(rows) < 0.01] = np.inf
    x_null = rng.random(rows) < 0.1
    e0 = x_null & (rng.random(rows) < 0.3)  # some nulls are type errors
    cats = rng.choice(["a", "b", "c", NULL_CATEGORY], rows, p=[0.5, 0.3, 0.15, 0.05])
    nums = np.where(rng.random(rows) < 0.2, rng.integers(0, 3, rows).astype(np.float64), np.nan)
    y = np.round(rng.normal(0, 1, rows), 1)  # many equal values (point masses)
    return pa.table(
        {
            "hour": pa.array(np.full(rows, HOUR), pa.int64()),
            "n0": pa.array(x, pa.float64(), mask=x_null),
            "e0": pa.array(e0),
            "c1": pa.array([c if n != n else None for c, n in zip(cats, nums)], pa.string()),
            "d1": pa.array(nums, pa.float64(), mask=np.isnan(nums)),
            "n2": pa.array(y, pa.float64()),
            "e2": pa.array(np.zeros(rows, dtype=bool)),
        }
    )


def rank_error(exact: np.ndarray, x: float, q: float) -> float:
    """How far q lies outside the ranks of x in the sorted values (0 inside [below, at or below])."""
    lo = np.searchsorted(exact, x, "left") / exact.shape[0]
    hi = np.searchsorted(exact, x, "right") / exact.shape[0]
    return max(0.0, lo - q, q - hi)


def run(batches: List[pa.RecordBatch]) -> pa.Table:
    out = list(summarise_hours(KINDS)(iter(batches)))
    return pa.Table.from_batches(out, schema=OUT_SCHEMA)


def expected_numeric(table: pa.Table, i: int):
    col = table.column(f"n{i}")
    values = col.drop_null().to_numpy()
    digest, nan, pos_inf, neg_inf = build_digest(values, DEFAULT_COMPRESSION)
    errors = int(np.count_nonzero(table.column(f"e{i}").to_numpy(zero_copy_only=False)))
    return digest, nan + pos_inf + neg_inf, errors


def rows_of(out: pa.Table, f: int) -> List[dict]:
    return [r for r in out.to_pylist() if r["f"] == f]


def test_one_batch_equals_direct_computation():
    table = hour_table(5_000, 1)
    out = run(table.to_batches())
    for i in (0, 2):
        (row,) = rows_of(out, i)
        digest, non_finite, errors = expected_numeric(table, i)
        assert row["hour"] == HOUR and row["n"] == 5_000
        assert row["e"] == errors and row["non_finite"] == non_finite and row["count"] == digest.count
        assert np.array_equal(np.asarray(row["means"]), digest.means) and np.array_equal(np.asarray(row["weights"]), digest.weights)
        assert row["min"] == digest.min and row["max"] == digest.max
    counts = Counter(zip(table.column("c1").to_pylist(), table.column("d1").to_pylist()))
    got = {(r["s"], r["d"]): r["n"] for r in rows_of(out, 1)}
    assert got == dict(counts) and sum(got.values()) == 5_000


def test_many_batches_give_the_same_rows_as_one():
    table = hour_table(20_000, 2)
    one = run(table.to_batches())
    many = run(table.to_batches(max_chunksize=777))
    assert len(table.to_batches(max_chunksize=777)) > 20
    key = lambda r: (r["f"], r["s"] or "", -1 if r["d"] is None else r["d"])  # noqa: E731
    assert sorted(one.to_pylist(), key=key) == sorted(many.to_pylist(), key=key)


def test_an_hour_without_values_or_rows():
    empty = pa.table({"hour": pa.array([HOUR] * 3, pa.int64()), "n0": pa.nulls(3, pa.float64()), "e0": pa.array([True, False, None]), "c1": pa.nulls(3, pa.string()), "d1": pa.nulls(3, pa.float64()), "n2": pa.nulls(3, pa.float64()), "e2": pa.nulls(3, pa.bool_())})
    out = run(empty.to_batches())
    (n0,) = rows_of(out, 0)
    assert n0["n"] == 3 and n0["e"] == 1 and n0["count"] == 0 and n0["means"] is None and n0["min"] is None
    assert rows_of(out, 1) == [dict(rows_of(out, 1)[0], s=None, d=None, n=3)]
    assert run([]).num_rows == 0


def test_a_large_hour_is_folded_in_parts_with_bounded_memory_and_accuracy():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 1, 1_500_000), rng.exponential(5, 700_000)])
    rng.shuffle(values)
    source = values.copy()
    fold = NumericFold()
    most_held = most_parts = seals = 0
    for start in range(0, values.shape[0], SLICE_ROWS):
        held = fold.length + min(SLICE_ROWS, values.shape[0] - start)  # what the buffer holds before a seal
        fold.append(source[start : start + SLICE_ROWS])
        most_held = max(most_held, held)
        seals += fold.length == 0  # a non-empty slice went in: an empty buffer means a part was built
        most_parts = max(most_parts, len(fold.parts))
        assert fold.buffer.shape[0] <= PART_VALUES + SLICE_ROWS
    source[:] = np.nan  # the fold copied what it kept: overwriting the caller's arrays changes nothing
    digest = fold.digest()
    assert PART_VALUES <= most_held < PART_VALUES + SLICE_ROWS  # sealed as soon as a part is full
    assert seals == values.shape[0] // PART_VALUES
    assert most_parts < MAX_PARTS and values.shape[0] // PART_VALUES > MAX_PARTS  # parts were merged down
    assert digest.count == values.shape[0] and digest.min == values.min() and digest.max == values.max()
    assert fold.non_finite == 0
    exact = np.sort(values)
    worst = max(rank_error(exact, quantile(digest, float(q)), float(q)) for q in np.arange(0.01, 1.0, 0.01))
    assert worst < 1e-3, worst


def test_non_finite_parts_are_kept_and_counted():
    fold = NumericFold()
    fold.append(np.full(PART_VALUES, np.nan))  # a part of NaN only: empty, but a part (as accumulator.ts)
    fold.append(np.array([1.0, 2.0, np.inf]))
    digest = fold.digest()
    assert len(fold.parts) == 2 and fold.parts[0].count == 0
    assert fold.non_finite == PART_VALUES + 1 and digest.count == 2 and digest.min == 1.0 and digest.max == 2.0


def test_through_spark_with_small_arrow_batches(spark):
    table = hour_table(6_000, 4)
    other = hour_table(3_000, 5).set_column(0, "hour", pa.array(np.full(3_000, HOUR + 1), pa.int64()))
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
    try:
        frame = spark.createDataFrame(pa.concat_tables([table, other]))
        from driftwatch_spark.profile_job import GROUP_SCHEMA

        rows = frame.groupBy("hour").applyInArrow(summarise_hours(KINDS), GROUP_SCHEMA).collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    for hour, source in ((HOUR, table), (HOUR + 1, other)):
        got = [r.asDict() for r in rows if r["hour"] == hour]
        want = run(source.to_batches()).to_pylist()
        key = lambda r: (r["f"], r["s"] or "", -1 if r["d"] is None else r["d"])  # noqa: E731
        assert len(got) == len(want)
        for g, w in zip(sorted(got, key=key), sorted(want, key=key)):
            assert g == w


def test_hours_split_into_groups_add_up_to_the_whole_hour(spark):
    from driftwatch_spark.digest import cdf
    from driftwatch_spark.profile_job import run_pass

    # The categorical feature first: an hour's rows are counted from feature 0, here its categories.
    rename = {"c1": "c0", "d1": "d0", "n0": "n1", "e0": "e1"}
    features = [("c", "categorical"), ("x", "numeric"), ("y", "numeric")]
    table = pa.concat_tables([hour_table(40_000, 6), hour_table(20_000, 7).set_column(0, "hour", pa.array(np.full(20_000, HOUR + 1), pa.int64()))])
    table = table.rename_columns([rename.get(n, n) for n in table.column_names])
    frame = spark.createDataFrame(table)
    whole = run_pass(frame, features, 1)
    split = run_pass(frame, features, 5)
    assert sorted(whole) == sorted(split) == [HOUR, HOUR + 1]
    for hour, rows in ((HOUR, 40_000), (HOUR + 1, 20_000)):
        a, b = whole[hour], split[hour]
        of_hour = table.filter(pa.compute.equal(table.column("hour"), hour))
        assert a.rows == b.rows == rows
        assert a.type_errors == b.type_errors and a.type_errors[1] == int(np.count_nonzero(of_hour.column("e1").to_numpy(zero_copy_only=False)))
        assert a.categories == b.categories and sum(a.categories[0].values()) == rows
        for i in (1, 2):
            (da, nfa), (db, nfb) = a.digests[i], b.digests[i]
            exact = of_hour.column(f"n{i}").drop_null().to_numpy()
            assert nfa == nfb == int(np.count_nonzero(~np.isfinite(exact)))
            exact = np.sort(exact[np.isfinite(exact)])
            assert da.count == db.count == exact.shape[0] and da.min == db.min == exact[0] and da.max == db.max == exact[-1]
            for q in np.arange(0.01, 1.0, 0.01):
                x = quantile(db, float(q))
                assert rank_error(exact, x, q) < 1e-3 and abs(cdf(db, x) - cdf(da, x)) < 2e-3
        # Five groups merged: not the one-piece build of the continuous feature.
        assert not np.array_equal(b.digests[1][0].means, a.digests[1][0].means)


def test_hour_splits_are_one_unless_set(spark):
    from driftwatch_spark.profile_job import JobError, hour_splits

    assert hour_splits(spark) == 1
    try:
        spark.conf.set("spark.driftwatch.hourSplits", "7")
        assert hour_splits(spark) == 7
        for bad in ("0", "-2", "many", "1.5"):
            spark.conf.set("spark.driftwatch.hourSplits", bad)
            with pytest.raises(JobError, match="hourSplits"):
                hour_splits(spark)
    finally:
        spark.conf.unset("spark.driftwatch.hourSplits")


def test_many_categories_over_many_batches_are_counted_exactly():
    rng = np.random.default_rng(8)
    rows = 60_000
    codes = rng.zipf(1.3, rows) % 5_000  # thousands of categories, a few frequent
    text = pa.array([f"m{c}" if c % 7 else "\x01null" for c in codes], pa.string())
    num = pa.nulls(rows, pa.float64())
    table = pa.table({"hour": pa.array(np.full(rows, HOUR), pa.int64()), "c0": text, "d0": num})
    out = list(summarise_hours(["categorical"])(iter(table.to_batches(max_chunksize=1_000))))
    got = {r["s"]: r["n"] for r in pa.Table.from_batches(out).to_pylist()}
    want = Counter(text.to_pylist())
    assert got == dict(want) and len(got) > 1_000  # 60 batches: folded by Arrow more than once
