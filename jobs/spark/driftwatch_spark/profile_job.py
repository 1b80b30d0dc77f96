"""The Spark profile: raw predictions → hourly summaries (a pack per day), profile-state and rollups,
written exactly as lib/profile/profile.ts writes them, incrementally (a day is recomputed, from all
of its raw batches, only when its set of raw batches changed since the last run).

The hot path stays in the JVM and in vectorised code: Spark SQL parses the events (VARIANT),
classifies every value (values.py) and drops repeated ids per hour; the rows, grouped by hour (one
shuffle of the rows as read), reach `summarise_hours` (hour_pass.py) through `applyInArrow` as
Arrow batches, where NumPy builds the digests and Arrow counts the categories. The driver only
assembles summary rows (a few per feature-hour), writes the files and keeps the state.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import from_arrow_schema

from .digest import DEFAULT_COMPRESSION, Digest, empty_digest, merge_digests
from .parquet_io import read_summary_parquet, write_summary_parquet
from .hour_pass import OUT_SCHEMA, summarise_hours
from .labels_job import profile_performance
from .store import Store
from .summary import categorical_summary, hour_token, merge_summaries, numeric_summary
from .values import (
    NULL_CATEGORY,
    TYPE_ERROR_CATEGORY,
    category_label,
    feature_variant,
    json_category,
    json_numeric,
    json_value,
    text_to_double,
    typed_category,
    typed_numeric,
)

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SIX_HOURS_MS = 6 * HOUR_MS
WEEK_MS = 7 * DAY_MS
MONDAY_OFFSET_MS = 4 * DAY_MS
MIN_BLOCK_DAY_ROWS = 2_000
# A Spark pass reads at most this many days (the summaries of a pass are held on the driver).
MAX_BATCH_DAYS = 31
# Discovery's sample of NDJSON (sampleNdjson in raw-sources.ts): rows of up to this many files.
SAMPLE_FILES = 8
SAMPLE_ROWS = 2048
NUMERIC_SHARE = 0.95

Progress = Callable[[str], None]


class JobError(Exception):
    """A failure with one clear line for the user."""


# -- time and keys --------------------------------------------------------------------------------


def day_label(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def hour_label(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H")


def parse_day(label: str) -> int:
    return int(datetime.strptime(label, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp() * 1000)


def parse_hour(label: str) -> int:
    return int(datetime.strptime(label, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc).timestamp() * 1000)


def week_start(ms: int) -> int:
    return (ms - MONDAY_OFFSET_MS) // WEEK_MS * WEEK_MS + MONDAY_OFFSET_MS


def day_of(ms: int) -> int:
    return ms // DAY_MS * DAY_MS


def day_of_key(key: str) -> Optional[int]:
    m = re.search(r"day=(\d{4}-\d{2}-\d{2})(?:/|\.(?:parquet|json)$)", key)
    if not m:
        return None
    try:
        return parse_day(m.group(1))
    except ValueError:
        return None


class Layout:
    def __init__(self, model: str):
        self.m = f"models/{model}"

    model = property(lambda self: f"{self.m}/model.json")
    raw_prefix = property(lambda self: f"{self.m}/raw/predictions/")
    state = property(lambda self: f"{self.m}/state/profile-state.json")

    def hourly(self, day: int) -> str:
        return f"{self.m}/profiles/hourly/day={day_label(day)}.parquet"

    def six_hour(self, day: int) -> str:
        return f"{self.m}/profiles/6-hourly/day={day_label(day)}.parquet"

    def daily(self, day: int) -> str:
        return f"{self.m}/profiles/daily/day={day_label(day)}.parquet"

    def weekly(self, week: int) -> str:
        return f"{self.m}/profiles/weekly/week={day_label(week)}.parquet"


def base_name(key: str) -> str:
    return key[key.rfind("/") + 1 :]


# -- model.json and state -------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(timezone.utc).microsecond // 1000:03d}Z"


def read_json(store: Store, key: str) -> Optional[Any]:
    data = store.read(key)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise JobError(f"{key} is not valid JSON") from error


def read_state(store: Store, key: str) -> Dict[str, Any]:
    state = read_json(store, key)
    if state is None:
        return {"version": 2, "days": {}, "pending_days": []}
    if isinstance(state, dict) and state.get("version") == 1:
        raise JobError(f"{key} is a format 1.x profile state (one entry per hour); run `driftwatch migrate`")
    if not isinstance(state, dict) or state.get("version") != 2 or not isinstance(state.get("days"), dict):
        raise JobError(f"{key} is not a valid profile state; delete it to re-profile every day")
    state.setdefault("pending_days", [])
    return state


def write_state(store: Store, key: str, state: Dict[str, Any], pending: Iterable[int]) -> None:
    state["pending_days"] = sorted(pending)
    store.write(key, json.dumps(state, separators=(",", ":"), ensure_ascii=False))


def new_meta(model: str) -> Dict[str, Any]:
    stamp = now_iso()
    return {"name": model, "features": [], "score": None, "columns": {"id": None, "timestamp": None, "label": None, "score": None}, "created_at": stamp, "updated_at": stamp}


def update_meta(meta: Dict[str, Any], found: Sequence[Tuple[str, str]], score: Optional[str]) -> bool:
    """updateModelMeta (model-store.ts) for discovered features: new names appended in data order."""
    known = {f["name"] for f in meta["features"]}
    changed = False
    for name, kind in found:
        if name in known:
            continue
        meta["features"].append({"name": name, "kind": kind})
        known.add(name)
        changed = True
    if score and meta.get("score") is None:
        meta["score"] = score
        changed = True
    if changed:
        meta["updated_at"] = now_iso()
    return changed


def write_meta(store: Store, layout: Layout, meta: Dict[str, Any]) -> None:
    store.write(layout.model, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")


def model_features(meta: Dict[str, Any]) -> List[Tuple[str, str]]:
    """modelFeatures (raw-sources.ts): the model's features in order; a missing score is numeric, last."""
    out = [(f["name"], f["kind"]) for f in meta["features"]]
    score = meta.get("score")
    if score and not any(n == score for n, _ in out):
        out.append((score, "numeric"))
    return out


