"""The label join and the performance profiles on Spark: a port of lib/labels/performance-profile.ts
(+ performance-file.ts). Writes `models/<m>/profiles/performance/day=D.json` and
`models/<m>/state/performance-state.json` with the content the embedded engine writes
(docs/format.md, "Labels and performance").

The join (predictions ⋈ latest label per id) and every count and sum are Spark SQL; the score
digests are built by `build_digest` inside `applyInArrow` grouped by hour (one call builds the
hour's four class digests with NumPy on its Arrow columns, no per-row Python). Only per-hour rows come back to the driver.

Where the output can differ from the TS files: sums (log loss, Brier, regression) are added in
Spark's order, not the TS row order: equal to ~1e-15 relative. NDJSON events whose `ts` is an
epoch number: the TS reads `ts` as text and gets NULL (the row's hour is then undefined);
here such rows are left out (as rows without a timestamp). `performance.threshold` is read from
config.yaml by a small reader (block or flow style; no YAML library in the venv).
"""
from __future__ import annotations

import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark import StorageLevel

from .digest import Digest, build_digest, merge_digests
from .store import Store

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
PERFORMANCE_FORMAT = "driftwatch-performance/1"
EPS = 1e-15
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DAY_KEY = re.compile(r"day=(\d{4}-\d{2}-\d{2})(?:/|\.(?:parquet|json)$)")

# Binary labels as written in files: 1/0, true/false, yes/no (any case, `1.0` too).
_BINARY = (
    "CASE WHEN lower(l.label) IN ('1', '1.0', 'true', 'yes', 't', 'y') THEN 1 "
    "WHEN lower(l.label) IN ('0', '0.0', 'false', 'no', 'f', 'n') THEN 0 END"
)
# A label read as a number (DuckDB's TRY_CAST(label AS DOUBLE)): Spark would also take Java's
# `1d`/`1f` suffixes, so the text must look like a number (or inf/nan, left out as not finite).
_NUMBER = r"^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$"


def _model_key(model: str) -> str:
    if not _MODEL_NAME.match(model) or ".." in model:
        raise ValueError(f"invalid model name {model!r}: 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return f"models/{model}"


def day_label(ms: int) -> str:
    import datetime as _dt

    return _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc).strftime("%Y-%m-%d")


def day_of_key(key: str) -> Optional[int]:
    """The start (epoch ms) of the UTC day named in a `day=YYYY-MM-DD` key (lib/format/layout.ts dayOfKey)."""
    import datetime as _dt

    m = _DAY_KEY.search(key)
    if not m:
        return None
    try:
        d = _dt.datetime.strptime(m.group(1), "%Y-%m-%d").replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return None
    return int(d.timestamp()) * 1000


def _base_name(key: str) -> str:
    return key[key.rfind("/") + 1:]


def _same_set(a: List[str], b: List[str]) -> bool:
    return len(a) == len(b) and all(x in b for x in a)


# -- JSON as JavaScript's JSON.stringify writes it ------------------------------------------------

def js_number(x: float | int) -> str:
    """A number as JavaScript prints it (shortest round-trip digits; `1` not `1.0`, `1e-7`, `1e+21`)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not math.isfinite(x):
        return "null"
    if x == 0:
        return "0"
    text = repr(x)
    if "e" not in text:
        # 1e-4 ≤ |x| < 1e16: Python and JavaScript both write the shortest digits without exponent.
        return text[:-2] if text.endswith(".0") else text
    sign = "-" if x < 0 else ""
    text = repr(abs(x))
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    s = stripped.rstrip("0")
    k, n = len(s), point
    if k <= n <= 21:
        out = s + "0" * (n - k)
    elif 0 < n <= 21:
        out = s[:n] + "." + s[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + s
    else:
        e = n - 1
        out = (s if k == 1 else s[0] + "." + s[1:]) + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def js_json(value) -> str:
    """JSON.stringify(value): no whitespace, keys in insertion order, numbers as JavaScript prints them."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return js_number(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + js_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ",".join(js_json(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# -- the store's config and state -------------------------------------------------------------------

