"""The store's keys on any Hadoop file system Spark can reach (a local directory, s3a://, hdfs://,
abfss://, gs://): list, read, write whole objects atomically, delete. Same rules as lib/storage:
keys are '/'-separated, relative to the store root, never '..' or empty segments; segments that
start with '.tmp-' are temporary and never listed.

Small files (state JSON, summary packs) go through the driver with Hadoop's FileSystem API (py4j),
so one code path serves local and object stores; bulk raw data is read by Spark itself from
`uri(key)`.
"""
from __future__ import annotations

import re
import uuid
from typing import List, Optional

_SEGMENT = re.compile(r"^[A-Za-z0-9._=:+@-]+$")


class StoreKeyError(ValueError):
    pass


def assert_key(key: str, allow_empty: bool = False) -> str:
    if key == "" and allow_empty:
        return key
    if not isinstance(key, str) or not (1 <= len(key) <= 1024):
        raise StoreKeyError(f"storage key must be 1-1024 characters, got {key!r}")
    segments = key.split("/")
    for i, segment in enumerate(segments):
        if segment == "" and allow_empty and i == len(segments) - 1:
            continue
        if segment in (".", "..") or not _SEGMENT.match(segment):
            raise StoreKeyError(f"storage key {key!r} has an invalid segment {segment!r}")
    return key


class Store:
    """A driftwatch store rooted at `root` (a path or a Hadoop URI such as s3a://bucket/prefix)."""

    def __init__(self, spark, root: str):
        self.spark = spark
        jvm = spark.sparkContext._jvm
        self._jvm = jvm
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        root = root.rstrip("/")
        if "://" not in root:
            import os

            root = "file://" + os.path.abspath(root)
        self.root = root
        self._root_path = jvm.org.apache.hadoop.fs.Path(root)
        self._fs = self._root_path.getFileSystem(conf)
        self._scheme = root.split("://", 1)[0].lower()

    # -- keys ---------------------------------------------------------------------------------
    def uri(self, key: str) -> str:
        """The URI Spark reads `key` from."""
        return f"{self.root}/{assert_key(key)}"

    def _path(self, key: str):
        return self._jvm.org.apache.hadoop.fs.Path(self.uri(key))

    def list(self, prefix: str) -> List[str]:
        """Every key under `prefix` (recursively), sorted; temporary files left out."""
        assert_key(prefix, allow_empty=True)
        base = self._root_path if prefix in ("", "/") else self._jvm.org.apache.hadoop.fs.Path(f"{self.root}/{prefix.rstrip('/')}")
        out: List[str] = []
        try:
            if not self._fs.exists(base):
                return out
            it = self._fs.listFiles(base, True)
        except Exception:  # noqa: BLE001 - a missing prefix lists nothing
            return out
        root_uri = self._fs.makeQualified(self._root_path).toUri().getPath().rstrip("/") + "/"
        while it.hasNext():
            status = it.next()
            path = status.getPath().toUri().getPath()
            if not path.startswith(root_uri):
                continue
            key = path[len(root_uri):]
            if any(seg.startswith(".tmp-") for seg in key.split("/")):
                continue
            if prefix and not key.startswith(prefix):
                continue
            out.append(key)
        return sorted(out)

    def exists(self, key: str) -> bool:
        return bool(self._fs.exists(self._path(key)))

    def read(self, key: str) -> Optional[bytes]:
        path = self._path(key)
        if not self._fs.exists(path):
            return None
        stream = self._fs.open(path)
        try:
            # The whole object as one Java byte[], copied through py4j in one go.
            return bytes(self._jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
        finally:
            stream.close()

    def write(self, key: str, data: bytes | str) -> None:
        """Write a whole object atomically: readers see the old object or the new one, never a part."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        target = self._path(key)
        parent = target.getParent()
        if not self._fs.exists(parent):
            self._fs.mkdirs(parent)
        if self._scheme in ("s3a", "s3", "gs", "abfs", "abfss", "wasb", "wasbs"):
            # Object stores: one PUT when the stream closes is atomic.
            out = self._fs.create(target, True)
            try:
                out.write(bytearray(data))
            finally:
                out.close()
            return
        tmp = self._jvm.org.apache.hadoop.fs.Path(parent, f".tmp-{uuid.uuid4().hex}")
        out = self._fs.create(tmp, True)
        try:
            out.write(bytearray(data))
            out.hsync()
        finally:
            out.close()
        if self._fs.exists(target):
            self._fs.delete(target, False)
        if not self._fs.rename(tmp, target):
            self._fs.delete(tmp, False)
            raise OSError(f"could not write {key} in {self.root}")
        # Hadoop's local file system writes .crc side files: remove them, the store has none.
        for side in (self._jvm.org.apache.hadoop.fs.Path(parent, f".{tmp.getName()}.crc"), self._jvm.org.apache.hadoop.fs.Path(parent, f".{target.getName()}.crc")):
            if self._fs.exists(side):
                self._fs.delete(side, False)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if self._fs.exists(path):
            self._fs.delete(path, False)
