"""Compiled regular expressions kept across starts of the native host.

Compiling the checks' and facts' patterns is a third of the host's start-up (about 150 ms of the
first reply on a 2-core machine): CPython's `re` compiler is written in Python, and its result, the
engine's code, is not kept between processes. This keeps it: while `recording()` is on, every
pattern compiled is also stored, with its code, in the tables cache; once installed, a pattern
found there goes straight to the engine (`_sre.compile`) with the stored code.

The stored code is what `re` itself produces for that pattern on this very interpreter (the key
names the Python version and the engine's magic number), and before anything is installed a
self-test checks that a pattern built from stored code equals (code included) one compiled the
normal way; if it does not, or the interpreter's `re` is not laid out as expected, nothing is
changed. Only patterns compiled while recording are stored: Whence's own, at import and while
analysing a built-in message — never one that a real message could have shaped.
"""

from __future__ import annotations

import array
import contextlib
import marshal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_CODE_TYPE = "I"  # the engine's code words (CODESIZE 4), stored as bytes: they load 10x faster than ints
MAX_PATTERNS = 4096
MAX_PATTERN_CHARS = 200_000

_lock = threading.Lock()
_table: dict[tuple[Any, int], tuple[Any, ...]] = {}
_new: dict[tuple[Any, int], tuple[Any, ...]] = {}
_local = threading.local()  # .depth: recording() on this thread
_original: Any = None
_path: Path | None = None


def _modules() -> tuple[Any, Any, Any] | None:
    try:
        import _sre
        import re._compiler as _compiler  # Python 3.11+
        import re._parser as _parser
    except ImportError:
        return None
    if not all(hasattr(_compiler, name) for name in ("compile", "_code", "SRE_FLAG_DEBUG")):
        return None
    if array.array(_CODE_TYPE).itemsize != _sre.CODESIZE:
        return None
    return _sre, _compiler, _parser


def _fresh(modules: tuple[Any, Any, Any], pattern: str | bytes, flags: int) -> tuple[Any, ...]:
    """What re._compiler.compile hands to the engine for PATTERN: the same steps, kept."""
    _sre, _compiler, _parser = modules
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), array.array(_CODE_TYPE, code).tobytes(), int(parsed.state.groups - 1),
            {name: int(index) for name, index in groupindex.items()}, tuple(indexgroup))


def _self_test(modules: tuple[Any, Any, Any]) -> bool:
    _sre, _compiler, _ = modules
    samples = ((r"(?P<a>\w+)@(?P<b>[^\s>]+)|x{2,5}?", 0), (r"(?i:abc)\bdef(?=g)", 2), (rb"[\x00-\x1f]+$", 8))
    try:
        for pattern, flags in samples:
            final, code, groups, groupindex, indexgroup = _fresh(modules, pattern, flags)
            ours = _sre.compile(pattern, final, array.array(_CODE_TYPE, code).tolist(), groups, groupindex,
                                indexgroup)
            if ours != _compiler.compile(pattern, flags):  # Pattern equality compares the code too
                return False
    except Exception:
        return False
    return True


def _cache_path(modules: tuple[Any, Any, Any]) -> Path:
    from .settings import cache_dir

    _sre = modules[0]
    tag = f"{sys.implementation.cache_tag}-{sys.version_info[:3]}-{_sre.MAGIC}-{_sre.CODESIZE}"
    return cache_dir() / "tables" / f"regex-{''.join(c for c in tag if c.isalnum() or c == '-')}.marshal"


def install() -> bool:
    """Serve patterns from the stored table from now on (idempotent); False when it cannot."""
    global _original, _path
    with _lock:
        if _original is not None:
            return True
        modules = _modules()
        if modules is None or not _self_test(modules):
            return False
        _sre, _compiler, _ = modules
        _path = _cache_path(modules)
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError), _path.open("rb") as fh:
            table = marshal.load(fh)
            if isinstance(table, dict):
                _table.update(table)
        _original = _compiler.compile
        debug = _compiler.SRE_FLAG_DEBUG

        def compile(pattern: Any, flags: int = 0) -> Any:
            if not isinstance(pattern, (str, bytes)) or flags & debug or len(pattern) > MAX_PATTERN_CHARS:
                return _original(pattern, flags)
            key = (pattern, flags)
            stored = _table.get(key)
            if stored is None:
                if not getattr(_local, "depth", 0) or len(_table) >= MAX_PATTERNS:
                    return _original(pattern, flags)
                stored = _fresh(modules, pattern, flags)
                with _lock:
                    _table[key] = _new[key] = stored
            flags, code, groups, groupindex, indexgroup = stored
            return _sre.compile(pattern, flags, array.array(_CODE_TYPE, code).tolist(), groups, groupindex,
                                indexgroup)

        _compiler.compile = compile
        return True


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Patterns compiled inside, on this thread, are stored by the next `save()` (for Whence's own
    code only: another thread may be analysing a real message meanwhile)."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def save() -> int:
    """Write the table if patterns were added; returns how many. Failures are ignored."""
    from .tables import _store

    with _lock:
        if not _new or _path is None:
            return 0
        added = len(_new)
        table = dict(_table)
        _new.clear()
    with contextlib.suppress(OSError, ValueError):
        _store(_path, table)
    return added