def read_threshold(store: Store) -> float:
    """`performance.threshold` of the store's config.yaml (default 0.5): block or flow style."""
    text = (store.read("config.yaml") or b"").decode("utf-8", "replace")
    inside = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():
            inside = False
            m = re.match(r"^performance\s*:\s*(.*)$", line)
            if m:
                flow = re.search(r"\bthreshold\s*:\s*([-+0-9.eE]+)", m.group(1))
                if flow:
                    return float(flow.group(1))
                inside = True
            continue
        if inside:
            m = re.match(r"^\s+threshold\s*:\s*([-+0-9.eE]+)\s*$", line)
            if m:
                return float(m.group(1))
    return 0.5


def _empty_state() -> dict:
    return {"version": 1, "label_batches": [], "days": {}, "counts": {"labels": 0, "matched": 0, "corrected": 0}}


def _read_state(store: Store, key: str) -> dict:
    data = store.read(key)
    if data is None:
        return _empty_state()
    try:
        raw = json.loads(data.decode("utf-8"))
        if raw.get("version") != 1 or not isinstance(raw.get("label_batches"), list) or not isinstance(raw.get("days"), dict):
            return _empty_state()
        days = {}
        for d, v in raw["days"].items():
            if not isinstance(v.get("batches"), list) or not isinstance(v.get("threshold"), (int, float)):
                return _empty_state()
            days[d] = {"batches": [str(b) for b in v["batches"]], "threshold": v["threshold"], "matched": int(v.get("matched", 0))}
        c = raw.get("counts") or {}
        counts = {"labels": c.get("labels", 0), "matched": c.get("matched", 0), "corrected": c.get("corrected", 0)}
        return {"version": 1, "label_batches": [str(b) for b in raw["label_batches"]], "days": days, "counts": counts}
    except (ValueError, AttributeError, TypeError):
        # A damaged state only costs a full recomputation.
        return _empty_state()


# -- reading raw data ----------------------------------------------------------------------------

_PRED_SCHEMA = "id STRING, ts TIMESTAMP, score DOUBLE"


def _read_parquet_predictions(spark: SparkSession, uris: List[str]) -> DataFrame:
    def pick(df: DataFrame) -> DataFrame:
        score = F.expr("try_cast(score AS DOUBLE)") if "score" in df.columns else F.lit(None).cast("double")
        return df.select(F.col("id").cast("string").alias("id"), F.col("ts").cast("timestamp").alias("ts"), score.alias("score"))

    try:
        # Files with the same score type merge in one scan (union by name, as DuckDB's read).
        return pick(spark.read.option("mergeSchema", "true").parquet(*uris))
    except Exception:  # noqa: BLE001 - score typed differently by two files: one scan each
        out: Optional[DataFrame] = None
        for uri in uris:
            df = pick(spark.read.parquet(uri))
            out = df if out is None else out.unionByName(df)
        assert out is not None
        return out


def predictions(spark: SparkSession, store: Store, keys: List[str]) -> DataFrame:
    """Predictions of raw batches (Parquet tables, NDJSON events) as `id, ts, score` (predictionsSql)."""
    parquet = [store.uri(k) for k in keys if k.endswith(".parquet")]
    events = [store.uri(k) for k in keys if not k.endswith(".parquet")]
    parts: List[DataFrame] = []
    if parquet:
        parts.append(_read_parquet_predictions(spark, parquet))
    if events:
        raw = spark.read.schema("id STRING, ts STRING, score DOUBLE").json(events)
        parts.append(raw.select("id", F.expr("try_cast(ts AS TIMESTAMP)").alias("ts"), "score"))
    if not parts:
        return spark.createDataFrame([], _PRED_SCHEMA)
    if not events:
        return parts[0]
    union = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    # An id is one prediction: raw events from other producers may repeat one (the first by ts counts).
    union.createOrReplaceTempView("perf_pred_union")
    # A hash aggregate, not a sorted window: the earliest row (a NULL ts last, as ORDER BY ts) per id.
    return spark.sql(
        "SELECT id, first.ts AS ts, first.score AS score FROM (SELECT id, min_by(named_struct('ts', ts, 'score', score), "
        "named_struct('late', ts IS NULL, 'ts', ts)) AS first FROM perf_pred_union GROUP BY id)"
    )


