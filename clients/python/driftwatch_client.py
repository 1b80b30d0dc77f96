"""Log predictions to a driftwatch collector without ever slowing the prediction.

Stdlib only (Python >= 3.8). One module: copy it into your service or vendor it.

    from driftwatch_client import PredictionLogger

    logger = PredictionLogger("http://collector:4318")
    logger.log({"model": "checkout-fraud", "id": order_id, "features": features, "score": score})
    ...
    logger.close()  # at shutdown: sends what is queued (up to close_timeout seconds)

``log()`` never raises and never blocks: it checks the envelope and puts the event on a bounded
queue (``queue.put_nowait``); when the queue is full the newest event is dropped and counted. A
daemon thread batches events (``batch_size`` events or ``flush_interval`` seconds, whichever comes
first), serialises them as NDJSON and POSTs them to ``/v1/events``. A failed batch is retried
``max_retries`` times with backoff (a 503's Retry-After is honoured up to ``max_retry_delay``), then
dropped and counted. Drops are counted by reason: see ``DROP_REASONS`` and ``stats()``.

NaN and infinities are written as bare ``NaN``/``Infinity`` (``json.dumps``' default): the collector
reads them as non-finite feature values, which the profile counts (they are not rejected).
"""

from __future__ import annotations

import gzip
import http.client
import json
import math
import os
import queue
import random
import threading
import time
import weakref
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

__all__ = ["PredictionLogger", "DROP_REASONS"]
__version__ = "0.1.0"

DROP_REASONS = (
    "queue_full",  # the queue held max_queue events: the newest was dropped
    "invalid",  # not an event (no model/id/features) or not JSON-serialisable
    "send_failed",  # every attempt failed (timeouts, refused connections, 5xx/503)
    "rejected",  # the collector refused the batch for good (4xx)
    "closed",  # logged after close(), or still queued when close() reached its deadline
)

_Item = Tuple[Dict[str, Any], float]

