"""Shared pytest fixtures of jobs/spark/tests: one local[2] Spark session (UTC) for the whole run."""
import os
import sys
import tempfile

import pytest

SPARK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# jobs/spark holds profile.py, the standard library's `profile` by name (pyspark imports it through
# cProfile): the directory goes behind the standard library here, and Python workers (applyInArrow)
# get driftwatch_spark from a directory that holds only it.
if SPARK_DIR not in sys.path:
    sys.path.append(SPARK_DIR)
_PACKAGE_DIR = tempfile.mkdtemp(prefix="driftwatch-spark-path-")
os.symlink(os.path.join(SPARK_DIR, "driftwatch_spark"), os.path.join(_PACKAGE_DIR, "driftwatch_spark"))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [_PACKAGE_DIR, os.environ.get("PYTHONPATH", "")] if p)
os.environ.setdefault("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
os.environ["PYSPARK_PYTHON"] = sys.executable


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("driftwatch-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