# -- the Spark pass -------------------------------------------------------------------------------


# The rows summarise_hours returns, as Spark sees them.
GROUP_SCHEMA = from_arrow_schema(OUT_SCHEMA)


@dataclass
class HourCounts:
    rows: int
    type_errors: Dict[int, int]
    digests: Dict[int, Tuple[Digest, int]]
    categories: Dict[int, Dict[str, int]]


def hour_from_ts(ts: Column) -> Column:
    """epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) // HOUR_MS; NULL when ts does not parse."""
    micros = F.unix_micros(ts.try_cast("timestamp"))
    return F.floor(micros / F.lit(3_600_000_000)).cast("long")


def ndjson_frame(spark: SparkSession, uris: Sequence[str], features: Sequence[Tuple[str, str]], score: Optional[str]) -> DataFrame:
    """Raw NDJSON events → (hour, __key, classified columns), before the per-hour dedupe."""
    raw = spark.read.text(list(uris)).select(F.try_parse_json("value").alias("v"))
    v = F.col("v")
    ts = F.try_variant_get(v, "$.ts", "string")
    event_id = F.try_variant_get(v, "$.id", "string")
    cols: List[Column] = [hour_from_ts(ts).alias("hour"), event_id.alias("__id")]
    for i, (name, kind) in enumerate(features):
        x = F.try_variant_get(v, "$.score", "variant") if name == score else feature_variant(v, name)
        j = json_value(x)
        if kind == "numeric":
            n = json_numeric(j)
            cols += [n.value.alias(f"n{i}"), n.error.alias(f"e{i}")]
        else:
            c = json_category(j)
            cols += [c.text.alias(f"c{i}"), c.num.alias(f"d{i}")]
    return raw.select(*cols)


