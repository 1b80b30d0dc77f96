#!/usr/bin/env bash
# Creates .cache/peers/venv with the pinned peer tools (NannyML, Evidently, whylogs) for
# `npm run bench -- peers`. Idempotent: a marker holding the hash of the pins skips a reinstall;
# any failed step exits non-zero (CI runs this once before the suite).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PEERS_PYTHON:-python3.11}
VENV=.cache/peers/venv
REQ=scripts/peers/requirements.txt
LOCK=scripts/peers/constraints.txt
MARKER=$VENV/.requirements-hash

command -v "$PY" >/dev/null || { echo "setup-venv: $PY not found (set PEERS_PYTHON)" >&2; exit 1; }
mkdir -p .cache/peers
exec 9>.cache/peers/.setup.lock
flock 9
hash=$( { "$PY" --version; cat "$REQ" "$LOCK"; } | sha256sum | cut -c1-16)
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$hash" ]; then
  echo "setup-venv: $VENV is up to date ($hash)"
  exit 0
fi
echo "setup-venv: installing pinned peers into $VENV ($hash) …"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" -c "$LOCK"
"$VENV/bin/python" -c "import nannyml, evidently, whylogs, pyarrow, psutil; print('setup-venv: nannyml', nannyml.__version__, '· evidently', evidently.__version__, '· whylogs', whylogs.__version__)"
echo "$hash" > "$MARKER"
