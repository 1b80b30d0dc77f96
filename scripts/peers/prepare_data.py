"""Prepare the peer-harness datasets as Parquet, each with a meta.json of windows and truth.

usage: prepare_data.py --out DIR [--smoke] [--datasets a,b] [--car-loan DIR]

Every dataset directory holds reference.parquet, monitoring.parquet (ISO-8601 UTC `timestamp`
strings) and meta.json: the features by kind, the windows [from, to) that every tool is scored on,
and the truth per window and feature (see docs/peers.md, "Datasets and truth"). Deterministic:
the same arguments give the same bytes. --smoke keeps a small sample with a compressed time span.
"""

from __future__ import annotations

import no_telemetry  # noqa: F401  (before any peer import)
import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
from scipy import stats

ALL = ["car-loan", "car-loan-faults", "car-price", "multiclass", "dense", "sparse"]
SMOKE = ["car-loan-faults"]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def iso(ts: pd.Series) -> pd.Series:
    return pd.to_datetime(ts, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").str.replace(r"\d{3}Z$", "Z", regex=True)


def hour_ceil(t: pd.Timestamp) -> pd.Timestamp:
    return t.ceil("h")


def row_windows(ts: pd.Series, count: int) -> list[dict]:
    """`count` windows of about equal rows, boundaries rounded up to the hour (driftwatch's grain)."""
    t = pd.to_datetime(ts, utc=True).sort_values().reset_index(drop=True)
    n = len(t)
    edges = [t.iloc[0].floor("h")] + [hour_ceil(t.iloc[(k * n) // count]) for k in range(1, count)] + [t.iloc[-1].floor("h") + pd.Timedelta(hours=1)]
    return [{"from": a.strftime("%Y-%m-%dT%H:%M:%SZ"), "to": b.strftime("%Y-%m-%dT%H:%M:%SZ")} for a, b in zip(edges[:-1], edges[1:])]


def window_of(ts: pd.Series, windows: list[dict]) -> np.ndarray:
    t = pd.to_datetime(ts, utc=True).dt.tz_convert(None).to_numpy()
    edges = np.array([pd.Timestamp(w["from"]).to_datetime64() for w in windows] + [pd.Timestamp(windows[-1]["to"]).to_datetime64()])
    idx = np.searchsorted(edges, t, side="right") - 1
    idx[(idx < 0) | (idx >= len(windows))] = -1
    return idx


def compress_time(df: pd.DataFrame, hours: float) -> pd.DataFrame:
    """Smoke samples: keep the row order, squeeze the span to `hours` (windows are by rows, so truth holds)."""
    t = pd.to_datetime(df["timestamp"], utc=True)
    span = (t.iloc[-1] - t.iloc[0]).total_seconds() or 1.0
    out = df.copy()
    out["timestamp"] = T0 + pd.to_timedelta((t - t.iloc[0]).dt.total_seconds() * hours * 3600 / span, unit="s")
    return out


def oracle_truth(ref: pd.DataFrame, mon: pd.DataFrame, windows: list[dict], numeric: list[str], categorical: list[str]) -> dict:
    """Truth where the data's authors document none: an exact two-sample test on the raw rows.
    drift = p < 1e-4; stable = p > 0.01; between = ambiguous (not scored)."""
    w = window_of(mon["timestamp"], windows)
    drift, ambiguous = [], []
    for i in range(len(windows)):
        part = mon[w == i]
        for f in numeric + categorical:
            a, b = ref[f].dropna(), part[f].dropna()
            if len(b) == 0:
                continue
            if f in numeric:
                p = stats.ks_2samp(a.to_numpy(float), b.to_numpy(float), method="asymp").pvalue
            else:
                cats = sorted(set(a.astype(str)) | set(b.astype(str)))
                table = np.array([[int((a.astype(str) == c).sum()) for c in cats], [int((b.astype(str) == c).sum()) for c in cats]])
                table = table[:, table.sum(axis=0) > 0]
                p = stats.chi2_contingency(table, correction=False).pvalue if table.shape[1] > 1 else 1.0
            if p < 1e-4:
                drift.append({"window": i, "feature": f})
            elif p <= 0.01:
                ambiguous.append({"window": i, "feature": f})
    return {"drift": drift, "ambiguous": ambiguous, "source": "derived: exact KS / chi-square on raw rows, drift p < 1e-4, stable p > 0.01, ambiguous between (not scored)"}


def write(out: str, name: str, ref: pd.DataFrame, mon: pd.DataFrame, meta: dict) -> None:
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    cols = meta["numeric"] + meta["categorical"] + ["timestamp"]
    for frame, file in ((ref, "reference.parquet"), (mon, "monitoring.parquet")):
        f = frame[cols].copy()
        f["timestamp"] = iso(f["timestamp"])
        for c in meta["categorical"]:
            f[c] = f[c].astype("string")
        f.to_parquet(os.path.join(d, file), index=False, row_group_size=100_000)
    meta = {**meta, "name": name, "reference_rows": len(ref), "monitoring_rows": len(mon)}
    with open(os.path.join(d, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1)


CAR_LOAN_NUMERIC = ["car_value", "debt_to_income_ratio", "loan_length", "driver_tenure"]
CAR_LOAN_CATEGORICAL = ["salary_range", "size_of_downpayment", "repaid_loan_on_prev_car"]


def load_car_loan(src: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ref = pd.read_parquet(os.path.join(src, "reference_synthetic_car_loan.parquet"))
    mon = pd.read_parquet(os.path.join(src, "monitoring_synthetic_car_loan.parquet"))
    for f in (ref, mon):
        f["repaid_loan_on_prev_car"] = f["repaid_loan_on_prev_car"].map({True: "true", False: "false"})
    return ref, mon


def car_loan(out: str, src: str, smoke: bool) -> None:
    ref, mon = load_car_loan(src)
    if smoke:
        ref, mon = compress_time(ref.iloc[::10], 240), compress_time(mon.iloc[::10], 240)
    windows = row_windows(mon["timestamp"], 10)
    # NannyML's quickstart: loan_length, salary_range, car_value and repaid_loan_on_prev_car drift
    # "from the second half of the analysis period"; the data's README: from about 2019-03-31.
    drifting = ["car_value", "salary_range", "repaid_loan_on_prev_car", "loan_length"]
    drift = [{"window": i, "feature": f} for i in range(5, 10) for f in drifting]
    write(out, "car-loan", ref, mon, {
        "title": "NannyML synthetic car loan (binary classification)",
        "numeric": CAR_LOAN_NUMERIC, "categorical": CAR_LOAN_CATEGORICAL, "windows": windows,
        "truth": {"drift": drift, "ambiguous": [], "source": "documented: NannyML quickstart (docs/quick.rst, 'Insights') and ../shared/data/car-loan/README.md"},
    })


def car_loan_faults(out: str, src: str, smoke: bool) -> None:
    ref, mon = load_car_loan(src)
    mon = mon.iloc[:25_000].copy()  # the documented quiet half: before 2019-03-31
    if smoke:
        ref, mon = compress_time(ref.iloc[::10], 240), compress_time(mon.iloc[::5], 100)
    mon = mon.reset_index(drop=True)
    windows = row_windows(mon["timestamp"], 10)
    w = window_of(mon["timestamp"], windows)
    rng = np.random.default_rng(11)
    nulls = (w == 2) & (rng.random(len(mon)) < 0.3)
    mon.loc[nulls, "debt_to_income_ratio"] = np.nan
    newcat = (w == 5) & (rng.random(len(mon)) < 0.2)
    mon.loc[newcat, "size_of_downpayment"] = "60%"
    mon.loc[w == 7, "driver_tenure"] = mon.loc[w == 7, "driver_tenure"] * 1000
    drift = [{"window": 2, "feature": "debt_to_income_ratio"}, {"window": 5, "feature": "size_of_downpayment"}, {"window": 7, "feature": "driver_tenure"}]
    write(out, "car-loan-faults", ref, mon, {
        "title": "car loan, quiet half of the monitoring period, with injected faults",
        "numeric": CAR_LOAN_NUMERIC, "categorical": CAR_LOAN_CATEGORICAL, "windows": windows,
        "faults": {"nulls": "window 2: 30% of debt_to_income_ratio null", "new_category": "window 5: 20% of size_of_downpayment = '60%' (unseen)", "unit_change": "window 7: driver_tenure x1000"},
        "truth": {"drift": drift, "ambiguous": [], "source": "injected (this script); the untouched rows are the documented quiet half (before 2019-03-31)"},
    })


def nannyml_set(out: str, name: str, smoke: bool) -> None:
    import nannyml as nml

    if name == "car-price":
        ref, mon, _ = nml.load_synthetic_car_price_dataset()
        numeric = ["car_age", "km_driven", "price_new", "accident_count", "door_count"]
        categorical = ["fuel", "transmission"]
        title = "NannyML synthetic car price (regression)"
    else:
        ref, mon, _ = nml.load_synthetic_multiclass_classification_dataset()
        numeric = ["app_behavioral_score", "requested_credit_limit", "credit_bureau_score", "stated_income"]
        categorical = ["acq_channel", "app_channel", "is_customer"]
        title = "NannyML synthetic multiclass (credit card product)"
    for f in (ref, mon):
        for c in categorical:
            f[c] = f[c].astype(str)
    if smoke:
        ref, mon = compress_time(ref.iloc[::10], 240), compress_time(mon.iloc[::10], 240)
    windows = row_windows(mon["timestamp"], 10)
    write(out, name, ref, mon, {"title": title, "numeric": numeric, "categorical": categorical, "windows": windows, "truth": oracle_truth(ref, mon, windows, numeric, categorical)})


def synthetic_frame(rng: np.random.Generator, n: int, n_num: int, n_cat: int) -> pd.DataFrame:
    cols = {f"num_{i}": rng.normal(10 + i, 1 + i % 5, n).astype(np.float32) for i in range(n_num)}
    probs = np.array([0.4, 0.3, 0.2, 0.1])
    for i in range(n_cat):
        cols[f"cat_{i}"] = np.array(["a", "b", "c", "d"])[rng.choice(4, n, p=probs)]
    return pd.DataFrame(cols)


def dense(out: str, smoke: bool) -> None:
    """1 M rows x 56 features (40 numeric, 16 categorical) over 30 days; 10 windows of 3 days."""
    rng = np.random.default_rng(56)
    rows, ref_rows, days = (20_000, 10_000, 3) if smoke else (1_000_000, 100_000, 30)
    n_num, n_cat = 40, 16
    ref = synthetic_frame(rng, ref_rows, n_num, n_cat)
    ref["timestamp"] = T0 - timedelta(days=7) + pd.to_timedelta(np.sort(rng.random(ref_rows)) * 7 * 86400, unit="s")
    mon = synthetic_frame(rng, rows, n_num, n_cat)
    mon["timestamp"] = T0 + pd.to_timedelta(np.sort(rng.random(rows)) * days * 86400, unit="s")
    windows = [{"from": (T0 + timedelta(hours=k * days * 24 // 10)).strftime("%Y-%m-%dT%H:%M:%SZ"), "to": (T0 + timedelta(hours=(k + 1) * days * 24 // 10)).strftime("%Y-%m-%dT%H:%M:%SZ")} for k in range(10)]
    w = window_of(mon["timestamp"], windows)
    late, last = np.isin(w, [6, 7]), np.isin(w, [8, 9])
    mon.loc[late, "num_0"] += 0.3 * 1  # num_0 has sd 1: a 0.3 sd shift
    mon.loc[late, "num_1"] = 11 + (mon.loc[late, "num_1"] - 11) * 1.5  # spread x1.5
    flip = late & (rng.random(rows) < 0.15)
    mon.loc[flip, "cat_0"] = "d"  # d: 10% -> about 23%
    mon.loc[last, "num_2"] += 0.1 * 3  # num_2 has sd 3: a small 0.1 sd shift
    drift = [{"window": i, "feature": f} for i in (6, 7) for f in ("num_0", "num_1", "cat_0")] + [{"window": i, "feature": "num_2"} for i in (8, 9)]
    write(out, "dense", ref, mon, {
        "title": f"synthetic dense, {rows:,} rows x 56 features over {days} days",
        "numeric": [f"num_{i}" for i in range(n_num)], "categorical": [f"cat_{i}" for i in range(n_cat)], "windows": windows,
        "truth": {"drift": drift, "ambiguous": [], "source": "by construction (this script): num_0 +0.3 sd, num_1 spread x1.5, cat_0 'd' 10% -> 23% in windows 6-7; num_2 +0.1 sd in windows 8-9"},
    })


def sparse(out: str, smoke: bool) -> None:
    """50 k rows spread over 24,000 hours (about 2 an hour); 10 windows of 2,400 hours. Starts in
    2023 so that the whole span is in the past (driftwatch rejects rows from the future)."""
    rng = np.random.default_rng(24)
    T0 = datetime(2023, 1, 1, tzinfo=timezone.utc)
    rows, hours = (5_000, 2_400) if smoke else (50_000, 24_000)
    ref = synthetic_frame(rng, 10_000, 6, 2)
    ref["timestamp"] = T0 - timedelta(days=30) + pd.to_timedelta(np.sort(rng.random(10_000)) * 30 * 86400, unit="s")
    mon = synthetic_frame(rng, rows, 6, 2)
    mon["timestamp"] = T0 + pd.to_timedelta(np.sort(rng.random(rows)) * hours * 3600, unit="s")
    windows = [{"from": (T0 + timedelta(hours=k * hours // 10)).strftime("%Y-%m-%dT%H:%M:%SZ"), "to": (T0 + timedelta(hours=(k + 1) * hours // 10)).strftime("%Y-%m-%dT%H:%M:%SZ")} for k in range(10)]
    w = window_of(mon["timestamp"], windows)
    late = w >= 7
    mon.loc[late, "num_0"] += 0.5
    flip = late & (rng.random(rows) < 0.2)
    mon.loc[flip, "cat_0"] = "a"
    drift = [{"window": i, "feature": f} for i in (7, 8, 9) for f in ("num_0", "cat_0")]
    write(out, "sparse", ref, mon, {
        "title": f"synthetic sparse, {rows:,} rows over {hours:,} hours",
        "numeric": [f"num_{i}" for i in range(6)], "categorical": [f"cat_{i}" for i in range(2)], "windows": windows,
        "truth": {"drift": drift, "ambiguous": [], "source": "by construction (this script): num_0 +0.5 sd and cat_0 'a' 40% -> 52% in windows 7-9"},
    })


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--datasets", default="")
    ap.add_argument("--car-loan", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/car-loan"))
    a = ap.parse_args()
    names = [n for n in a.datasets.split(",") if n] or (SMOKE if a.smoke else ALL)
    for name in names:
        if name not in ALL:
            sys.exit(f"prepare_data: unknown dataset {name}; known: {', '.join(ALL)}")
        if os.path.exists(os.path.join(a.out, name, "meta.json")):
            continue
        print(f"prepare_data: {name}", file=sys.stderr)
        if name == "car-loan":
            car_loan(a.out, a.car_loan, a.smoke)
        elif name == "car-loan-faults":
            car_loan_faults(a.out, a.car_loan, a.smoke)
        elif name in ("car-price", "multiclass"):
            nannyml_set(a.out, name, a.smoke)
        elif name == "dense":
            dense(a.out, a.smoke)
        else:
            sparse(a.out, a.smoke)


if __name__ == "__main__":
    main()
