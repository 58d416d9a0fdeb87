"""Tables derived from bundled data, built once and kept in the cache dir for the next start.

Building some tables costs more than the whole analysis of a message (the Public Suffix List's
IDNA forms, the trigram model of `wordiness`): a native host that Thunderbird has just started
would spend its first reply on them. Each table is stored with `marshal` (plain dicts, sets and
strings load in milliseconds) under a key made of its name, its format version, the Whence and
Python versions and the size and mtime of every source file, so a changed list or an upgrade
rebuilds it.
Any failure to read or write the cache just builds the table in memory: a cache is never the
reason an analysis fails or differs.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from . import __version__

T = TypeVar("T")


def _folder() -> Path:
    from .settings import cache_dir

    return cache_dir() / "tables"


def _key(name: str, version: int, sources: Iterable[str | os.PathLike[str]]) -> str:
    digest = hashlib.sha256(f"{name}\0{version}\0{__version__}\0{sys.version}".encode())
    for source in sources:
        stat = os.stat(source)
        digest.update(f"\0{os.fspath(source)}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def cached(name: str, version: int, sources: Iterable[str | os.PathLike[str]], build: Callable[[], T]) -> T:
    """BUILD()'s value, from the cache file when one for these sources exists; else built and stored.
    The value must be marshal-able (dict, list, tuple, set, frozenset, str, bytes, int, float)."""
    try:
        path: Path | None = _folder() / f"{name}-{_key(name, version, sources)}.marshal"
    except (OSError, ValueError):
        path = None
    if path is not None:
        try:
            with path.open("rb") as fh:
                return marshal.load(fh)  # type: ignore[no-any-return]
        except (OSError, ValueError, EOFError, TypeError):
            pass
    value = build()
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            _store(path, value)
    return value


def _store(path: Path, value: Any) -> None:
    """Written to a temporary file and renamed: a concurrent reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class HashedTable:
    """A read-only set of strings, each with an int, kept as their sorted 64-bit BLAKE2b hashes.

    Why: in a freshly started host, unmarshalling a frozenset of the 22,000 free-mail domains takes
    20–35 ms (and the 10,000 popular-domain ranks 13–27 ms), a fifth of the first reply; these bytes
    load in 0.2 ms. A lookup costs about 2 µs instead of 0.05 µs, a few per message. Two strings share
    a hash with probability 2^-64 per pair, and a sender cannot choose one that does short of a 2^64
    search."""

    __slots__ = ("_hashes", "_values")

    def __init__(self, packed: tuple[bytes, bytes]) -> None:
        hashes, values = packed
        self._hashes = memoryview(hashes).cast("Q")
        self._values = memoryview(values).cast("I")

    @staticmethod
    def pack(items: Mapping[str, int] | Iterable[str]) -> tuple[bytes, bytes]:
        """The stored form (marshal-able) of ITEMS: strings, or strings with their ints (< 2^32)."""
        pairs = items.items() if isinstance(items, Mapping) else ((key, 0) for key in items)
        table = dict(sorted((_hash(key), value) for key, value in pairs))
        return array.array("Q", table).tobytes(), array.array("I", table.values()).tobytes()

    def _index(self, key: str) -> int | None:
        wanted = _hash(key)
        i = bisect.bisect_left(self._hashes, wanted)
        return i if i < len(self._hashes) and self._hashes[i] == wanted else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._index(key) is not None

    def __len__(self) -> int:
        return len(self._hashes)

    def get(self, key: str) -> int | None:
        i = self._index(key)
        return None if i is None else self._values[i]
