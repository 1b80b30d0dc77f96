"""One raw value → what the profile counts, as Spark SQL columns: a port of lib/profile/feature-sql.ts.

A numeric feature gives a DOUBLE (NULL for null or a wrong type; NaN and ±Inf pass through and are
counted as non-finite by the digest) and a BOOLEAN type-error flag (the row holds something, but no
number). A categorical feature gives a category that is never NULL: nulls and type errors become
sentinel categories. Numbers as categories follow the canonical-number rule (integral values below
1e15 without a fraction, `60` whether sent as 60 or 60.0); other numbers are spelled as DuckDB
spells a DOUBLE, which is Python's `repr` (`0.1`, `1e+20`), so they are kept as a DOUBLE beside
the string (`cat_num`) and spelled once per distinct value by the driver (`category_label`).

NDJSON (VARIANT from `parse_json`) reproduces DuckDB's JSON casts:
- numbers (BIGINT/DECIMAL/DOUBLE in the variant) → the number; booleans → 1.0 / 0.0;
- strings → a number only when DuckDB's JSON → DOUBLE cast takes them (`JSON_NUMBER_TEXT`:
  leading blanks, no `+`, no leading zeros, `nan`/`inf`/`infinity` in any case, `-` allowed);
- JSON null, a missing key and `""` → null; anything else without a number → type error;
- categories: strings as they are, `true`/`false`, objects/arrays → type error (this includes the
  `{"invalid_utf8": …}` object ingest writes for a value that was not UTF-8).
Raw Parquet uses the typed columns (number, boolean, text, temporal, nested, other) the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

NULL_CATEGORY = "\x01null"
TYPE_ERROR_CATEGORY = "\x01type_error"

# DuckDB's TRY_CAST(JSON string AS DOUBLE): checked with DuckDB 1.x (see tests/test_job_values.py).
JSON_NUMBER_TEXT = r"^[ \t\n\r]*-?((0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
JSON_SPECIAL_TEXT = r"^[ \t\n\r]*-?(?i)(nan|inf|infinity)$"
# DuckDB's TRY_CAST(VARCHAR AS DOUBLE): blanks both sides, a sign, leading zeros, '_' between digits.
TEXT_NUMBER_TEXT = r"^\s*[+-]?(([0-9]+(_[0-9]+)*)(\.([0-9]+(_[0-9]+)*)?)?|\.[0-9]+(_[0-9]+)*)([eE][+-]?[0-9]+)?\s*$"
TEXT_SPECIAL_TEXT = r"^\s*[+-]?(?i)(nan|inf|infinity)\s*$"


def _special(text: Column) -> Column:
    """'nan' / '-inf' / 'Infinity' … (already matched) → the DOUBLE."""
    t = F.lower(F.trim(text))
    neg = t.startswith("-")
    name = F.regexp_replace(t, r"^[+-]", "")
    return (
        F.when(name == "nan", F.lit(float("nan")))
        .when(neg, F.lit(float("-inf")))
        .otherwise(F.lit(float("inf")))
    )


def json_text_to_double(s: Column) -> Column:
    """A JSON string's text → DOUBLE as DuckDB's TRY_CAST(JSON AS DOUBLE) gives it, else NULL."""
    return (
        F.when(s.rlike(JSON_NUMBER_TEXT), F.trim(s).try_cast("double"))
        .when(s.rlike(JSON_SPECIAL_TEXT), _special(s))
    )


def text_to_double(s: Column) -> Column:
    """VARCHAR → DOUBLE as DuckDB's TRY_CAST(VARCHAR AS DOUBLE) gives it, else NULL."""
    return (
        F.when(s.rlike(TEXT_NUMBER_TEXT), F.regexp_replace(F.trim(s), "_", "").try_cast("double"))
        .when(s.rlike(TEXT_SPECIAL_TEXT), _special(s))
    )


@dataclass
class NumericCols:
    value: Column  # DOUBLE or NULL
    error: Column  # BOOLEAN, never NULL: present but no number


@dataclass
class CategoryCols:
    text: Column  # STRING: the category, a sentinel, or NULL when `num` holds it
    num: Column  # DOUBLE: a number to spell with `category_label`, else NULL


def canonical_number(d: Column) -> CategoryCols:
    """feature-sql.ts canonicalNumber: NULL/NaN → null; ±Inf → type error; integral < 1e15 → '60'."""
    integral = d == F.round(d, 0)  # floor/ceil give BIGINT and overflow on 1e300
    text = (
        F.when(d.isNull() | F.isnan(d), F.lit(NULL_CATEGORY))
        .when(F.abs(d) == float("inf"), F.lit(TYPE_ERROR_CATEGORY))
        .when(integral & (F.abs(d) < 1e15), d.cast("bigint").cast("string"))
    )
    return CategoryCols(text, F.when(text.isNull(), d))


def category_label(text: Optional[str], num: Optional[float]) -> str:
    """The category of a row of (text, num): DuckDB spells a DOUBLE as Python's repr does."""
    return text if text is not None else repr(float(num))


# -- NDJSON (VARIANT) -----------------------------------------------------------------------------


def feature_variant(v: Column, name: str) -> Column:
    """The VARIANT of feature `name` of an event `v`, SQL NULL when missing."""
    if '"' in name or "\\" in name or "'" in name:
        # Names a variant path cannot quote: through a map of the features (slower, rare).
        return F.try_variant_get(v, "$.features", "map<string,variant>")[name]
    return F.try_variant_get(v, f'$.features["{name}"]', "variant")


