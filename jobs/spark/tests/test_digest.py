"""The NumPy digest against the TypeScript one (fixtures/digest_cases.json from make_fixtures.ts):
same centroids (weights exactly, means bit for bit), same non-finite counts, same quantiles/CDF."""
from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # jobs/spark, without a conftest

from driftwatch_spark.digest import Digest, build_digest, cdf, js_asin, js_sin, make_digest, merge_digests, quantile

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "digest_cases.json").read_text())


def uniforms(seed: int, n: int) -> np.ndarray:
    """mulberry32 (make_fixtures.ts), vectorised: its state is a counter."""
    a = ((seed + np.arange(1, n + 1, dtype=np.uint64) * 0x6D2B79F5) & 0xFFFFFFFF).astype(np.uint32)
    t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
    t = (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))) ^ t
    return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


def bell(seed: int, n: int) -> np.ndarray:
    u = uniforms(seed, 12 * n).reshape(n, 12)
    s = np.zeros(n)
    for k in range(12):
        s = s + u[:, k]
    return s - 6


def generate(spec: Dict[str, Any]) -> np.ndarray:
    gen = spec["gen"]
    if gen == "list":
        return np.array([float(v) for v in spec["values"]], dtype=np.float64)
    if gen == "constant":
        return np.full(spec["n"], float(spec["value"]))
    n, seed = spec["n"], spec["seed"]
    z = bell(seed, n)
    u = uniforms(seed + 1, n)
    u2 = uniforms(seed + 2, n)
    if gen == "normal":
        return 10 + 2 * z
    if gen == "lognormal":
        b = 1 + z / 16
        for _ in range(4):
            b = b * b
        return b
    if gen == "bimodal":
        return np.where(u < 0.4, z, 8 + 0.5 * z)
    if gen == "integers":
        return np.floor(u * 50) + np.floor(u2 * 50) - 20
    if gen == "spike0":
        return np.where(u < 0.3, 0.0, 5 + z)
    if gen == "booleans":
        return np.where(u < 0.37, 1.0, 0.0)
    if gen == "pareto":
        return 1 / (1 - u)
    if gen == "rounded":
        return np.floor(z * 1000 + 0.5) / 1000
    if gen == "clusters":
        return np.floor(u * u * 5) * 1e6 + z
    raise ValueError(gen)


def as_digest(d: Dict[str, Any]) -> Digest:
    return make_digest(np.array(d["means"], dtype=np.float64), np.array(d["weights"], dtype=np.float64), d["min"] if d["min"] is not None else math.nan, d["max"] if d["max"] is not None else math.nan, d["compression"])


def assert_same_digest(got: Digest, want: Dict[str, Any]) -> None:
    assert got.count == want["count"]
    assert got.compression == want["compression"]
    if want["count"] == 0:
        assert got.size == 0 and math.isnan(got.min) and math.isnan(got.max)
        return
    assert got.min == want["min"] and got.max == want["max"]
    assert got.weights.tolist() == want["weights"]
    # Bit for bit: each centroid's sum is accumulated in the TS loop's order.
    assert got.means.tolist() == want["means"]


BUILDS = FIXTURES["builds"]
MERGES = FIXTURES["merges"]


@pytest.mark.parametrize("case", BUILDS, ids=[c["name"] for c in BUILDS])
def test_build_equals_typescript(case: Dict[str, Any]) -> None:
    values = generate(case["spec"])
    assert hashlib.sha256(values.astype("<f8").tobytes()).hexdigest() == case["input_sha256"], "input generator differs from make_fixtures.ts"
    before = values.copy()
    digest, nan, pos_inf, neg_inf = build_digest(values, case["compression"])
    assert np.array_equal(before, values, equal_nan=True) and np.array_equal(np.signbit(before), np.signbit(values)), "input modified"
    assert (nan, pos_inf, neg_inf) == (case["nan"], case["pos_inf"], case["neg_inf"])
    assert_same_digest(digest, case["digest"])
    assert not np.any(np.signbit(digest.means) & (digest.means == 0)), "-0 stored"
    # The query ports give the TS numbers exactly.
    if digest.count:
        assert [quantile(digest, (i + 1) / 100) for i in range(99)] == case["quantiles"]
    for x, want in case["cdf"]:
        assert cdf(digest, x) == want


