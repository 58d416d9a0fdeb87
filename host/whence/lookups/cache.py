"""On-disk cache of lookup answers, kept for as long as the answer's TTL says.

sqlite3 in WAL mode with a busy timeout lets several Whence processes (the CLI, the native host)
share one file; a file that is not a readable database is moved aside and rebuilt, because a
cache must never be the reason an analysis fails — nor the reason it is late: the calls run on the
lookups' event loop, so a lock held elsewhere is waited for at most BUSY_MS, and after a failure
that waiting did not cure (locked, disk full, unopenable) this Cache stays off for OFF_S seconds:
one message pays the wait once, not once per lookup.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..settings import cache_dir

SCHEMA = ("CREATE TABLE IF NOT EXISTS answers "
          "(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)")
MAX_TTL = 7 * 24 * 3600
BUSY_MS = 200  # how long a read or write waits for another process's lock
OFF_S = 10.0  # how long the cache is skipped after an operation failed for want of the lock or the disk


def default_path() -> Path:
    return cache_dir() / "lookups.sqlite3"


class Cache:
    """key -> JSON value until `expires`. Thread-safe; every failure degrades to a cache miss."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.rebuilt = False
        self._off_until = 0.0  # monotonic time until which every call is a miss

    def _open(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect()
        except sqlite3.OperationalError:
            raise  # locked or unreadable for now: not evidence of corruption
        except sqlite3.DatabaseError:
            self._rebuild()
            self._db = self._connect()
        return self._db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(SCHEMA)
            db.execute("SELECT count(*) FROM answers").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _rebuild(self) -> None:
        """Move a corrupt file aside (another process may still hold it) and start afresh."""
        self.rebuilt = True
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                try:
                    p.replace(p.with_name(p.name + f".corrupt-{int(time.time())}"))
                except OSError:
                    p.unlink(missing_ok=True)

    def _off(self) -> bool:
        return time.monotonic() < self._off_until

    def _failed(self) -> None:
        self._off_until = time.monotonic() + OFF_S

    def get(self, key: str) -> Any | None:
        with self._lock:
            if self._off():
                return None
            for attempt in range(2):
                try:
                    row = self._open().execute(
                        "SELECT value, expires FROM answers WHERE key = ?", (key,)).fetchone()
                    break
                except (sqlite3.OperationalError, OSError):
                    self._failed()
                    return None  # locked past the busy timeout: a miss, not a failure
                except sqlite3.DatabaseError:
                    self._reset()
                    if attempt:
                        return None
            if row is None or row[1] < time.time():
                return None
            try:
                return json.loads(row[0])
            except ValueError:
                return None

    def put(self, key: str, value: Any, ttl: float) -> None:
        ttl = max(0.0, min(float(ttl), MAX_TTL))
        if ttl <= 0:
            return
        data = json.dumps(value, ensure_ascii=False)
        with self._lock:
            if self._off():
                return
            for attempt in range(2):
                try:
                    self._open().execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                                         (key, data, time.time() + ttl))
                    return
                except (sqlite3.OperationalError, OSError):
                    self._failed()
                    return
                except sqlite3.DatabaseError:
                    self._reset()
                    if attempt:
                        return

    def _reset(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        self._rebuild()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class NullCache(Cache):
    """No caching (used when the cache directory is unusable)."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"))

    def get(self, key: str) -> Any | None:
        return None

    def put(self, key: str, value: Any, ttl: float) -> None:
        return None
