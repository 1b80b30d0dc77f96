"""values.py against DuckDB's JSON casts (expected values measured with DuckDB 1.x in node:
TRY_CAST(JSON AS DOUBLE), the canonical-number category rule), and the entry's argument errors."""
from __future__ import annotations

import math
import os
import subprocess
import sys

from pyspark.sql import functions as F

from driftwatch_spark.values import NULL_CATEGORY, TYPE_ERROR_CATEGORY, category_label, json_category, json_numeric, json_value

NAN = float("nan")
# JSON value → (DOUBLE or None, type error, category)
CASES = [
    ("1", 1.0, False, "1"),
    ("1.5", 1.5, False, "1.5"),
    ("60.0", 60.0, False, "60"),
    ("true", 1.0, False, "true"),
    ("false", 0.0, False, "false"),
    ('"1.5"', 1.5, False, "1.5"),
    ('" 2"', 2.0, False, " 2"),
    ('"2 "', None, True, "2 "),
    ('"+5"', None, True, "+5"),
    ('"012"', None, True, "012"),
    ('"5."', 5.0, False, "5."),
    ('".5"', 0.5, False, ".5"),
    ('"1e3"', 1000.0, False, "1e3"),
    ('"NaN"', NAN, False, "NaN"),
    ('"-Infinity"', -math.inf, False, "-Infinity"),
    ('"inf"', math.inf, False, "inf"),
    ('"abc"', None, True, "abc"),
    ('""', None, False, NULL_CATEGORY),
    ('" "', None, True, " "),
    ("null", None, False, NULL_CATEGORY),
    ('{"a":1}', None, True, TYPE_ERROR_CATEGORY),
    ('{"invalid_utf8":"x\ufffdy"}', None, True, TYPE_ERROR_CATEGORY),
    ("[1]", None, True, TYPE_ERROR_CATEGORY),
    ("1e20", 1e20, False, "1e+20"),
    ("0.1", 0.1, False, "0.1"),
    ("1.5e-7", 1.5e-7, False, "1.5e-07"),
    ("123456789012345678", 1.2345678901234568e17, False, "1.2345678901234568e+17"),
    ("1e300", 1e300, False, "1e+300"),
]


def test_json_values_as_duckdb(spark):
    lines = [f'{{"features":{{"x":{v}}}}}' for v, *_ in CASES] + ['{"features":{}}']
    df = spark.createDataFrame([(line,) for line in lines], "value string").select(F.parse_json("value").alias("v"))
    j = json_value(F.try_variant_get("v", '$.features["x"]', "variant"))
    n, c = json_numeric(j), json_category(j)
    rows = df.select(n.value.alias("value"), n.error.alias("error"), c.text.alias("s"), c.num.alias("d")).collect()
    for (raw, value, error, category), r in zip(CASES + [("missing", None, False, NULL_CATEGORY)], rows + [rows[-1]]):
        if value is None:
            assert r["value"] is None, raw
        elif math.isnan(value):
            assert r["value"] is not None and math.isnan(r["value"]), raw
        else:
            assert r["value"] == value, raw
        assert r["error"] == error, raw
        assert category_label(r["s"], r["d"]) == category, raw


def test_bad_arguments_exit_2():
    entry = os.path.join(os.path.dirname(__file__), "..", "profile.py")
    done = subprocess.run([sys.executable, entry, "--bogus"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "driftwatch spark profile" in done.stderr
