"""Tests of driftwatch_client against stdlib servers that implement (or break) the collector's contract.

Run: .cache/pyclient/venv/bin/python -m pytest clients/python -q  (venv: scripts/python/setup-test-venv.sh)
"""

from __future__ import annotations

import gzip
import json
import math
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driftwatch_client import DROP_REASONS, PredictionLogger  # noqa: E402


class Collector:
    """POST /v1/events → 202 {"accepted": n, ...}; can hold requests or answer given statuses first."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.raw: list[bytes] = []
        self.encodings: list[str | None] = []
        self.answers: list[tuple[int, str | None]] = []
        self.release = threading.Event()
        self.release.set()
        self.received = threading.Condition()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # noqa: D102 - quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                collector.release.wait()
                if self.path != "/v1/events":
                    return self._answer(404, b"{}")
                if collector.answers:
                    status, retry_after = collector.answers.pop(0)
                    return self._answer(status, b'{"error":"test"}', retry_after)
                encoding = self.headers.get("Content-Encoding")
                raw = gzip.decompress(body) if encoding == "gzip" else body
                lines = [line for line in raw.decode("utf-8").split("\n") if line.strip()]
                rejected = sum(1 for line in lines if json.loads(line).get("model") == "unknown-model")
                with collector.received:
                    collector.raw.append(raw)
                    collector.encodings.append(encoding)
                    collector.batches.append(lines)
                    collector.received.notify_all()
                self._answer(202, json.dumps({"accepted": len(lines) - rejected, "rejected": rejected, "reasons": {}, "duplicates": 0}).encode())

            def _answer(self, status, body, retry_after=None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ids(self) -> list[str]:
        return [json.loads(line)["id"] for batch in self.batches for line in batch]

    def wait_for(self, n_events: int, timeout: float = 10.0) -> bool:
        with self.received:
            return self.received.wait_for(lambda: sum(map(len, self.batches)) >= n_events, timeout)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector():
    c = Collector()
    yield c
    c.stop()


@pytest.fixture
def black_hole():
    """Accepts connections and never answers (never even reads)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conns.append(server.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    t.join()
    for c in conns:
        c.close()
    server.close()


@pytest.fixture
def dead_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def event(i: int, **extra):
    return {"model": "m", "id": f"e{i}", "ts": "2026-12-07T12:00:00.000Z", "features": {"a": i, "country": "DE"}, **extra}


def test_delivers_every_event_once_in_order_in_batches_of_at_most_batch_size(collector):
    logger = PredictionLogger(collector.url, batch_size=100)
    for i in range(1000):
        logger.log(event(i))
    logger.close()
    assert collector.ids() == [f"e{i}" for i in range(1000)]
    assert max(len(b) for b in collector.batches) <= 100
    stats = logger.stats()
    assert stats["sent"] == 1000
    assert stats["queued"] == 0 and stats["in_flight"] == 0
    assert sum(stats["dropped"].values()) == 0
    assert set(stats["dropped"]) == set(DROP_REASONS)


def test_sends_a_partial_batch_after_flush_interval(collector):
    logger = PredictionLogger(collector.url, batch_size=1000, flush_interval=0.2)
    for i in range(3):
        logger.log(event(i))
    assert collector.wait_for(3)
    assert collector.batches == [[json.dumps(event(i), separators=(",", ":")) for i in range(3)]]
    logger.close()


def test_log_never_raises_and_counts_invalid_input(collector):
    class Hostile(dict):
        def get(self, *a):
            raise RuntimeError("boom")

    logger = PredictionLogger(collector.url)
    garbage = [None, 1, "x", [], {"model": "m"}, {"model": 1, "id": "a", "features": {}}, {"model": "m", "id": "", "features": {}},
               {"model": "m", "id": True, "features": {}}, {"model": "m", "id": float("nan"), "features": {}}, object(), Hostile(model="m")]
    for g in garbage:
        logger.log(g)
    assert logger.stats()["dropped"]["invalid"] == len(garbage)
    cyclic = event(1)
    cyclic["features"]["self"] = cyclic
    logger.log(cyclic)
    logger.log(event(2, features={"unknown": object()}))
    logger.log(event(3))
    assert logger.flush(10)
    stats = logger.stats()
    assert stats["dropped"]["invalid"] == len(garbage) + 2
    assert stats["sent"] == 1
    assert collector.ids() == ["e3"]
    logger.close()


def test_nan_is_sent_bare_and_ts_is_filled(collector):
    logger = PredictionLogger(collector.url)
    before = time.time()
    logger.log({"model": "m", "id": "n", "features": {"x": float("nan"), "y": float("inf")}, "score": float("nan")})
    logger.close()
    line = collector.batches[0][0]
    assert '"x":NaN' in line and '"y":Infinity' in line and '"score":NaN' in line
    parsed = json.loads(line)  # Python reads bare NaN back; the collector quotes it
    assert math.isnan(parsed["features"]["x"])
    ts = parsed["ts"]
    assert ts.endswith("Z")
    from datetime import datetime

    assert abs(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() - before) < 5


def test_counts_what_the_collectors_202_says_it_rejected(collector):
    logger = PredictionLogger(collector.url)
    for i in range(10):
        logger.log({**event(i), "model": "unknown-model"} if i % 5 == 0 else event(i))
    logger.close()
    stats = logger.stats()
    assert stats["sent"] == 10 and stats["rejected_by_collector"] == 2


def test_gzip_body(collector):
    logger = PredictionLogger(collector.url, gzip_body=True)
    logger.log(event(1))
    logger.close()
    assert collector.encodings == ["gzip"]
    assert collector.ids() == ["e1"]


def test_queue_is_bounded_drops_the_newest_and_log_returns_while_the_server_is_blocked(collector):
    collector.release.clear()  # every request hangs until released
    logger = PredictionLogger(collector.url, max_queue=100, batch_size=10, timeout=30)
    done = threading.Event()
    max_queued = [0]

    def produce():
        for i in range(5000):
            logger.log(event(i))
            max_queued[0] = max(max_queued[0], logger.stats()["queued"])
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    # Behaviour, not timing: all 5,000 calls return while the collector has not answered anything.
    assert done.wait(30), "log() blocked while the collector was hung"
    assert collector.batches == []
    stats = logger.stats()
    assert max_queued[0] <= 100
    assert stats["queued"] <= 100
    assert stats["dropped"]["queue_full"] >= 5000 - 100 - 10
    collector.release.set()
    logger.close()
    stats = logger.stats()
    ids = [int(i[1:]) for i in collector.ids()]
    assert ids == sorted(ids)
    assert 4999 not in ids  # the newest were dropped, not the oldest
    assert stats["sent"] + stats["dropped"]["queue_full"] == 5000
    assert max(len(b) for b in collector.batches) <= 10


def test_retries_a_503_after_retry_after_then_delivers(collector):
    collector.answers = [(503, "1"), (500, None)]
    logger = PredictionLogger(collector.url, retry_base=0.01)
    for i in range(5):
        logger.log(event(i))
    start = time.monotonic()
    assert logger.flush(20)
    assert time.monotonic() - start >= 0.9
    stats = logger.stats()
    assert stats["sent"] == 5 and stats["retries"] == 2 and stats["dropped"]["send_failed"] == 0
    logger.close()


def test_a_4xx_drops_the_batch_as_rejected_without_retrying(collector):
    collector.answers = [(400, None)]
    logger = PredictionLogger(collector.url)
    for i in range(5):
        logger.log(event(i))
    logger.close()
    stats = logger.stats()
    assert stats["dropped"]["rejected"] == 5 and stats["retries"] == 0 and stats["sent"] == 0
    assert "400" in stats["last_error"]


def test_black_holed_collector_counts_send_failed_after_bounded_retries(black_hole):
    logger = PredictionLogger(black_hole, timeout=0.3, max_retries=1, retry_base=0.01, batch_size=50)
    for i in range(50):
        logger.log(event(i))
    assert logger.flush(10)
    stats = logger.stats()
    assert stats["dropped"]["send_failed"] == 50 and stats["retries"] == 1 and stats["sent"] == 0
    assert "timed out" in stats["last_error"]
    logger.close()


def test_dead_port_counts_send_failed(dead_url):
    logger = PredictionLogger(dead_url, max_retries=1, retry_base=0.01)
    logger.log(event(1))
    assert logger.flush(10)
    stats = logger.stats()
    assert stats["dropped"]["send_failed"] == 1
    assert "ConnectionRefused" in stats["last_error"]
    logger.close()


def test_close_gives_up_at_its_deadline_and_accounts_for_every_event(black_hole):
    logger = PredictionLogger(black_hole, timeout=0.2, retry_base=0.05, batch_size=100)
    for i in range(3000):
        logger.log(event(i))
    start = time.monotonic()
    logger.close(timeout=0.5)
    assert time.monotonic() - start < 5
    stats = logger.stats()
    d = stats["dropped"]
    assert stats["sent"] == 0 and stats["queued"] == 0
    assert d["queue_full"] + d["send_failed"] + d["closed"] == 3000
    assert d["closed"] > 0
    logger.log(event(1))
    assert logger.stats()["dropped"]["closed"] == d["closed"] + 1
    logger.close()  # idempotent


def test_flush_waits_only_for_earlier_events_and_the_thread_is_a_daemon(collector):
    logger = PredictionLogger(collector.url, batch_size=1000, flush_interval=60)
    assert logger._thread.daemon
    assert logger.flush(1)  # nothing queued
    for i in range(10):
        logger.log(event(i))
    assert logger.flush(10)
    assert collector.ids() == [f"e{i}" for i in range(10)]
    logger.close()


def test_context_manager_closes(collector):
    with PredictionLogger(collector.url) as logger:
        logger.log(event(1))
    assert collector.ids() == ["e1"]
    assert logger.stats()["sent"] == 1


def test_bad_options_raise_at_construction():
    with pytest.raises(ValueError):
        PredictionLogger("ftp://x")
    with pytest.raises(ValueError):
        PredictionLogger("http://127.0.0.1:1", max_queue=0)


def test_fastapi_example_if_fastapi_is_installed(collector):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    os.environ["DRIFTWATCH_URL"] = collector.url
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples"))
    from fastapi.testclient import TestClient

    import fastapi_service

    with TestClient(fastapi_service.app) as client:
        r = client.post("/predict", json={"id": "o1", "features": {"amount": 12.5, "country": "DE"}})
        assert r.status_code == 200
    assert collector.ids() == ["o1"]


def test_a_lone_surrogate_drops_only_its_event_as_invalid(collector):
    logger = PredictionLogger(collector.url, batch_size=10, flush_interval=0.05)
    logger.log(event(0))
    logger.log(event(1, note="bad \ud800 surrogate"))
    logger.log(event(2))
    assert logger.flush(10)
    logger.close()
    assert collector.ids() == ["e0", "e2"]
    stats = logger.stats()
    assert stats["sent"] == 2
    assert stats["dropped"]["invalid"] == 1
    assert sum(stats["dropped"].values()) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_fork_safe_the_child_gets_its_own_lock_queue_and_worker(collector):
    logger = PredictionLogger(collector.url, batch_size=1000, flush_interval=30.0)
    for i in range(5):
        logger.log(event(i))  # queued in the parent: the parent's to send
    # A thread of the parent holds the lock at the fork (the worker mid-critical-section, say).
    logger._lock.acquire()
    try:
        pid = os.fork()
        if pid == 0:  # the child: log() must not block, and its events must go out
            code = 1
            try:
                import signal

                signal.alarm(10)  # a blocked log()/flush() kills the child: the test fails
                logger.log(event(100))
                ok = logger.flush(10)
                logger.close(5)
                stats = logger.stats()
                code = 0 if ok and stats["sent"] == 1 and sum(stats["dropped"].values()) == 0 else 2
            finally:
                os._exit(code)
    finally:
        logger._lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"
    assert collector.wait_for(1)
    assert collector.ids() == ["e100"]
    logger.close()
    assert sorted(collector.ids()) == sorted(["e100"] + [f"e{i}" for i in range(5)])
    assert logger.stats()["sent"] == 5