def latest_labels(spark: SparkSession, store: Store, keys: List[str]) -> DataFrame:
    """The latest label per id over every label batch: by `ts`, then the later batch (keys sorted)."""
    schema = "id STRING, label STRING, ts TIMESTAMP"
    if not keys:
        return spark.createDataFrame([], schema + ", versions INT")
    if len(keys) == 1:
        # One label file holds each id once (labels add keeps the latest per id).
        return spark.read.parquet(store.uri(keys[0])).select("id", "label", F.col("ts").cast("timestamp"), F.lit(1).alias("versions"))
    parts = [spark.read.parquet(store.uri(k)).select("id", "label", F.col("ts").cast("timestamp"), F.lit(i + 1).alias("batch")) for i, k in enumerate(keys)]
    allv = parts[0]
    for p in parts[1:]:
        allv = allv.unionByName(p)
    allv.createOrReplaceTempView("perf_label_batches")
    return spark.sql(
        "SELECT id, max_by(label, named_struct('ts', ts, 'batch', batch)) AS label, max(ts) AS ts, "
        "CAST(min(label) <> max(label) AS INT) + 1 AS versions FROM perf_label_batches GROUP BY id"
    )


# -- the join ---------------------------------------------------------------------------------------

_DIGEST_SCHEMA = "h BIGINT, g STRING, count BIGINT, min DOUBLE, max DOUBLE, means ARRAY<DOUBLE>, weights ARRAY<DOUBLE>"


def _digest_group(key: Tuple[pa.Scalar, ...], table: pa.Table) -> pa.Table:
    """The digests of one hour: one row per class present (`all`, `pos`, `neg`, `delay`)."""
    groups = table.column("g").to_numpy(zero_copy_only=False)
    values = table.column("v").to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    names = sorted(set(groups.tolist()))
    built = [build_digest(values[groups == g])[0] for g in names]
    return pa.table({
        "h": pa.array([key[0].as_py()] * len(names), pa.int64()),
        "g": pa.array(names, pa.string()),
        "count": pa.array([int(d.count) for d in built], pa.int64()),
        "min": pa.array([float(d.min) for d in built], pa.float64()),
        "max": pa.array([float(d.max) for d in built], pa.float64()),
        "means": pa.array([np.asarray(d.means, dtype=np.float64) for d in built], pa.list_(pa.float64())),
        "weights": pa.array([np.asarray(d.weights, dtype=np.float64) for d in built], pa.list_(pa.float64())),
    })


def _empty_digest() -> Digest:
    return build_digest(np.empty(0, dtype=np.float64))[0]


