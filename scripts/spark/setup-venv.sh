#!/usr/bin/env bash
# Creates .cache/spark/venv with the Spark engine's pinned Python tools (PySpark 4, NumPy, Arrow,
# pytest) for `driftwatch profile --engine spark` and the Spark tests. Idempotent: a marker holding
# the hash of the pins skips a reinstall; any failed step exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${SPARK_PYTHON:-python3.11}
VENV=.cache/spark/venv
REQ=scripts/spark/requirements.txt
LOCK=scripts/spark/constraints.txt
MARKER=$VENV/.requirements-hash

command -v "$PY" >/dev/null || { echo "spark setup-venv: $PY not found (set SPARK_PYTHON to a Python 3.10+)" >&2; exit 1; }
mkdir -p .cache/spark
exec 9>.cache/spark/.setup.lock
flock 9
hash=$( { "$PY" --version; cat "$REQ" "$LOCK"; } | sha256sum | cut -c1-16)
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$hash" ]; then
  echo "spark setup-venv: $VENV is up to date ($hash)"
  exit 0
fi
echo "spark setup-venv: installing pinned PySpark into $VENV ($hash) …"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" -c "$LOCK"
"$VENV/bin/python" -c "import pyspark, numpy, pyarrow; print('spark setup-venv: pyspark', pyspark.__version__, '· numpy', numpy.__version__, '· pyarrow', pyarrow.__version__)"
echo "$hash" > "$MARKER"
