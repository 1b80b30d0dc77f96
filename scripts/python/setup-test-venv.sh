#!/usr/bin/env bash
# Creates .cache/pyclient/venv with the pinned pytest for clients/python's tests (the vitest test
# test/integration/client/python-client.test.ts runs them). Idempotent: a marker holding the hash of
# the pins skips a reinstall; any failed step exits non-zero (CI runs this once before the suite).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYCLIENT_PYTHON:-python3.11}
VENV=.cache/pyclient/venv
REQ=scripts/python/requirements-test.txt
MARKER=$VENV/.requirements-hash

command -v "$PY" >/dev/null || { echo "setup-test-venv: $PY not found (set PYCLIENT_PYTHON)" >&2; exit 1; }
mkdir -p .cache/pyclient
exec 9>.cache/pyclient/.setup.lock
flock 9
hash=$( { "$PY" --version; cat "$REQ"; } | sha256sum | cut -c1-16)
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$hash" ]; then
  echo "setup-test-venv: $VENV is up to date ($hash)"
  exit 0
fi
echo "setup-test-venv: installing pinned test tools into $VENV ($hash) …"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ"
"$VENV/bin/python" -c "import pytest; print('setup-test-venv: pytest', pytest.__version__)"
echo "$hash" > "$MARKER"