@pytest.mark.parametrize("case", MERGES, ids=[c["name"] for c in MERGES])
def test_merge_equals_typescript(case: Dict[str, Any]) -> None:
    parts = [build_digest(generate(spec))[0] for spec in case["parts"]]
    assert [p.size for p in parts] == case["part_sizes"]
    merged = merge_digests(parts, case["compression"])
    assert_same_digest(merged, case["digest"])
    assert [quantile(merged, (i + 1) / 100) for i in range(99)] == case["quantiles"]


def centroid_hash(d: Digest) -> str:
    return hashlib.sha256(np.concatenate([d.means, d.weights]).astype("<f8").tobytes()).hexdigest()


SWEEP = FIXTURES["sweep"]


@pytest.mark.parametrize("case", SWEEP["builds"], ids=[f'{c["spec"]["gen"]}-{c["spec"]["n"]}-d{c["compression"]}-{i}' for i, c in enumerate(SWEEP["builds"])])
def test_sweep_build_equals_typescript(case: Dict[str, Any]) -> None:
    digest = build_digest(generate(case["spec"]), case["compression"])[0]
    assert (digest.size, centroid_hash(digest)) == (case["size"], case["hash"])


@pytest.mark.parametrize("case", SWEEP["merges"], ids=[f'{len(c["parts"])}-parts-d{c["compression"]}-{i}' for i, c in enumerate(SWEEP["merges"])])
def test_sweep_merge_equals_typescript(case: Dict[str, Any]) -> None:
    compression = case["compression"]
    merged = merge_digests([build_digest(generate(p), compression)[0] for p in case["parts"]], compression)
    assert (merged.size, centroid_hash(merged)) == (case["size"], case["hash"])


def test_trig_equals_v8() -> None:
    """nextLimit's k1 limit needs V8's asin/sin to the last bit (glibc's differ for ~3% of arguments)."""
    for x, want in FIXTURES["trig"]["asin"]:
        assert js_asin(x) == want, x
    for x, want in FIXTURES["trig"]["sin"]:
        assert js_sin(x) == want, x


def test_batched_merge_is_exercised() -> None:
    case = next(c for c in MERGES if c["name"] == "merge-100-hours-batched")
    assert sum(case["part_sizes"]) > 65_536


def test_exact_below_1143_values() -> None:
    values = generate({"gen": "normal", "n": 1142, "seed": 1})
    digest = build_digest(values)[0]
    assert digest.weights.tolist() == [1.0] * 1142 and np.array_equal(digest.means, np.sort(values))


def test_point_masses_are_two_centroids() -> None:
    values = np.concatenate([np.zeros(3000), np.linspace(1, 2, 7000)])
    digest = build_digest(values)[0]
    assert digest.means[:2].tolist() == [0.0, 0.0] and digest.weights[:2].tolist() == [1500.0, 1500.0]
    assert cdf(digest, 0.0) == 0.3


def test_invariants_on_random_inputs() -> None:
    rng = np.random.default_rng(3)
    cases: List[np.ndarray] = [rng.normal(size=50_000), rng.lognormal(size=30_000), rng.integers(0, 20, 40_000).astype(float), np.round(rng.normal(size=20_000), 2)]
    for values in cases:
        d = build_digest(values)[0]
        assert d.count == values.shape[0] and float(d.weights.sum()) == values.shape[0]
        assert np.all(np.diff(d.means) >= 0) and np.all(d.weights >= 1)
        assert d.min == values.min() and d.max == values.max()
        assert d.min <= d.means[0] and d.means[-1] <= d.max
        # The CDF stays within the documented 1e-3 of the exact one.
        s = np.sort(values)
        for q in (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
            x = s[int(q * (len(s) - 1))]
            exact = np.searchsorted(s, x, side="right") / len(s)
            assert abs(cdf(d, float(x)) - exact) < 1e-3


def test_merge_drops_empty_and_keeps_single() -> None:
    d = build_digest(np.arange(5000.0))[0]
    empty = build_digest(np.array([math.nan]))[0]
    assert merge_digests([empty, d]) is d
    assert merge_digests([empty]).count == 0