def join_hours(spark: SparkSession, preds: DataFrame, threshold: float) -> Dict[int, List[dict]]:
    """Each prediction hour of `preds` (`id, ts, score`) joined with the `perf_labels` view, by day (joinDays)."""
    preds.createOrReplaceTempView("perf_predictions")
    lo, hi = repr(EPS), repr(1 - EPS)
    joined = spark.sql(f"""
        SELECT div(unix_millis(p.ts), {HOUR_MS}) AS h, p.score AS score, {_BINARY} AS y, l.label IS NOT NULL AS has_label,
          (unix_millis(l.ts) - unix_millis(p.ts)) / {HOUR_MS} AS delay,
          CASE WHEN l.label RLIKE '{_NUMBER}' THEN try_cast(l.label AS DOUBLE) END AS yv
        FROM perf_predictions p LEFT JOIN perf_labels l ON l.id = p.id
        WHERE p.ts IS NOT NULL AND p.score IS NOT NULL AND NOT isnan(p.score) AND abs(p.score) <> double('Infinity')""")
    joined.createOrReplaceTempView("perf_joined")
    # The joined rows feed the sums and the digests: computed once.
    rows = spark.sql(f"""
        SELECT *, CASE WHEN yv IS NOT NULL AND NOT isnan(yv) AND abs(yv) <> double('Infinity') THEN abs(score - yv) END AS e,
          least({hi}, greatest({lo}, score)) AS pc
        FROM perf_joined""").persist(StorageLevel.MEMORY_AND_DISK)
    try:
        rows.createOrReplaceTempView("perf_rows")
        return _hours(spark, threshold)
    finally:
        rows.unpersist()