def parquet_frame(spark: SparkSession, uris: Sequence[str], features: Sequence[Tuple[str, str]], score: Optional[str]) -> DataFrame:
    """Raw wide-table Parquet (features STRUCT, ts TIMESTAMPTZ, score) → classified columns."""
    raw = spark.read.option("mergeSchema", "true").parquet(*uris)
    struct = raw.schema["features"].dataType if "features" in raw.columns else None
    fields = {f.name: f.dataType for f in struct.fields} if isinstance(struct, T.StructType) else {}
    cols: List[Column] = [F.floor(F.unix_micros(F.col("ts").cast("timestamp")) / F.lit(3_600_000_000)).cast("long").alias("hour"), F.lit(None).cast("string").alias("__id")]
    for i, (name, kind) in enumerate(features):
        if name == score:
            dt = raw.schema["score"].dataType if "score" in raw.columns else None
            x = F.col("score") if dt is not None else F.lit(None)
        else:
            dt = fields.get(name)
            x = F.col("features").getField(name) if dt is not None else F.lit(None)
        if kind == "numeric":
            n = typed_numeric(x, dt)
            cols += [n.value.alias(f"n{i}"), n.error.alias(f"e{i}")]
        else:
            c = typed_category(x, dt)
            cols += [c.text.alias(f"c{i}"), c.num.alias(f"d{i}")]
    return raw.select(*cols)


def dedupe(frame: DataFrame) -> DataFrame:
    """Each id once per hour (ndjsonRelation's QUALIFY); rows without an id are all kept."""
    key = F.coalesce(F.concat(F.lit("i"), F.col("__id")), F.concat(F.lit("n"), F.monotonically_increasing_id().cast("string")))
    return frame.where(F.col("hour").isNotNull()).withColumn("__key", key).dropDuplicates(["hour", "__key"]).drop("__key", "__id")


def hour_splits(spark: SparkSession) -> int:
    """How many groups each hour of a pass is split into: `spark.driftwatch.hourSplits`, 1 by
    default (each hour in one piece: summaries that do not depend on the cluster's size, bit for bit
    the embedded engine's for hours of up to 65,536 values a feature). A cluster with more cores
    than a pass has hours (a daily run: 24) sets it to use them all, at the price of merged digests."""
    forced = spark.conf.get("spark.driftwatch.hourSplits", None)
    if forced is None or forced == "":
        return 1
    try:
        value = int(forced)
    except ValueError:
        value = 0
    if value < 1:
        raise JobError(f"spark.driftwatch.hourSplits must be a whole number ≥ 1, not {forced!r}")
    return value


def run_pass(wide: DataFrame, features: Sequence[Tuple[str, str]], splits: int = 1) -> Dict[int, HourCounts]:
    """Counts, digests and category counts per hour of the classified, deduplicated rows: one
    shuffle, of the rows as read. Rows are grouped by hour (and, with `splits` > 1, by a hash of the
    row modulo `splits`, so a cluster with more cores than hours has work for every core) and each
    group's Arrow batches are folded by `summarise_hours` (hour_pass.py: NumPy digests, Arrow
    category counts), which returns a row per numeric feature and per (categorical feature,
    category). The groups of one hour are added up here: counts summed, digests merged."""
    columns = ["hour"] + [c for i, (_, kind) in enumerate(features) for c in ((f"n{i}", f"e{i}") if kind == "numeric" else (f"c{i}", f"d{i}"))]
    rows = wide.select(*columns)
    keys: List[Column] = [F.col("hour")]
    if splits > 1:
        # A hash of the row's values: deterministic, so a retried task regroups the same rows.
        rows = rows.withColumn("__split", F.pmod(F.xxhash64(*[F.col(c) for c in columns]), F.lit(splits)))
        keys.append(F.col("__split"))
    groups = rows.groupBy(*keys).applyInArrow(summarise_hours([kind for _, kind in features]), GROUP_SCHEMA)
    # toLocalIterator alone computes the partitions one after another (a job each, while the driver
    # reads): the groups are computed at once, on every core, and kept, then read a partition at a
    # time, so the driver never holds more than one partition of summaries.
    groups = groups.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        groups.count()
        return _add_up(groups.toLocalIterator(), features)
    finally:
        groups.unpersist()