@dataclass
class JsonValue:
    """Columns computed once per (row, feature) and shared by the classification."""

    x: Column  # VARIANT or NULL (missing)
    t: Column  # schema_of_variant(x): BIGINT, DECIMAL(p,s), DOUBLE, STRING, BOOLEAN, VOID, OBJECT<…>, ARRAY<…>
    s: Column  # the string of a STRING variant


def json_value(x: Column) -> JsonValue:
    t = F.schema_of_variant(x)
    return JsonValue(x, t, F.when(t == "STRING", F.try_variant_get(x, "$", "string")))


def _is_number(t: Column) -> Column:
    return t.isin("BIGINT", "INT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT") | t.startswith("DECIMAL")


def json_numeric(j: JsonValue) -> NumericCols:
    """numericSql, typeClass json."""
    value = (
        F.when(_is_number(j.t), F.try_variant_get(j.x, "$", "double"))
        .when(j.t == "BOOLEAN", F.when(F.try_variant_get(j.x, "$", "boolean"), F.lit(1.0)).otherwise(F.lit(0.0)))
        .when(j.t == "STRING", json_text_to_double(j.s))
    )
    present = j.t.isNotNull() & (j.t != "VOID") & ~((j.t == "STRING") & (j.s == ""))
    return NumericCols(value, F.coalesce(present & value.isNull(), F.lit(False)))


def json_category(j: JsonValue) -> CategoryCols:
    """categorySql, typeClass json."""
    number = canonical_number(F.when(_is_number(j.t), F.try_variant_get(j.x, "$", "double")))
    text = (
        F.when(j.t.isNull() | (j.t == "VOID") | ((j.t == "STRING") & (j.s == "")), F.lit(NULL_CATEGORY))
        .when(j.t == "STRING", j.s)
        .when(j.t == "BOOLEAN", F.when(F.try_variant_get(j.x, "$", "boolean"), F.lit("true")).otherwise(F.lit("false")))
        .when(_is_number(j.t), number.text)
        .otherwise(F.lit(TYPE_ERROR_CATEGORY))
    )
    return CategoryCols(text, F.when(text.isNull(), number.num))


# -- raw Parquet (typed columns) ------------------------------------------------------------------


def type_class(dt: Optional[T.DataType]) -> str:
    """lib/duckdb/column-types.ts typeClass for a Spark type (None: the source has no such column)."""
    if dt is None:
        return "absent"
    if isinstance(dt, T.StringType):
        return "text"
    if isinstance(dt, T.BooleanType):
        return "boolean"
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.DecimalType)):
        return "number"
    if isinstance(dt, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        return "temporal"
    if isinstance(dt, (T.StructType, T.ArrayType, T.MapType)):
        return "nested"
    return "other"


def _integer_type(dt: Optional[T.DataType]) -> bool:
    return isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType))


def typed_numeric(x: Column, dt: Optional[T.DataType]) -> NumericCols:
    """numericSql for a typed column."""
    cls = type_class(dt)
    no = F.lit(False)
    if cls == "number":
        return NumericCols(x.cast("double"), no)
    if cls == "boolean":
        return NumericCols(x.cast("int").cast("double"), no)
    if cls == "text":
        value = text_to_double(x)
        return NumericCols(value, F.coalesce((F.trim(x) != "") & value.isNull(), no))
    if cls == "temporal":
        micros = F.unix_micros(x.cast("timestamp"))
        return NumericCols(micros.cast("double") / 1e6, no)
    if cls == "absent":
        return NumericCols(F.lit(None).cast("double"), no)
    return NumericCols(F.lit(None).cast("double"), x.isNotNull())


def typed_category(x: Column, dt: Optional[T.DataType]) -> CategoryCols:
    """categorySql for a typed column."""
    cls = type_class(dt)
    none = F.lit(None).cast("double")
    if cls == "number":
        if _integer_type(dt):
            return CategoryCols(F.coalesce(x.cast("string"), F.lit(NULL_CATEGORY)), none)
        return canonical_number(x.cast("double"))
    if cls == "boolean":
        return CategoryCols(F.when(x.isNull(), F.lit(NULL_CATEGORY)).when(x, F.lit("true")).otherwise(F.lit("false")), none)
    if cls == "text":
        text = (
            F.when(x.isNull() | (x == ""), F.lit(NULL_CATEGORY))
            .when(F.instr(x, "\ufffd") > 0, F.lit(TYPE_ERROR_CATEGORY))
            .otherwise(x)
        )
        return CategoryCols(text, none)
    if cls == "absent":
        return CategoryCols(F.lit(NULL_CATEGORY), none)
    if cls == "nested":
        return CategoryCols(F.when(x.isNull(), F.lit(NULL_CATEGORY)).otherwise(F.lit(TYPE_ERROR_CATEGORY)), none)
    return CategoryCols(F.coalesce(x.cast("string"), F.lit(NULL_CATEGORY)), none)


__all__ = [
    "NULL_CATEGORY",
    "TYPE_ERROR_CATEGORY",
    "CategoryCols",
    "JsonValue",
    "NumericCols",
    "canonical_number",
    "category_label",
    "feature_variant",
    "json_category",
    "json_numeric",
    "json_value",
    "text_to_double",
    "type_class",
    "typed_category",
    "typed_numeric",
]
