"""Run one peer tool on one prepared dataset, in its documented default style; print flags as JSON.

usage: run_peer.py nannyml|evidently|whylogs DATASET_DIR

Output: {"tool", "version", "flags": {method: [[window, feature], ...]}, "notes": [...]}. Windows are
the dataset's meta.json windows (the same ones driftwatch compares), one chunk / report / profile each.
"""

from __future__ import annotations

import no_telemetry  # noqa: F401  (before any peer import)
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def load(d: str) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    with open(os.path.join(d, "meta.json")) as fh:
        meta = json.load(fh)
    ref = pd.read_parquet(os.path.join(d, "reference.parquet"))
    mon = pd.read_parquet(os.path.join(d, "monitoring.parquet"))
    for f in (ref, mon):
        f["timestamp"] = pd.to_datetime(f["timestamp"], utc=True)
        for c in meta["categorical"]:
            f[c] = f[c].astype(object)
    edges = [pd.Timestamp(w["from"]) for w in meta["windows"]] + [pd.Timestamp(meta["windows"][-1]["to"])]
    idx = np.searchsorted(np.array([e.to_datetime64() for e in edges]), mon["timestamp"].dt.tz_convert(None).to_numpy(), side="right") - 1
    mon["__window"] = idx
    mon = mon[(idx >= 0) & (idx < len(meta["windows"]))]
    return meta, ref, mon


def run_nannyml(meta: dict, ref: pd.DataFrame, mon: pd.DataFrame) -> dict:
    import nannyml as nml
    from nannyml.chunk import Chunk, Chunker, DefaultChunker

    class WindowChunker(Chunker):
        """One chunk per harness window (NannyML's own chunkers split by size, count or period);
        the reference, which has no windows, is chunked by NannyML's default (10 chunks)."""

        def _split(self, data: pd.DataFrame) -> list:
            if "__window" not in data.columns:
                return DefaultChunker()._split(data)
            return [Chunk(key=str(int(w)), data=part.drop(columns="__window")) for w, part in data.groupby("__window", sort=True)]

    features = meta["numeric"] + meta["categorical"]
    calc = nml.UnivariateDriftCalculator(
        column_names=features,
        treat_as_categorical=meta["categorical"],
        timestamp_column_name="timestamp",
        continuous_methods=["kolmogorov_smirnov", "jensen_shannon"],
        categorical_methods=["chi2", "jensen_shannon"],
        chunker=WindowChunker(),
    )
    calc.fit(ref)
    res = calc.calculate(mon).filter(period="analysis").to_df()
    keys = res[("chunk", "chunk", "key")].astype(int).tolist()
    flags: dict[str, list] = {"ks": [], "js": []}
    for f in features:
        for method, label in (("kolmogorov_smirnov", "ks"), ("chi2", "ks"), ("jensen_shannon", "js")):
            if (f, method, "alert") not in res.columns:
                continue
            for w, alert in zip(keys, res[(f, method, "alert")].tolist()):
                if bool(alert):
                    flags[label].append([w, f])
    return {"version": nml.__version__, "flags": flags, "notes": ["ks = KS for numeric, chi2 for categorical; js = Jensen-Shannon for both; NannyML's default thresholds"]}


def run_evidently(meta: dict, ref: pd.DataFrame, mon: pd.DataFrame) -> dict:
    import evidently
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    features = meta["numeric"] + meta["categorical"]
    dd = DataDefinition(numerical_columns=meta["numeric"], categorical_columns=meta["categorical"])
    reference = Dataset.from_pandas(ref[features], data_definition=dd)
    flags: list = []
    methods: set = set()
    for w, part in mon.groupby("__window", sort=True):
        snap = Report([DataDriftPreset()]).run(Dataset.from_pandas(part[features], data_definition=dd), reference)
        for m in snap.dict()["metrics"]:
            cfg = m["config"]
            if not cfg.get("type", "").endswith("ValueDrift"):
                continue
            value, threshold, method = m["value"], cfg["threshold"], cfg["method"]
            methods.add(method)
            drifted = value < threshold if "p_value" in method else value >= threshold
            if drifted:
                flags.append([int(w), cfg["column"]])
    return {"version": evidently.__version__, "flags": {"default": flags}, "notes": [f"methods chosen by the preset: {', '.join(sorted(methods))}"]}


def run_whylogs(meta: dict, ref: pd.DataFrame, mon: pd.DataFrame) -> dict:
    import whylogs as why
    from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

    features = meta["numeric"] + meta["categorical"]
    ref_view = why.log(pandas=ref[features]).view()
    flags: list = []
    for w, part in mon.groupby("__window", sort=True):
        view = why.log(pandas=part[features]).view()
        scores = calculate_drift_scores(target_view=view, reference_view=ref_view, with_thresholds=True)
        for f, s in scores.items():
            if s and s.get("drift_category") == "DRIFT":
                flags.append([int(w), f])
    return {"version": why.__version__, "flags": {"default": flags}, "notes": ["profiles per window; verdict from whylogs.viz.drift calculate_drift_scores (drift_category DRIFT)"]}


def main() -> None:
    tool, d = sys.argv[1], sys.argv[2]
    meta, ref, mon = load(d)
    run = {"nannyml": run_nannyml, "evidently": run_evidently, "whylogs": run_whylogs}[tool]
    out = run(meta, ref, mon)
    print(json.dumps({"tool": tool, **out}))


if __name__ == "__main__":
    main()