def _add_up(results: Iterable[Any], features: Sequence[Tuple[str, str]]) -> Dict[int, HourCounts]:
    """The rows of summarise_hours → HourCounts per hour (groups of one hour added up)."""
    out: Dict[int, HourCounts] = {}
    parts: Dict[Tuple[int, int], List[Digest]] = {}
    for r in results:
        hour, i = int(r["hour"]), int(r["f"])
        counts = out.get(hour)
        if counts is None:
            counts = out[hour] = HourCounts(0, {}, {}, {})
        if i == 0:
            counts.rows += int(r["n"])
        if features[i][1] == "numeric":
            count = int(r["count"])
            if count > 0:
                parts.setdefault((hour, i), []).append(Digest(np.asarray(r["means"], dtype=np.float64), np.asarray(r["weights"], dtype=np.float64), float(r["min"]), float(r["max"]), count, DEFAULT_COMPRESSION))
            _, non_finite = counts.digests.get(i, (None, 0))
            counts.digests[i] = (empty_digest(DEFAULT_COMPRESSION), non_finite + int(r["non_finite"]))
            counts.type_errors[i] = counts.type_errors.get(i, 0) + int(r["e"] or 0)
        else:
            cats = counts.categories.setdefault(i, {})
            label = category_label(r["s"], r["d"])
            cats[label] = cats.get(label, 0) + int(r["n"])
    for (hour, i), found in parts.items():
        digests = out[hour].digests
        # One group: its digest as built; several: merged as the embedded engine merges its parts.
        digests[i] = (found[0] if len(found) == 1 else merge_digests(found, DEFAULT_COMPRESSION), digests[i][1])
    return out


def hour_rows(model: str, hour_ms: int, counts: HourCounts, features: Sequence[Tuple[str, str]]) -> List[Dict[str, Any]]:
    """ProfileAccumulator.summaries: one row per feature, in the model's order."""
    rows: List[Dict[str, Any]] = []
    for i, (name, kind) in enumerate(features):
        key = {"model": model, "feature": name, "period_start": hour_ms, "period_end": hour_ms + HOUR_MS, "chunk": -1}
        if kind == "numeric":
            digest, non_finite = counts.digests.get(i, (empty_digest(DEFAULT_COMPRESSION), 0))
            type_errors = counts.type_errors.get(i, 0)
            nulls = counts.rows - digest.count - non_finite - type_errors
            rows.append(numeric_summary(key, digest, nulls, non_finite, type_errors))
        else:
            cats = dict(counts.categories.get(i, {}))
            type_errors = cats.pop(TYPE_ERROR_CATEGORY, 0)
            cats.pop(NULL_CATEGORY, None)
            total = sum(cats.values())
            rows.append(categorical_summary(key, cats, counts.rows - total - type_errors, type_errors))
    return rows


# -- discovery ------------------------------------------------------------------------------------


def kind_from_counts(values: int, numeric: int) -> str:
    if values == 0:
        return "numeric"
    return "numeric" if numeric >= NUMERIC_SHARE * values else "categorical"


