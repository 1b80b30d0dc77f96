"""driftwatch's Spark engine: the PySpark profile job writing the same store as the embedded
(DuckDB) profile (docs/spark.md, docs/format.md)."""
