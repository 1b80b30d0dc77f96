"""The Spark label join (driftwatch_spark/labels_job.py) against the embedded engine: a small store
made with the TypeScript CLI (NDJSON events and a Parquet table, labels late, corrected,
repeated, unusable and unmatched, predictions that arrive after their labels), copied, its
performance files deleted and written again by Spark; every file must equal the TS one (counts
exactly, sums to 1e-12 relative, digests equal or within 1e-3 in rank at q = 0.01 … 0.99) and
`driftwatch performance --json` must give the same realised metrics (within 1e-3).

The demo store (30 days, 291k predictions) is compared by the test marked `slow` (minutes on two
cores, outside test:all): `.cache/spark/venv/bin/python -m pytest jobs/spark/tests/test_labels_performance.py
-m slow -q -s` prints the timing.
"""
from __future__ import annotations

import csv
import glob
import json
import math
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

# The session-scoped `spark` fixture and the import path of driftwatch_spark: conftest.py.
REPO = Path(__file__).resolve().parents[3]

from driftwatch_spark.digest import Digest, cdf, quantile
from driftwatch_spark.labels_job import js_json, js_number, profile_performance, read_threshold

QS = [i / 100 for i in range(1, 100)]


def cli(*args: str) -> str:
    r = subprocess.run(["npm", "run", "-s", "driftwatch", "--", *args], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"driftwatch {' '.join(args)}: {r.stderr}\n{r.stdout}"
    return r.stdout


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


DAY0 = 1_793_491_200_000  # 2026-11-01T00:00Z
HOUR = 3_600_000


def _write_inputs(d: Path) -> None:
    rnd = random.Random(7)
    # Model "fraud": NDJSON events over three days; some without a score.
    events, truth = [], {}
    for i in range(500):
        ms = DAY0 + int(i * 3 * 24 * HOUR / 500) + rnd.randrange(60_000)
        score = round(rnd.random(), 4)
        truth[f"e-{i}"] = (ms, score)
        ev: Dict[str, Any] = {"model": "fraud", "id": f"e-{i}", "ts": iso(ms), "features": {"amount": round(rnd.lognormvariate(3, 1), 2)}}
        if i % 23 != 5:
            ev["score"] = score
        events.append(ev)
    (d / "events1.ndjson").write_text("".join(json.dumps(e) + "\n" for e in events))
    # Late predictions: their labels come first (ids e-900…e-939), and a new day.
    late = []
    for i in range(900, 940):
        ms = DAY0 + 2 * 24 * HOUR + rnd.randrange(48 * HOUR)
        score = round(rnd.random(), 4)
        truth[f"e-{i}"] = (ms, score)
        late.append({"model": "fraud", "id": f"e-{i}", "ts": iso(ms), "features": {"amount": 1.5}, "score": score})
    (d / "events2.ndjson").write_text("".join(json.dumps(e) + "\n" for e in late))

    def label_of(score: float) -> int:
        return 1 if rnd.random() < score else 0

    spellings = {1: ["1", "true", "Yes", "1.0", "T"], 0: ["0", "false", "no", "0.0", "N"]}
    rows = []
    for i in list(range(0, 500, 1))[:350] + list(range(900, 940)):
        ms, score = truth[f"e-{i}"]
        y = label_of(score)
        label = rnd.choice(spellings[y])
        if i % 41 == 3:
            label = "maybe"  # unusable
        elif i % 37 == 4:
            label = "0.25"  # a number: regression only
        rows.append([f"e-{i}", label, iso(ms + rnd.randrange(7 * 24 * HOUR, 21 * 24 * HOUR))])
    rows.append(["e-10", "1", iso(DAY0 + 40 * 24 * HOUR)])  # repeated in the file: the latest counts
    rows += [[f"nobody-{i}", "1", iso(DAY0 + 20 * 24 * HOUR)] for i in range(12)]  # never matched
    with open(d / "labels1.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "ts"])
        w.writerows(rows)
    # Second file: corrections (later ts, flipped), stale statements (earlier ts: ignored), new labels.
    second = []
    for i in range(0, 60, 2):
        second.append({"model": "fraud", "id": f"e-{i}", "ts": iso(DAY0 + 45 * 24 * HOUR), "label": 1 - label_of(truth[f"e-{i}"][1])})
    for i in range(61, 80, 2):
        second.append({"model": "fraud", "id": f"e-{i}", "ts": iso(DAY0 - HOUR), "label": True})
    for i in range(350, 420):
        second.append({"model": "fraud", "id": f"e-{i}", "ts": iso(truth[f"e-{i}"][0] + 3 * 24 * HOUR), "label": label_of(truth[f"e-{i}"][1])})
    (d / "labels2.ndjson").write_text("".join(json.dumps(e) + "\n" for e in second))
    # Model "tab": a wide CSV table (raw Parquet) with ids and a score.
    with open(d / "table.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row_id", "when", "x", "p"])
        for i in range(300):
            w.writerow([f"t-{i}", iso(DAY0 + i * 12 * 60_000), round(rnd.gauss(0, 1), 3), round(rnd.random(), 3)])
    with open(d / "tab-labels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "ts"])
        for i in range(0, 300, 2):
            w.writerow([f"t-{i}", rnd.choice(["0", "1"]), iso(DAY0 + 10 * 24 * HOUR + i * 1000)])


@pytest.fixture(scope="module")
def ts_store(tmp_path_factory) -> Path:
    """A store whose performance files the TypeScript engine wrote."""
    if shutil.which("npm") is None:
        pytest.skip("npm is needed to make the reference store")
    d = tmp_path_factory.mktemp("labels")
    _write_inputs(d)
    store = str(d / "store")
    cli("init", "--store", store)
    cli("ingest", "--store", store, "--model", "fraud", "--file", str(d / "events1.ndjson"))
    cli("ingest", "--store", store, "--model", "tab", "--file", str(d / "table.csv"), "--id-col", "row_id", "--timestamp-col", "when", "--score-col", "p")
    cli("labels", "add", "--store", store, "--model", "fraud", "--file", str(d / "labels1.csv"))
    cli("labels", "add", "--store", store, "--model", "fraud", "--file", str(d / "labels2.ndjson"))
    cli("labels", "add", "--store", store, "--model", "fraud", "--file", str(d / "labels2.ndjson"))  # again: nothing new
    cli("labels", "add", "--store", store, "--model", "tab", "--file", str(d / "tab-labels.csv"))
    cli("ingest", "--store", store, "--model", "fraud", "--file", str(d / "events2.ndjson"))
    cli("profile", "--store", store)  # the late predictions join their labels here
    return Path(store)


def strip_performance(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
    for m in (dst / "models").iterdir():
        shutil.rmtree(m / "profiles" / "performance", ignore_errors=True)
        (m / "state" / "performance-state.json").unlink(missing_ok=True)


def as_digest(d: Dict[str, Any]) -> Digest:
    return Digest(means=np.asarray(d["means"], dtype=np.float64), weights=np.asarray(d["weights"], dtype=np.float64), min=d["min"], max=d["max"], count=d["count"], compression=d["compression"])


def close_sum(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a))


def compare_store(ts: Path, sp: Path, model: str) -> Dict[str, Any]:
    """Every performance file of `model` in both stores; the worst differences found."""
    worst = {"files": 0, "periods": 0, "sum_rel": 0.0, "rank": 0.0, "digests_identical": 0, "digests": 0}
    a_files = sorted(glob.glob(str(ts / "models" / model / "profiles" / "performance" / "*.json")))
    b_files = sorted(glob.glob(str(sp / "models" / model / "profiles" / "performance" / "*.json")))
    assert [Path(f).name for f in a_files] == [Path(f).name for f in b_files]
    assert a_files, f"no performance files for {model}"
    for fa, fb in zip(a_files, b_files):
        A, B = json.loads(Path(fa).read_text()), json.loads(Path(fb).read_text())
        assert list(A) == list(B)
        assert {k: A[k] for k in ("format", "model", "day", "threshold")} == {k: B[k] for k in ("format", "model", "day", "threshold")}
        assert [(p["period_start"], p["period_end"]) for p in A["periods"]] == [(p["period_start"], p["period_end"]) for p in B["periods"]], fa
        worst["files"] += 1
        for x, y in zip(A["periods"], B["periods"]):
            worst["periods"] += 1
            assert list(x) == list(y)
            for k in ("predictions", "labelled", "positives", "unusable_labels", "tp", "fp", "tn", "fn"):
                assert x[k] == y[k], (fa, x["period_start"], k)
            for k in ("n", "pct_count"):
                assert x["regression"][k] == y["regression"][k], (fa, x["period_start"], k)
            sums = [(x[k], y[k]) for k in ("logloss_sum", "brier_sum")] + [(x["regression"][k], y["regression"][k]) for k in ("sum_abs", "sum_sq", "sum_abs_pct")]
            for u, v in sums:
                assert close_sum(u, v), (fa, x["period_start"], u, v)
                worst["sum_rel"] = max(worst["sum_rel"], abs(u - v) / max(1.0, abs(u)))
            for g in ("pos", "neg", "all", "delay"):
                da, db = x[g], y[g]
                assert list(da) == list(db) == ["count", "min", "max", "means", "weights", "compression"]
                assert (da["count"], da["min"], da["max"], da["compression"]) == (db["count"], db["min"], db["max"], db["compression"]), (fa, g)
                worst["digests"] += 1
                if da["means"] == db["means"] and da["weights"] == db["weights"]:
                    worst["digests_identical"] += 1
                    continue
                ta, tb = as_digest(da), as_digest(db)
                for q in QS:
                    r = abs(cdf(tb, quantile(ta, q)) - cdf(ta, quantile(ta, q)))
                    worst["rank"] = max(worst["rank"], r)
                    assert r <= 1e-3, (fa, g, q, r)
    return worst


def realised(store: Path, model: str, *extra: str) -> List[Dict[str, Any]]:
    out = json.loads(cli("performance", "--store", str(store), "--model", model, "--json", *extra))
    return out["windows"]


def compare_realised(ts: Path, sp: Path, model: str, *extra: str) -> float:
    worst = 0.0
    wa, wb = realised(ts, model, *extra), realised(sp, model, *extra)
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        for k in ("from", "to", "task", "predictions", "labelled", "coverage"):
            assert x[k] == y[k], k
        assert (x["realised"] is None) == (y["realised"] is None)
        for part in ("realised", "realised_regression"):
            if x.get(part) is None:
                assert y.get(part) is None
                continue
            for k, u in x[part].items():
                v = y[part][k]
                if isinstance(u, (int, float)) and not isinstance(u, bool):
                    assert abs(u - v) <= 1e-3, (part, k, u, v)
                    worst = max(worst, abs(u - v))
        if x["label_delay_hours"] is not None:
            for k in ("p50", "p90"):
                assert abs(x["label_delay_hours"][k] - y["label_delay_hours"][k]) <= 1e-3 * max(1.0, abs(x["label_delay_hours"][k]))
    return worst


def test_numbers_and_json_as_javascript_writes_them() -> None:
    cases = {1.0: "1", 0.5: "0.5", -2.0: "-2", 1e-7: "1e-7", 1.5e-7: "1.5e-7", 0.000001: "0.000001", 1e21: "1e+21", 1e20: "100000000000000000000",
             123456.789: "123456.789", 5e-324: "5e-324", 0.1 + 0.2: "0.30000000000000004", 1.7976931348623157e308: "1.7976931348623157e+308", -0.0: "0", 3: "3"}
    for x, want in cases.items():
        assert js_number(x) == want, x
    assert js_number(float("nan")) == "null"
    assert js_json({"a": [1.0, 2.5, None], "b": "é\n", "c": {"d": True}}) == '{"a":[1,2.5,null],"b":"é\\n","c":{"d":true}}'


def test_threshold_from_config_yaml(spark, tmp_path) -> None:
    from driftwatch_spark.store import Store

    store = Store(spark, str(tmp_path))
    assert read_threshold(store) == 0.5
    store.write("config.yaml", "ingest:\n  earliest: 2000-01-01\nperformance:\n  # comment\n  threshold: 0.7   # note\n  min_coverage: 0.5\nmodels: {}\n")
    assert read_threshold(store) == 0.7
    store.write("config.yaml", "performance: { threshold: 0.25, min_coverage: 0.4 }\n")
    assert read_threshold(store) == 0.25


def test_spark_writes_the_performance_files_the_ts_engine_writes(spark, ts_store, tmp_path) -> None:
    from driftwatch_spark.store import Store

    sp = tmp_path / "spark-store"
    strip_performance(ts_store, sp)
    store = Store(spark, str(sp))
    t0 = time.perf_counter()
    results = {m: profile_performance(spark, store, m) for m in ("fraud", "tab")}
    elapsed = time.perf_counter() - t0
    for m, r in results.items():
        state_ts = json.loads((ts_store / "models" / m / "state" / "performance-state.json").read_text())
        state_sp = json.loads((sp / "models" / m / "state" / "performance-state.json").read_text())
        assert state_sp == state_ts, m
        assert {k: r[k] for k in ("labels", "matched", "corrected")} == state_ts["counts"]
        worst = compare_store(ts_store, sp, m)
        print(f"\n{m}: {worst} ({r}); spark join of both models {elapsed:.1f} s")
    # The files' cases are really there: corrections, unmatched labels, unusable labels, regression labels.
    fraud = json.loads((ts_store / "models" / "fraud" / "state" / "performance-state.json").read_text())["counts"]
    assert fraud["corrected"] > 0 and fraud["labels"] > fraud["matched"] > 0
    days = [json.loads(Path(f).read_text()) for f in glob.glob(str(sp / "models" / "fraud" / "profiles" / "performance" / "*.json"))]
    day_periods = [p for d in days for p in d["periods"] if p["period_end"] - p["period_start"] > HOUR]
    assert sum(p["unusable_labels"] for p in day_periods) > 0 and sum(p["regression"]["n"] for p in day_periods) > 0
    worst = max(compare_realised(ts_store, sp, "fraud", "--window", "30d"), compare_realised(ts_store, sp, "fraud", "--window", "4d", "--step", "1d"), compare_realised(ts_store, sp, "tab", "--window", "30d"))
    print(f"realised metrics, worst difference {worst:.2e}")


def test_incremental_like_the_ts_engine(spark, ts_store, tmp_path) -> None:
    from driftwatch_spark.store import Store

    sp = tmp_path / "spark-store"
    strip_performance(ts_store, sp)
    store = Store(spark, str(sp))
    first = profile_performance(spark, store, "fraud")
    assert first["days"] == 4  # three days of events, and a fourth of late predictions
    key = sp / "models" / "fraud" / "profiles" / "performance" / "day=2026-11-02.json"
    before = key.stat().st_mtime_ns
    again = profile_performance(spark, store, "fraud")
    assert again == {**first, "days": 0}
    assert key.stat().st_mtime_ns == before
    forced = profile_performance(spark, store, "fraud", days=["2026-11-02"])
    assert forced["days"] == 1 and forced["matched"] == first["matched"]
    # Another threshold: every day again, and the TS files at that threshold are matched.
    other = profile_performance(spark, store, "fraud", threshold=0.3)
    assert other["days"] == 4
    doc = json.loads(key.read_text())
    assert doc["threshold"] == 0.3
    day = doc["periods"][-1]
    assert day["tp"] + day["fn"] == day["positives"] and day["tp"] + day["fp"] + day["tn"] + day["fn"] == day["labelled"]


def test_model_without_score_or_labels_writes_nothing(spark, ts_store, tmp_path) -> None:
    from driftwatch_spark.store import Store

    sp = tmp_path / "spark-store"
    strip_performance(ts_store, sp)
    shutil.rmtree(sp / "models" / "tab" / "raw" / "labels")
    store = Store(spark, str(sp))
    assert profile_performance(spark, store, "tab") == {"days": 0, "labels": 0, "matched": 0, "corrected": 0}
    assert not (sp / "models" / "tab" / "state" / "performance-state.json").exists()
    with pytest.raises(ValueError):
        profile_performance(spark, store, "../etc")


@pytest.mark.slow
def test_demo_store(spark, tmp_path) -> None:
    from driftwatch_spark.store import Store

    demo = Path(os.environ.get("DRIFTWATCH_SPARK_DEMO_STORE", str(tmp_path / "demo")))
    if not (demo / "models").exists():
        cli("demo", "--store", str(demo), "--no-serve")
    sp = tmp_path / "demo-spark"
    strip_performance(demo, sp)
    store = Store(spark, str(sp))
    t0 = time.perf_counter()
    r = profile_performance(spark, store, "checkout-fraud")
    elapsed = time.perf_counter() - t0
    assert json.loads((sp / "models" / "checkout-fraud" / "state" / "performance-state.json").read_text()) == json.loads((demo / "models" / "checkout-fraud" / "state" / "performance-state.json").read_text())
    worst = compare_store(demo, sp, "checkout-fraud")
    metrics = compare_realised(demo, sp, "checkout-fraud", "--window", "30d")
    metrics = max(metrics, compare_realised(demo, sp, "checkout-fraud", "--window", "30d", "--step", "1d"))
    print(f"\ndemo: {r}, spark join {elapsed:.1f} s on {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f}); {worst}; realised worst {metrics:.2e}")
    assert math.isfinite(elapsed)
