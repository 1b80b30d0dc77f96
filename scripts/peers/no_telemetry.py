"""Imported first by the peer scripts: the peers' usage telemetry off (the harness runs offline)."""

import os

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")  # nannyml/usage_logging.py
os.environ.setdefault("DO_NOT_TRACK", "1")  # evidently/telemetry.py
os.environ.setdefault("WHYLOGS_NO_ANALYTICS", "1")  # whylogs/api/usage_stats
