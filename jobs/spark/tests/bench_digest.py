"""Build throughput of the NumPy digest on 1e6 normal values, against np.sort of the same array
(the floor: the build sorts once). Figures are CPU time, best of a few runs. Run: .cache/spark/venv/bin/python jobs/spark/tests/bench_digest.py"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from driftwatch_spark.digest import build_digest, merge_digests  # noqa: E402


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Best CPU time of a few runs (wall time swings on a shared machine; this is single-threaded)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    shapes = {
        "normal": rng.normal(10, 2, n),
        "lognormal": rng.lognormal(0, 1, n),
        "integers 0-99": rng.integers(0, 100, n).astype(np.float64),
        "30% spike at 0": np.where(rng.random(n) < 0.3, 0.0, rng.normal(5, 1, n)),
    }
    for name, values in shapes.items():
        t_sort = best_of(5, lambda: np.sort(values))
        t_build = best_of(5, lambda: build_digest(values))
        size = build_digest(values)[0].size
        print(f"{name:16s} n={n:,}: np.sort {t_sort * 1e3:6.1f} ms ({n / t_sort / 1e6:5.1f} M/s) · build_digest {t_build * 1e3:6.1f} ms ({n / t_build / 1e6:5.1f} M/s, {size} centroids)")
    hours = [build_digest(rng.normal(10, 2, 10_000))[0] for _ in range(720)]
    for count in (24, 720):
        t_merge = best_of(3, lambda: merge_digests(hours[:count]))
        print(f"merge {count} hourly digests of 10,000 values ({sum(d.size for d in hours[:count]):,} centroids): {t_merge * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
