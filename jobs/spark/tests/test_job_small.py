"""The Spark profile against the embedded one on a small store with every class of value.

One store is built with the TS CLI (reference, two ingests with repeated ids, a raw batch written
by "another producer" with repeats and a feature model.json lacks, events in three days), copied,
and profiled once by `driftwatch profile` and once by the Spark job; the packs must match.
"""
from __future__ import annotations

import gzip
import json
import math
import os
import random
import shutil
import subprocess
import time
from typing import Any, Dict, List

import pytest

from driftwatch_spark import profile_job
from driftwatch_spark.parquet_io import read_summary_parquet

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = "m"
DAY0 = "2026-11-02"  # a Monday: days 0-2 of one week, day 6 in the same week
COUNT_FIELDS = ("rows", "nulls", "non_finite", "type_errors", "count")


def cli(*args: str) -> str:
    done = subprocess.run(["npm", "run", "-s", "driftwatch", "--", *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"driftwatch {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


NUM_VALUES: List[Any] = [1, 2.5, -3, "4.5", " 2", "2 ", "NaN", "inf", "-Infinity", None, "", "abc", {"a": 1}, [1, 2], True, False, "1e3", "+5", 1e300, 0.1, "012"]
CAT_VALUES: List[Any] = ["a", "b", "ä", "日本", "😀", "", None, 60, 60.0, 1.5, 1e20, True, False, {"x": 1}, [1], " a ", "NaN", -0.0, 123456789012345678]


def event(i: int, ts: str, rng: random.Random, extra: bool = False) -> Dict[str, Any]:
    features: Dict[str, Any] = {
        "num": rng.choice(NUM_VALUES) if rng.random() < 0.5 else rng.gauss(10, 3),
        "clean": rng.random() * 100,
        "cat": rng.choice(CAT_VALUES),
        "many": f"c{rng.randrange(1500)}",
        "flag": rng.choice([True, False, None, "yes"]),
    }
    if rng.random() < 0.1:
        del features["num"]
    if extra:
        features["late_feature"] = rng.choice([1, 2, 3.5, "4", None])
    return {"model": MODEL, "id": f"e{i}", "ts": ts, "features": features, "score": rng.random()}


def iso(day: str, second: int) -> str:
    h, rest = divmod(second, 3600)
    m, s = divmod(rest, 60)
    return f"{day}T{h:02d}:{m:02d}:{s:02d}.000Z"


def write_ndjson(path: str, events: List[Dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


def day(offset: int) -> str:
    return profile_job.day_label(profile_job.parse_day(DAY0) + offset * profile_job.DAY_MS)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, spark):
    base = tmp_path_factory.mktemp("small")
    rng = random.Random(7)
    # Day 0: 2,500 events (6-hour blocks); days 1 and 2: 120 each; day 6: 40.
    events = [event(i, iso(day(0), rng.randrange(86400)), rng) for i in range(2500)]
    events += [event(2500 + i, iso(day(1), rng.randrange(86400)), rng) for i in range(120)]
    events += [event(2620 + i, iso(day(2), rng.randrange(86400)), rng) for i in range(120)]
    events += [event(2740 + i, iso(day(6), rng.randrange(86400)), rng) for i in range(40)]
    ref = [event(10_000 + i, iso("2026-10-01", rng.randrange(86400)), rng) for i in range(800)]
    write_ndjson(str(base / "ref.ndjson"), ref)
    write_ndjson(str(base / "b1.ndjson"), events[:1800])
    # The second file repeats 100 ids of the first (ingest stores them once).
    write_ndjson(str(base / "b2.ndjson"), events[1700:])
    # A line with bytes that are not UTF-8 in a categorical string (ingest: an invalid_utf8 object).
    with open(base / "b2.ndjson", "ab") as f:
        f.write(b'{"model":"m","id":"bad-utf8","ts":"' + iso(day(1), 100).encode() + b'","features":{"num":1,"cat":"x\xff\xfey","many":"c1"},"score":0.5}\n')
    root = str(base / "store")
    cli("init", "--store", root)
    flags = ["--numeric", "num,clean", "--categorical", "cat,many,flag"]
    cli("reference", "add", "--store", root, "--model", MODEL, "--name", "test", "--file", str(base / "ref.ndjson"), *flags)
    cli("ingest", "--store", root, "--model", MODEL, "--file", str(base / "b1.ndjson"), *flags)
    cli("ingest", "--store", root, "--model", MODEL, "--file", str(base / "b2.ndjson"), *flags)
    # Another producer's batch on day 2: 30 repeated ids (same events) and 20 new events with a feature
    # model.json does not list yet.
    other = events[2620:2650] + [event(5000 + i, iso(day(2), rng.randrange(86400)), rng, extra=True) for i in range(20)]
    raw = os.path.join(root, "models", MODEL, "raw", "predictions", f"day={day(2)}", "other-producer.ndjson.gz")
    with gzip.open(raw, "wt", encoding="utf-8") as f:
        for e in other:
            f.write(json.dumps(e) + "\n")
    ts_root, spark_root = str(base / "ts"), str(base / "spark")
    shutil.copytree(root, ts_root)
    shutil.copytree(root, spark_root)
    started = time.time()
    cli("profile", "--store", ts_root, "--model", MODEL)
    ts_seconds = time.time() - started
    started = time.time()
    result = profile_job.run(spark, spark_root, [MODEL])
    spark_seconds = time.time() - started
    print(f"\nsmall store: TS profile {ts_seconds:.1f} s (CLI), Spark job {spark_seconds:.1f} s (warm session)")
    return {"ts": ts_root, "spark": spark_root, "result": result[MODEL], "raw": root}


def read_pack(root: str, rel: str) -> List[Dict[str, Any]]:
    with open(os.path.join(root, "models", MODEL, "profiles", rel), "rb") as f:
        return read_summary_parquet(f.read())


def packs(root: str, kind: str) -> List[str]:
    d = os.path.join(root, "models", MODEL, "profiles", kind)
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def assert_rows_equal(a: List[Dict[str, Any]], b: List[Dict[str, Any]], where: str) -> None:
    key = lambda r: (r["period_start"], r["feature"])  # noqa: E731
    a, b = sorted(a, key=key), sorted(b, key=key)
    assert [key(r) for r in a] == [key(r) for r in b], where
    for x, y in zip(a, b):
        at = f"{where} {x['feature']} @ {x['period_start']}"
        for f in ("kind", "period_end", "chunk", *COUNT_FIELDS, "categories", "category_counts", "compression"):
            assert x[f] == y[f], f"{at}: {f} {x[f]!r} != {y[f]!r}"
        for f in ("min", "max", "sum"):
            if x[f] is None or y[f] is None:
                assert x[f] is None and y[f] is None, f"{at}: {f}"
            else:
                assert math.isclose(x[f], y[f], rel_tol=1e-12, abs_tol=1e-9), f"{at}: {f} {x[f]} != {y[f]}"
        assert x["weights"] == y["weights"], f"{at}: weights"
        assert x["means"] == pytest.approx(y["means"], rel=1e-12, abs=1e-12), f"{at}: means"


def test_hourly_packs_equal(stores):
    names = packs(stores["ts"], "hourly")
    assert names == packs(stores["spark"], "hourly")
    assert len(names) == 4
    for name in names:
        assert_rows_equal(read_pack(stores["ts"], f"hourly/{name}"), read_pack(stores["spark"], f"hourly/{name}"), name)


def test_every_value_class_is_counted(stores):
    rows = [r for n in packs(stores["spark"], "hourly") for r in read_pack(stores["spark"], f"hourly/{n}")]
    by = lambda f: [r for r in rows if r["feature"] == f]  # noqa: E731
    total = lambda f, k: sum(r[k] for r in by(f))  # noqa: E731
    assert total("num", "non_finite") > 0 and total("num", "type_errors") > 0 and total("num", "nulls") > 0
    assert total("cat", "type_errors") > 0 and total("cat", "nulls") > 0
    daily = [r for n in packs(stores["spark"], "daily") for r in read_pack(stores["spark"], f"daily/{n}")]
    assert any("__other__" in r["categories"] for r in daily if r["feature"] == "many")  # > 1,000 categories
    assert by("late_feature") and by("score")


def test_rollups_equal(stores):
    for kind in ("daily", "6-hourly", "weekly"):
        names = packs(stores["ts"], kind)
        assert names == packs(stores["spark"], kind), kind
        assert names, kind
        for name in names:
            assert_rows_equal(read_pack(stores["ts"], f"{kind}/{name}"), read_pack(stores["spark"], f"{kind}/{name}"), f"{kind}/{name}")


def load(root: str, rel: str) -> Any:
    with open(os.path.join(root, "models", MODEL, rel), encoding="utf-8") as f:
        return json.load(f)


def test_state_and_model_equal(stores):
    ts_state, spark_state = load(stores["ts"], "state/profile-state.json"), load(stores["spark"], "state/profile-state.json")
    assert spark_state == ts_state  # batches, and hour tokens equal because the summaries are equal
    ts_meta, spark_meta = load(stores["ts"], "model.json"), load(stores["spark"], "model.json")
    assert spark_meta["features"] == ts_meta["features"]
    assert spark_meta["score"] == ts_meta["score"]
    assert {"name": "late_feature", "kind": "numeric"} in spark_meta["features"]


def test_compare_works_on_the_spark_store(stores):
    out = json.loads(cli("compare", "--store", stores["spark"], "--model", MODEL, "--window", "24h", "--json"))
    expected = json.loads(cli("compare", "--store", stores["ts"], "--model", MODEL, "--window", "24h", "--json"))
    strip = lambda o: json.loads(json.dumps(o).replace(stores["spark"], "S").replace(stores["ts"], "S"))  # noqa: E731
    assert strip(out) == strip(expected)


def test_incremental_run_skips_unchanged_days_and_redoes_a_changed_one(stores, spark, tmp_path):
    root = str(tmp_path / "inc")
    shutil.copytree(stores["spark"], root)
    again = profile_job.run(spark, root, [MODEL])[MODEL]
    assert again.hours == [] and again.days == []
    # A new batch on day 1: only that day is read again; its tokens change only where rows arrived.
    raw = os.path.join(root, "models", MODEL, "raw", "predictions", f"day={day(1)}", "late.ndjson.gz")
    rng = random.Random(3)
    with gzip.open(raw, "wt", encoding="utf-8") as f:
        f.write(json.dumps(event(9000, iso(day(1), 3600 * 5 + 10), rng)) + "\n")
    late = profile_job.run(spark, root, [MODEL])[MODEL]
    assert late.hours == [profile_job.parse_hour(f"{day(1)}T05")]
    assert [profile_job.day_label(d) for d in late.days] == [day(1)]
    # The same on the embedded engine's store gives the same packs and state.
    ts_root = str(tmp_path / "inc-ts")
    shutil.copytree(stores["ts"], ts_root)
    shutil.copy(raw, os.path.join(ts_root, "models", MODEL, "raw", "predictions", f"day={day(1)}", "late.ndjson.gz"))
    cli("profile", "--store", ts_root, "--model", MODEL)
    for kind in ("hourly", "daily", "weekly"):
        for name in packs(ts_root, kind):
            assert_rows_equal(read_pack(ts_root, f"{kind}/{name}"), read_pack(root, f"{kind}/{name}"), f"{kind}/{name}")
    assert load(root, "state/profile-state.json") == load(ts_root, "state/profile-state.json")


def test_mixed_store_spark_after_the_embedded_engine(stores, spark, tmp_path):
    """Days 0-1 profiled by the embedded engine, days 2 and 6 later by Spark (rollups read the TS
    packs of the week) give what the embedded engine gives for the same two runs."""
    roots = {}
    for engine in ("ts", "spark"):
        root = roots[engine] = str(tmp_path / f"mixed-{engine}")
        shutil.copytree(stores["raw"], root)
        held = str(tmp_path / f"held-{engine}")
        pred = os.path.join(root, "models", MODEL, "raw", "predictions")
        os.makedirs(held)
        for d in (day(2), day(6)):
            shutil.move(os.path.join(pred, f"day={d}"), os.path.join(held, f"day={d}"))
        cli("profile", "--store", root, "--model", MODEL)
        for d in (day(2), day(6)):
            shutil.move(os.path.join(held, f"day={d}"), os.path.join(pred, f"day={d}"))
        if engine == "ts":
            cli("profile", "--store", root, "--model", MODEL)
        else:
            result = profile_job.run(spark, root, [MODEL])[MODEL]
            assert [profile_job.day_label(d) for d in result.days] == [day(2), day(6)]
    for kind in ("hourly", "daily", "6-hourly", "weekly"):
        assert packs(roots["spark"], kind) == packs(roots["ts"], kind)
        for name in packs(roots["ts"], kind):
            assert_rows_equal(read_pack(roots["ts"], f"{kind}/{name}"), read_pack(roots["spark"], f"{kind}/{name}"), f"mixed {kind}/{name}")
    assert load(roots["spark"], "state/profile-state.json") == load(roots["ts"], "state/profile-state.json")
    assert load(roots["spark"], "model.json")["features"] == load(roots["ts"], "model.json")["features"]