# Loggers of this process: rebuilt in a forked child (see PredictionLogger._after_fork_in_child).
_LOGGERS: "weakref.WeakSet[PredictionLogger]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for logger in list(_LOGGERS):
        try:
            logger._after_fork_in_child()
        except Exception:  # noqa: BLE001 - never break the child's fork
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _SendError(Exception):
    def __init__(self, message: str, retryable: bool, retry_after: Optional[float] = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


def _json_default(value: Any) -> Any:
    """numpy scalars (anything with .item()), datetimes, sets; anything else is not serialisable."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return iso()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _looks_like_event(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    model = event.get("model")
    if not isinstance(model, str) or model == "":
        return False
    id_ = event.get("id")
    if isinstance(id_, bool) or not ((isinstance(id_, str) and id_ != "") or (isinstance(id_, (int, float)) and math.isfinite(id_))):
        return False
    return isinstance(event.get("features"), dict)


class PredictionLogger:
    """A bounded, non-blocking prediction logger that sends batches to ``POST {url}/v1/events``."""

    def __init__(
        self,
        url: str,
        max_queue: int = 2048,
        batch_size: int = 512,
        flush_interval: float = 1.0,
        timeout: float = 2.0,
        max_retries: int = 3,
        retry_base: float = 0.2,
        max_retry_delay: float = 5.0,
        close_timeout: float = 10.0,
        headers: Optional[Dict[str, str]] = None,
        gzip_body: bool = False,
    ) -> None:
        if max_queue < 1 or batch_size < 1 or flush_interval < 0 or timeout <= 0 or max_retries < 0:
            raise ValueError("max_queue and batch_size must be >= 1, flush_interval >= 0, timeout > 0, max_retries >= 0")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http(s)://host[:port][/path]; got {url!r}")
        path = parts.path.rstrip("/")
        self._path = path if path.endswith("/v1/events") else f"{path}/v1/events"
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._headers = {"Content-Type": "application/x-ndjson", **(headers or {})}
        if gzip_body:
            self._headers["Content-Encoding"] = "gzip"
        self._gzip = gzip_body
        self._batch_size = int(batch_size)
        self._flush_interval = float(flush_interval)
        self._timeout = float(timeout)
        self._max_retries = int(max_retries)
        self._retry_base = float(retry_base)
        self._max_retry_delay = float(max_retry_delay)
        self._close_timeout = float(close_timeout)

        self._queue: "queue.Queue[_Item]" = queue.Queue(maxsize=int(max_queue))
        self._lock = threading.Lock()
        self._settled_cond = threading.Condition(self._lock)
        self._dropped = dict.fromkeys(DROP_REASONS, 0)
        self._sent = 0
        self._batches = 0
        self._retries = 0
        self._in_flight = 0
        self._rejected_by_collector = 0
        self._last_error: Optional[str] = None
        self._enqueued = 0
        self._settled = 0
        self._flush_wanted = 0
        self._closed = False
        self._close_deadline = math.inf
        self._conn: Optional[http.client.HTTPConnection] = None
        self._max_queue = int(max_queue)
        self._thread: Optional[threading.Thread] = None
        self._start_thread()
        _LOGGERS.add(self)

    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._run, name="driftwatch-logger", daemon=True)
        self._thread = thread
        thread.start()

    def _after_fork_in_child(self) -> None:
        """In a forked child: the parent's lock may have been held by a thread that does not exist
        here, and its queue and worker are the parent's. Rebuild the lock and an empty queue (events
        queued in the parent are the parent's to send); the worker starts at the child's first log()."""
        self._lock = threading.Lock()
        self._settled_cond = threading.Condition(self._lock)
        self._queue = queue.Queue(maxsize=self._max_queue)
        self._conn = None  # the parent's socket: never used (nor closed) here
        self._thread = None
        self._in_flight = 0
        self._enqueued = 0
        self._settled = 0
        self._flush_wanted = 0

    # -- the caller's side: never raises, never blocks ---------------------------------------

    def log(self, event: Any) -> None:
        """Queue one event. Never raises, never blocks; a full queue drops this (the newest) event."""
        try:
            if self._closed:
                self._drop("closed", 1)
                return
            if not _looks_like_event(event):
                self._drop("invalid", 1)
                return
            with self._lock:
                if self._thread is None and not self._closed:
                    self._start_thread()  # after a fork: the child's own worker
                try:
                    self._queue.put_nowait((event, time.time()))
                except queue.Full:
                    self._dropped["queue_full"] += 1
                    return
                self._enqueued += 1
        except Exception:  # noqa: BLE001 - a hostile __eq__/__hash__ or the like: never the caller's problem
            try:
                self._drop("invalid", 1)
            except Exception:  # noqa: BLE001
                pass

    def stats(self) -> Dict[str, Any]:
        with self._lock:
            out: Dict[str, Any] = {
                "queued": self._queue.qsize(),
                "sent": self._sent,
                "batches": self._batches,
                "retries": self._retries,
                "dropped": dict(self._dropped),
                "in_flight": self._in_flight,
                "rejected_by_collector": self._rejected_by_collector,
            }
            if self._last_error is not None:
                out["last_error"] = self._last_error
            return out

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every event logged before the call is sent or dropped. False on timeout."""
        with self._lock:
            target = self._enqueued
            self._flush_wanted += 1
            try:
                return self._settled_cond.wait_for(lambda: self._settled >= target, timeout)
            finally:
                self._flush_wanted -= 1

    def close(self, timeout: Optional[float] = None) -> None:
        """Send what is queued (at most ``timeout``, default ``close_timeout`` seconds), then stop.
        Events still queued at the deadline are dropped as ``closed``; later ``log()`` calls too."""
        limit = self._close_timeout if timeout is None else float(timeout)
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close_deadline = time.monotonic() + limit
        if self._thread is not None:
            self._thread.join(max(0.0, self._close_deadline - time.monotonic()) + self._timeout + 1.0)
        left = 0
        while True:
            try:
                self._queue.get_nowait()
                left += 1
            except queue.Empty:
                break
        if left:
            self._drop("closed", left)
            self._settle(left)
        self._disconnect()

    def __enter__(self) -> "PredictionLogger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- the background thread -------------------------------------------------------------------

    def _drop(self, reason: str, n: int) -> None:
        with self._lock:
            self._dropped[reason] += n

    def _settle(self, n: int) -> None:
        with self._lock:
            self._settled += n
            self._settled_cond.notify_all()

    def _urgent(self) -> bool:
        return self._closed or self._flush_wanted > 0

    def _run(self) -> None:
        while True:
            if self._closed and (self._queue.empty() or time.monotonic() >= self._close_deadline):
                return
            try:
                first = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            batch: List[_Item] = [first]
            due = first[1] + self._flush_interval
            while len(batch) < self._batch_size:
                wait = due - time.time()
                try:
                    if wait <= 0 or self._urgent():
                        batch.append(self._queue.get_nowait())
                    else:
                        batch.append(self._queue.get(timeout=min(wait, 0.05)))
                except queue.Empty:
                    if wait <= 0 or self._urgent():
                        break
            try:
                self._send_batch(batch)
            except Exception as e:  # noqa: BLE001 - the thread must survive anything
                with self._lock:
                    self._last_error = f"logger: {e}"
                    self._in_flight = 0
                self._settle(len(batch))

    def _serialise(self, batch: List[_Item]) -> Tuple[bytes, int]:
        lines: List[bytes] = []
        invalid = 0
        for event, wall in batch:
            try:
                if event.get("ts") in (None, ""):
                    event = {**event, "ts": _iso(wall)}
                line = json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=_json_default)
                if not line.startswith("{"):
                    raise TypeError("not an object")
                # Encoded here, per event: a lone surrogate (UnicodeEncodeError) drops this event only.
                lines.append(line.encode("utf-8"))
            except Exception:  # noqa: BLE001 - cycles, unserialisable values, lone surrogates, hostile objects
                invalid += 1
        if invalid:
            self._drop("invalid", invalid)
        return (b"\n".join(lines) + b"\n") if lines else b"", len(lines)

    def _send_batch(self, batch: List[_Item]) -> None:
        body, count = self._serialise(batch)
        try:
            if count == 0:
                return
            with self._lock:
                self._in_flight = count
            if self._gzip:
                body = gzip.compress(body, compresslevel=1)
            attempt = 0
            while True:
                try:
                    rejected = self._post(body)
                    with self._lock:
                        self._sent += count
                        self._batches += 1
                        self._rejected_by_collector += rejected
                    return
                except _SendError as e:
                    with self._lock:
                        self._last_error = str(e)
                    if not e.retryable:
                        self._drop("rejected", count)
                        return
                    now = time.monotonic()
                    if attempt >= self._max_retries or now >= self._close_deadline:
                        self._drop("send_failed", count)
                        return
                    backoff = self._retry_base * (2**attempt) * (0.5 + random.random() / 2)
                    delay = min(self._max_retry_delay, e.retry_after if e.retry_after is not None else backoff, max(0.0, self._close_deadline - now))
                    with self._lock:
                        self._retries += 1
                    attempt += 1
                    time.sleep(delay)
        finally:
            with self._lock:
                self._in_flight = 0
            self._settle(len(batch))

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

    def _post(self, body: bytes) -> int:
        """POST one batch; answers how many events the collector's 202 says it rejected (quarantined)."""
        try:
            conn = self._connection()
            conn.request("POST", self._path, body=body, headers={**self._headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            answer = response.read(65536)
            status = response.status
            retry_after = response.getheader("Retry-After")
            if response.will_close:
                self._disconnect()
        except Exception as e:  # noqa: BLE001 - socket.timeout, ConnectionRefusedError, RemoteDisconnected, ...
            self._disconnect()
            kind = "timed out" if isinstance(e, TimeoutError) or "timed out" in str(e) else type(e).__name__
            raise _SendError(f"POST {self._path}: {kind}: {e}", retryable=True) from None
        if 200 <= status < 300:
            try:
                rejected = json.loads(answer).get("rejected", 0)
                return rejected if isinstance(rejected, int) and not isinstance(rejected, bool) and rejected > 0 else 0
            except Exception:  # noqa: BLE001 - any 2xx is a delivery; its body is informative only
                return 0
        detail = f"collector answered {status}: {answer[:200].decode('utf-8', 'replace').strip()}"
        if status >= 500 or status in (408, 429):
            seconds: Optional[float] = None
            try:
                seconds = float(retry_after) if retry_after is not None else None
            except ValueError:
                seconds = None
            raise _SendError(detail, retryable=True, retry_after=seconds)
        raise _SendError(detail, retryable=False)