def _hours(spark: SparkSession, threshold: float) -> Dict[int, List[dict]]:
    out: Dict[int, List[dict]] = {}
    sums = spark.sql(f"""
        SELECT h, count(*) AS predictions, count(y) AS labelled, count_if(y = 1) AS positives,
          count_if(has_label AND y IS NULL) AS unusable_labels,
          count_if(y = 1 AND score >= {threshold!r}) AS tp, count_if(y = 0 AND score >= {threshold!r}) AS fp,
          count_if(y = 0 AND score < {threshold!r}) AS tn, count_if(y = 1 AND score < {threshold!r}) AS fn,
          coalesce(sum(CASE WHEN y = 1 THEN -ln(pc) WHEN y = 0 THEN -ln(1 - pc) END), 0D) AS logloss_sum,
          coalesce(sum(CASE WHEN y IS NOT NULL THEN (score - y) * (score - y) END), 0D) AS brier_sum,
          count(e) AS reg_n, coalesce(sum(e), 0D) AS reg_sum_abs, coalesce(sum(e * e), 0D) AS reg_sum_sq,
          coalesce(sum(CASE WHEN e IS NOT NULL AND yv <> 0 THEN e / abs(yv) END), 0D) AS reg_sum_abs_pct,
          count_if(e IS NOT NULL AND yv <> 0) AS reg_pct_count
        FROM perf_rows GROUP BY h""").collect()
    values = spark.sql("""
        SELECT h, 'all' AS g, score AS v FROM perf_rows
        UNION ALL SELECT h, CASE WHEN y = 1 THEN 'pos' ELSE 'neg' END, score FROM perf_rows WHERE y IS NOT NULL
        UNION ALL SELECT h, 'delay', delay FROM perf_rows WHERE y IS NOT NULL AND delay IS NOT NULL""")
    digests: Dict[tuple, Digest] = {}
    for r in values.groupBy("h").applyInArrow(_digest_group, _DIGEST_SCHEMA).collect():
        digests[(r["h"], r["g"])] = Digest(
            means=np.asarray(r["means"], dtype=np.float64), weights=np.asarray(r["weights"], dtype=np.float64),
            min=float(r["min"]), max=float(r["max"]), count=int(r["count"]), compression=1000.0,
        )
    empty = _empty_digest()
    for r in sorted(sums, key=lambda r: r["h"]):
        start = int(r["h"]) * HOUR_MS
        day = (start // DAY_MS) * DAY_MS
        out.setdefault(day, []).append({
            "period_start": start,
            "period_end": start + HOUR_MS,
            "predictions": int(r["predictions"]),
            "labelled": int(r["labelled"]),
            "positives": int(r["positives"]),
            "unusable_labels": int(r["unusable_labels"]),
            "tp": int(r["tp"]), "fp": int(r["fp"]), "tn": int(r["tn"]), "fn": int(r["fn"]),
            "logloss_sum": float(r["logloss_sum"]),
            "brier_sum": float(r["brier_sum"]),
            "regression": {"n": int(r["reg_n"]), "sum_abs": float(r["reg_sum_abs"]), "sum_sq": float(r["reg_sum_sq"]), "sum_abs_pct": float(r["reg_sum_abs_pct"]), "pct_count": int(r["reg_pct_count"])},
            "pos": digests.get((r["h"], "pos"), empty),
            "neg": digests.get((r["h"], "neg"), empty),
            "all": digests.get((r["h"], "all"), empty),
            "delay": digests.get((r["h"], "delay"), empty),
        })
    return out


def merge_periods(periods: List[dict], start: int, end: int) -> dict:
    """The sum of periods over [start, end): counts and sums added in order, digests merged (mergePeriods)."""
    def total(get) -> float:
        s = 0
        for p in periods:
            s = s + get(p)
        return s

    reg_keys = ("n", "sum_abs", "sum_sq", "sum_abs_pct", "pct_count")
    out = {"period_start": start, "period_end": end}
    for k in ("predictions", "labelled", "positives", "unusable_labels", "tp", "fp", "tn", "fn", "logloss_sum", "brier_sum"):
        out[k] = total(lambda p, k=k: p[k])
    out["regression"] = {k: total(lambda p, k=k: p["regression"][k]) for k in reg_keys}
    for k in ("pos", "neg", "all", "delay"):
        out[k] = merge_digests([p[k] for p in periods])
    return out


def _stored_digest(d: Digest) -> dict:
    count = int(d.count)
    return {
        "count": count,
        "min": float(d.min) if count > 0 else 0,
        "max": float(d.max) if count > 0 else 0,
        "means": [float(x) for x in d.means],
        "weights": [float(x) for x in d.weights],
        "compression": float(d.compression),
    }


def encode_performance_file(model: str, day: str, threshold: float, periods: List[dict]) -> str:
    stored = [{**p, **{k: _stored_digest(p[k]) for k in ("pos", "neg", "all", "delay")}} for p in periods]
    return js_json({"format": PERFORMANCE_FORMAT, "model": model, "day": day, "threshold": threshold, "periods": stored})


# -- the entry -------------------------------------------------------------------------------------

def profile_performance(spark: SparkSession, store: Store, model: str, days: Optional[Iterable[str]] = None, threshold: Optional[float] = None) -> dict:
    """Join every label to its prediction by id and store, per prediction day, each hour's and the
    day's performance figures, incrementally like lib/labels/performance-profile.ts: a day is
    computed again when its raw batches changed, when new labels name one of its predictions, or
    when the decision threshold changed. `days` (YYYY-MM-DD) are computed again in any case;
    `threshold` defaults to config.yaml `performance.threshold`. Returns
    `{days, labels, matched, corrected}` as the TS result."""
    base = _model_key(model)
    if threshold is None:
        threshold = read_threshold(store)
    forced = set(days or [])
    state_key = f"{base}/state/performance-state.json"
    state = _read_state(store, state_key)
    label_keys = sorted(k for k in store.list(f"{base}/raw/labels/") if k.endswith(".parquet"))
    raw_by_day: Dict[int, List[str]] = {}
    for key in store.list(f"{base}/raw/predictions/"):
        day = day_of_key(key)
        if day is None or not (key.endswith(".parquet") or key.endswith(".ndjson.gz")):
            continue
        raw_by_day.setdefault(day, []).append(key)
    result = {"days": 0, "labels": 0, "matched": 0, "corrected": 0}
    meta_bytes = store.read(f"{base}/model.json")
    try:
        meta = json.loads(meta_bytes.decode("utf-8")) if meta_bytes else None
    except ValueError:
        meta = None
    # Without a score there is nothing to judge the labels against.
    if not meta or not meta.get("score"):
        return result
    if not label_keys and not state["days"] and not forced:
        return result
    label_names = [_base_name(k) for k in label_keys]

    def changed(day: int) -> bool:
        was = state["days"].get(day_label(day))
        return was is None or was["threshold"] != threshold or not _same_set(was["batches"], [_base_name(k) for k in raw_by_day[day]]) or day_label(day) in forced

    changed_days = [d for d in raw_by_day if changed(d)]
    if _same_set(state["label_batches"], label_names) and not changed_days:
        return {**result, **state["counts"]}
    new_labels = [k for k in label_keys if _base_name(k) not in state["label_batches"]]
    removed = any(b not in label_names for b in state["label_batches"])

    # Shuffles of a few hundred thousand rows in 200 partitions cost minutes on two cores: at most two
    # partitions per core (never more than the session's setting), restored afterwards.
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    if partitions.isdigit():
        spark.conf.set("spark.sql.shuffle.partitions", str(min(int(partitions), max(8, 2 * spark.sparkContext.defaultParallelism))))
    labels = latest_labels(spark, store, label_keys).persist(StorageLevel.MEMORY_AND_DISK)
    held: List[DataFrame] = [labels]
    try:
        labels.createOrReplaceTempView("perf_labels")
        counts = spark.sql("SELECT count(*) AS labels, count_if(versions > 1) AS corrected FROM perf_labels").collect()[0]
        result["labels"], result["corrected"] = int(counts["labels"]), int(counts["corrected"])
        affected = set(changed_days)
        everything: Optional[DataFrame] = None
        if removed:
            affected = set(raw_by_day)
        elif new_labels:
            # New labels may name a prediction of any day: every raw batch's ids are searched.
            everything = predictions(spark, store, [k for d in sorted(raw_by_day) for k in raw_by_day[d]]).persist(StorageLevel.MEMORY_AND_DISK)
            held.append(everything)
            everything.createOrReplaceTempView("perf_all_predictions")
            fresh = spark.read.parquet(*[store.uri(k) for k in new_labels]).select("id")
            fresh.createOrReplaceTempView("perf_fresh_labels")
            for r in spark.sql(f"SELECT DISTINCT div(unix_millis(p.ts), {DAY_MS}) AS d FROM perf_all_predictions p LEFT SEMI JOIN perf_fresh_labels l ON l.id = p.id WHERE p.ts IS NOT NULL").collect():
                affected.add(int(r["d"]) * DAY_MS)
        todo = sorted(d for d in affected if d in raw_by_day)
        # Every day affected: the predictions read for the search are the join's (one read, not two).
        preds = everything if everything is not None and len(todo) == len(raw_by_day) else predictions(spark, store, [k for d in todo for k in raw_by_day[d]])
        joined = join_hours(spark, preds, threshold) if todo else {}
        # Day files are written by a few threads: each write is a round trip to the JVM (and the store).
        with ThreadPoolExecutor(max_workers=4) as pool:
            writes = []
            for day in todo:
                hours = joined.get(day, [])
                periods = [*hours, merge_periods(hours, day, day + DAY_MS)] if hours else []
                label = day_label(day)
                writes.append(pool.submit(store.write, f"{base}/profiles/performance/day={label}.json", encode_performance_file(model, label, threshold, periods)))
                matched = sum(h["labelled"] + h["unusable_labels"] for h in hours)
                state["days"][label] = {"batches": [_base_name(k) for k in raw_by_day[day]], "threshold": threshold, "matched": matched}
                result["days"] += 1
            for w in writes:
                w.result()
        result["matched"] = sum(d["matched"] for d in state["days"].values())
        state["label_batches"] = label_names
        state["counts"] = {"labels": result["labels"], "matched": result["matched"], "corrected": result["corrected"]}
        store.write(state_key, js_json(state))
        return result
    finally:
        for df in held:
            df.unpersist()
        spark.conf.set("spark.sql.shuffle.partitions", partitions)