def sample_has_new_keys(store: Store, keys: Sequence[str], meta: Dict[str, Any]) -> bool:
    """sampleNdjson: do the first rows of up to 8 files show keys (or a score) the model lacks?"""
    step = max(1, -(-len(keys) // SAMPLE_FILES))
    sample = [k for i, k in enumerate(keys) if i % step == 0 or i == len(keys) - 1]
    known = {f["name"] for f in meta["features"]}
    for key in sample:
        data = store.read(key)
        if not data:
            continue
        try:
            lines = gzip.decompress(data).decode("utf-8", errors="replace").splitlines()[:SAMPLE_ROWS]
        except (OSError, EOFError):
            return True
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            features = event.get("features")
            if isinstance(features, dict) and any(k not in known for k in features):
                return True
            if meta.get("score") is None and event.get("score") is not None:
                return True
    return False


def discover_ndjson(spark: SparkSession, uris: Sequence[str], meta: Dict[str, Any]) -> Tuple[List[Tuple[str, str]], Optional[str]]:
    """discoverNdjson: feature keys the model lacks (sorted, as DISTINCT … ORDER BY k), the score,
    and their kinds judged as inferKinds does for JSON (≥ 95% numbers or numeric strings: numeric)."""
    known = {f["name"] for f in meta["features"]}
    events = spark.read.text(list(uris)).select(F.try_parse_json("value").alias("v"))
    fmap = F.try_variant_get(F.col("v"), "$.features", "map<string,variant>")
    keys = sorted(r["k"] for r in events.select(F.explode(F.map_keys(fmap)).alias("k")).distinct().collect() if r["k"] not in known)
    score_present = events.where(~F.coalesce(F.schema_of_variant(F.try_variant_get(F.col("v"), "$.score", "variant")).isin("VOID"), F.lit(True))).limit(1).count() > 0
    score = meta.get("score") or ("score" if score_present else None)
    candidates = [(k, feature_variant(F.col("v"), k)) for k in keys if k != score]
    if score and score not in known:
        candidates.append((score, F.try_variant_get(F.col("v"), "$.score", "variant")))
    if not candidates:
        return [], score
    aggs: List[Column] = []
    for i, (_, x) in enumerate(candidates):
        j = json_value(x)
        # The text inferKinds judges: strings as they are, numbers as text, other types never numeric.
        s = F.when(j.t == "STRING", j.s).when(j.t.isin("VOID") | j.t.isNull(), F.lit(None)).when(j.t.isin("BOOLEAN") | j.t.startswith("OBJECT") | j.t.startswith("ARRAY"), F.lit("\x01")).otherwise(F.lit("0"))
        t = F.nullif(F.trim(s), F.lit(""))
        aggs += [F.count(t).alias(f"v{i}"), F.count(F.when(t.isNotNull(), text_to_double(t))).alias(f"n{i}")]
    row = events.agg(*aggs).collect()[0]
    found = [(name, kind_from_counts(int(row[f"v{i}"]), int(row[f"n{i}"]))) for i, (name, _) in enumerate(candidates)]
    return found, score


# -- rollups --------------------------------------------------------------------------------------


def roll_up(model: str, start: int, length: int, parts: Sequence[Dict[str, Any]], kinds: Dict[str, str]) -> List[Dict[str, Any]]:
    """rollUp (rollup.ts): one row per feature; rows of a kind other than the model's are left out."""
    by_feature: Dict[str, List[Dict[str, Any]]] = {}
    for row in sorted(parts, key=lambda r: r["period_start"]):
        kind = kinds.get(row["feature"])
        if kind is not None and row["kind"] != kind:
            continue
        lst = by_feature.setdefault(row["feature"], [])
        if not lst or lst[0]["kind"] == row["kind"]:
            lst.append(row)
    return [merge_summaries({"model": model, "feature": f, "period_start": start, "period_end": start + length, "chunk": -1}, rows) for f, rows in by_feature.items()]


def roll_up_days(store: Store, layout: Layout, model: str, days: Sequence[int], fresh: Dict[int, List[Dict[str, Any]]], kinds: Dict[str, str]) -> None:
    """rollUpDays: daily and 6-hourly packs of the days, and their weeks."""
    by_week: Dict[int, List[int]] = {}
    for day in sorted(days):
        by_week.setdefault(week_start(day), []).append(day)
    for week, week_days in by_week.items():
        made: Dict[int, List[Dict[str, Any]]] = {}
        for day in week_days:
            hours = fresh.get(day)
            if hours is None:
                data = store.read(layout.hourly(day))
                hours = [r for r in read_summary_parquet(data) if day <= r["period_start"] < day + DAY_MS] if data else []
            rolled = roll_up(model, day, DAY_MS, hours, kinds)
            made[day] = rolled
            store.write(layout.daily(day), write_summary_parquet(rolled))
            blocks: List[Dict[str, Any]] = []
            if max((r["rows"] for r in rolled), default=0) >= MIN_BLOCK_DAY_ROWS:
                for block in range(day, day + DAY_MS, SIX_HOURS_MS):
                    in_block = [r for r in hours if block <= r["period_start"] < block + SIX_HOURS_MS]
                    if in_block:
                        blocks += roll_up(model, block, SIX_HOURS_MS, in_block, kinds)
            if blocks:
                store.write(layout.six_hour(day), write_summary_parquet(blocks))
            else:
                store.delete(layout.six_hour(day))
        rows: List[Dict[str, Any]] = []
        stored: List[Dict[str, Any]] = []
        for day in range(week, week + WEEK_MS, DAY_MS):
            if day in made:
                rows += made[day]
            else:
                data = store.read(layout.daily(day))
                if data:
                    stored += read_summary_parquet(data)
        store.write(layout.weekly(week), write_summary_parquet(roll_up(model, week, WEEK_MS, rows + stored, kinds)))


# -- one model ------------------------------------------------------------------------------------


@dataclass
class ModelResult:
    hours: List[int] = field(default_factory=list)
    days: List[int] = field(default_factory=list)


def list_raw(store: Store, layout: Layout) -> Dict[int, List[str]]:
    out: Dict[int, List[str]] = {}
    for key in store.list(layout.raw_prefix):
        if not (key.endswith(".ndjson.gz") or key.endswith(".parquet")):
            continue
        day = day_of_key(key)
        if day is not None:
            out.setdefault(day, []).append(key)
    return out


def same_keys(a: Optional[Sequence[str]], b: Sequence[str]) -> bool:
    """sameKeys (profile-state.ts): same names, in any order."""
    return a is not None and len(a) == len(b) and set(b) <= set(a)


def plan_batches(changed: Sequence[int]) -> List[List[int]]:
    """The changed days in passes of at most MAX_BATCH_DAYS (their summaries wait on the driver)."""
    return [list(changed[i : i + MAX_BATCH_DAYS]) for i in range(0, len(changed), MAX_BATCH_DAYS)]


def profile_model(spark: SparkSession, store: Store, model: str, inputs: Sequence[str] = (), progress: Progress = lambda s: None) -> ModelResult:
    """profileModel (profile.ts) on Spark. With `inputs`, those files are the raw data of every day they hold."""
    layout = Layout(model)
    state = read_state(store, layout.state)
    raw_by_day = list_raw(store, layout) if not inputs else {}
    result = ModelResult()
    meta = read_json(store, layout.model)
    dirty = meta is None
    if meta is None:
        meta = new_meta(model)
    pending = set(int(d) for d in state.get("pending_days", []))
    fresh: Dict[int, List[Dict[str, Any]]] = {}

    if inputs:
        changed_batches = [[]]
    else:
        changed = sorted(d for d, keys in raw_by_day.items() if not same_keys(state["days"].get(day_label(d), {}).get("batches"), [base_name(k) for k in keys]))
        changed_batches = plan_batches(changed)
    total = sum(len(b) for b in changed_batches) if not inputs else 0
    done = 0
    for b, days in enumerate(changed_batches):
        keys = [k for d in days for k in raw_by_day[d]]
        json_uris = [p for p in inputs if not p.endswith(".parquet")] if inputs else [store.uri(k) for k in keys if k.endswith(".ndjson.gz")]
        pq_uris = [p for p in inputs if p.endswith(".parquet")] if inputs else [store.uri(k) for k in keys if k.endswith(".parquet")]
        # Discovery (profileFiles): new keys are added to model.json before the pass.
        if json_uris and (not meta["features"] or inputs or sample_has_new_keys(store, [k for k in keys if k.endswith(".ndjson.gz")], meta)):
            found, score = discover_ndjson(spark, json_uris, meta)
            dirty = update_meta(meta, found, score) or dirty
        if dirty and meta["features"]:
            write_meta(store, layout, meta)
            dirty = False
        features = model_features(meta)
        score = meta.get("score")
        frames = []
        if pq_uris:
            frames.append(parquet_frame(spark, pq_uris, features, score).withColumn("__id", F.lit(None).cast("string")))
        if json_uris:
            frames.append(ndjson_frame(spark, json_uris, features, score))
        counts: Dict[int, HourCounts] = {}
        if frames and features:
            # Raw Parquet is not deduplicated (its ids are row numbers); NDJSON is, per hour.
            parts = [f.where(F.col("hour").isNotNull()).drop("__id") if i == 0 and pq_uris else dedupe(f) for i, f in enumerate(frames)]
            wide = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
            counts = run_pass(wide, features, hour_splits(spark))
        if inputs:
            days = sorted({day_of(h * HOUR_MS) for h in counts})
        by_day: Dict[int, Dict[int, List[Dict[str, Any]]]] = {d: {} for d in days}
        for h in sorted(counts):
            hour_ms = h * HOUR_MS
            day = by_day.get(day_of(hour_ms))
            if day is not None:
                day[hour_ms] = hour_rows(model, hour_ms, counts[h], features)
        for day in days:
            hours = by_day[day]
            if hours:
                store.write(layout.hourly(day), write_summary_parquet([r for rows in hours.values() for r in rows]))
            else:
                store.delete(layout.hourly(day))
            before = state["days"].get(day_label(day), {}).get("hours", {})
            tokens = {hour_label(h): hour_token(rows) for h, rows in hours.items()}
            for h in hours:
                if before.get(hour_label(h)) != tokens[hour_label(h)]:
                    result.hours.append(h)
            for label in before:
                if label not in tokens:
                    result.hours.append(parse_hour(label))
            batches = [base_name(k) for k in raw_by_day[day]] if not inputs else [base_name(p.rstrip("/")) for p in inputs]
            state["days"][day_label(day)] = {"batches": batches, "hours": tokens}
            pending.add(day)
            fresh[day] = [r for rows in hours.values() for r in rows]
        write_state(store, layout.state, state, pending)
        done += len(days)
        progress(f"spark: {model}: day {done}/{total or done} profiled ({day_label(days[0])} … {day_label(days[-1])})" if days else f"spark: {model}: no rows")
        nxt = changed_batches[b + 1][0] if b + 1 < len(changed_batches) and changed_batches[b + 1] else None
        due = sorted(d for d in pending if nxt is None or d < nxt)
        if due and meta["features"]:
            roll_up_days(store, layout, model, due, fresh, {f["name"]: f["kind"] for f in meta["features"]})
            for d in due:
                pending.discard(d)
                fresh.pop(d, None)
            result.days += due
            write_state(store, layout.state, state, pending)
            progress(f"spark: {model}: rolled up {len(due)} day(s)")
    if pending and meta["features"]:
        due = sorted(pending)
        roll_up_days(store, layout, model, due, fresh, {f["name"]: f["kind"] for f in meta["features"]})
        result.days += due
        write_state(store, layout.state, state, set())
    result.hours.sort()
    return result


def list_models(store: Store) -> List[str]:
    names = set()
    for key in store.list("models/"):
        m = re.match(r"^models/([A-Za-z0-9][A-Za-z0-9._-]{0,127})/model\.json$", key)
        if m:
            names.add(m.group(1))
    return sorted(names)


# -- entry ----------------------------------------------------------------------------------------


class ArgError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit code 2
        raise ArgError(message)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = _Parser(prog="profile.py", description="driftwatch profile on Spark")
    p.add_argument("--store", required=True)
    p.add_argument("--model", action="append", default=[])
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--master")
    args = p.parse_args(list(argv))
    if args.input and len(args.model) != 1:
        raise ArgError("--input needs exactly one --model (the model its events are profiled into)")
    return args


def spark_session(master: Optional[str]) -> SparkSession:
    builder = (
        SparkSession.builder.appName("driftwatch-profile")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "WARN")
    )
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def ship_package(spark: SparkSession) -> None:
    """Executors import this package (the digest function of applyInArrow): ship it as a zip."""
    import os
    import tempfile
    import zipfile

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(tempfile.mkdtemp(prefix="driftwatch-spark-"), "driftwatch_spark.zip")
    with zipfile.ZipFile(path, "w") as z:
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                z.write(os.path.join(here, name), f"driftwatch_spark/{name}")
    spark.sparkContext.addPyFile(path)


def run(spark: SparkSession, store_root: str, models: Sequence[str] = (), inputs: Sequence[str] = (), progress: Progress = lambda s: None) -> Dict[str, ModelResult]:
    store = Store(spark, store_root)
    names = list(models) or list_models(store)
    if not names:
        raise JobError(f"no models in the store {store_root}")
    out: Dict[str, ModelResult] = {}
    for name in names:
        started = time.time()
        out[name] = profile_model(spark, store, name, inputs, progress)
        progress(f"spark: {name}: {len(out[name].hours)} hour(s) changed, {len(out[name].days)} day(s) rolled up in {time.time() - started:.1f} s")
        # As the embedded `profile` does after the hourly profile: join the labels of new predictions
        # (lib/labels/performance-profile.ts; a model without labels costs a listing).
        started = time.time()
        joined = profile_performance(spark, store, name)
        if joined.get("days"):
            progress(f"spark: {name}: labels joined for {joined['days']} prediction day(s) in {time.time() - started:.1f} s")
    return out


def main(argv: Sequence[str]) -> int:
    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        args = parse_args(argv)
    except ArgError as error:
        print(f"driftwatch spark profile: {error}", file=sys.stderr)
        return 2
    try:
        spark = spark_session(args.master)
        spark.sparkContext.setLogLevel("WARN")
        ship_package(spark)
        run(spark, args.store, args.model, args.input, progress)
        return 0
    except JobError as error:
        print(f"driftwatch spark profile: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - one clear line, the trace goes to the log above
        print(f"driftwatch spark profile failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", file=sys.stderr)
        return 1
