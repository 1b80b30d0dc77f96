"""End to end on the demo store (`driftwatch demo`: 30 days, ~291k predictions, 21 features): the
Spark job's packs, rollups, state and `compare` verdicts equal the embedded engine's."""
from __future__ import annotations

import json
import os
import shutil
import time
from typing import Any

import pytest

from driftwatch_spark import profile_job

from test_job_small import assert_rows_equal, cli

MODEL = "checkout-fraud"

# Minutes on two cores: outside test:all, whose test/integration/spark/equivalence.test.ts runs the same
# comparison through `driftwatch profile --engine spark`. Run with `-m slow`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory, spark):
    base = tmp_path_factory.mktemp("demo")
    ts_root = str(base / "ts")
    cli("demo", "--store", ts_root, "--days", "30", "--no-serve")
    spark_root = str(base / "spark")
    shutil.copytree(ts_root, spark_root)
    model_dir = os.path.join(spark_root, "models", MODEL)
    shutil.rmtree(os.path.join(model_dir, "profiles", "hourly"))
    for kind in ("daily", "6-hourly", "weekly"):
        shutil.rmtree(os.path.join(model_dir, "profiles", kind), ignore_errors=True)
    os.remove(os.path.join(model_dir, "state", "profile-state.json"))
    started = time.time()
    profile_job.run(spark, spark_root, [MODEL])
    seconds = time.time() - started
    print(f"\ndemo store: Spark job {seconds:.1f} s (local[2], warm session, load {os.getloadavg()[0]:.1f})")
    return {"ts": ts_root, "spark": spark_root}


def pack_rows(root: str, kind: str) -> dict:
    from driftwatch_spark.parquet_io import read_summary_parquet

    d = os.path.join(root, "models", MODEL, "profiles", kind)
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = read_summary_parquet(f.read())
    return out


def test_demo_packs_equal(demo):
    for kind in ("hourly", "daily", "6-hourly", "weekly"):
        ts, sp = pack_rows(demo["ts"], kind), pack_rows(demo["spark"], kind)
        assert sorted(ts) == sorted(sp), kind
        for name in ts:
            assert_rows_equal(ts[name], sp[name], f"{kind}/{name}")


def test_demo_state_equal(demo):
    def load(root: str) -> Any:
        with open(os.path.join(root, "models", MODEL, "state", "profile-state.json"), encoding="utf-8") as f:
            return json.load(f)

    assert load(demo["spark"]) == load(demo["ts"])


def test_demo_compare_equal(demo):
    def compare(root: str) -> Any:
        out = json.loads(cli("compare", "--store", root, "--model", MODEL, "--window", "24h", "--json"))
        return json.loads(json.dumps(out).replace(root, "S"))

    assert compare(demo["spark"]) == compare(demo["ts"])
