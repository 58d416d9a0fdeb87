"""Many messages at once for `whence analyze`: read lazily, analysed on every core, emitted in order.

The parent process only lists files, reads mbox messages and writes results; workers read `.eml`
files themselves and return finished JSON lines (or report dicts for the terminal), so the parent
never becomes the bottleneck and never holds more than a small window of messages: a chunk of
messages per job, a few jobs per worker in flight. Results come back in submission order, so the
output of `-j N` is the output of `-j 1` (the per-message `elapsed_ms` aside).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import itertools
import json
import mailbox
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .settings import Settings

_MBOX_MAGIC = b"From "
CHUNK_MESSAGES = 8  # messages per job: amortises the pipe round trip; live, the lookups of a chunk overlap
CHUNK_BYTES = 4 * 1024 * 1024  # and no more than this much mbox data per job
AHEAD = 3  # jobs in flight per worker: keeps workers busy while bounding memory
LIVE_CONCURRENCY = 8  # messages of one chunk whose lookups run at once

# (file, index inside an mbox or None, raw bytes or None to read `file`, size in bytes)
Job = tuple[str, "int | None", "bytes | None", int]


def default_jobs() -> int:
    """The cores this process may run on (the affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def input_files(paths: Iterable[str]) -> list[Path]:
    """Every file named or found (`*.eml` under directories, sorted): names only, nothing read."""
    out: list[Path] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.eml") if p.is_file()))
        else:
            out.append(path)
    return out


def total_bytes(files: Iterable[Path]) -> int:
    """What the progress bar counts to; an unreadable file counts 0 and fails later, in order."""
    total = 0
    for path in files:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(len(_MBOX_MAGIC))
    return head == _MBOX_MAGIC and path.suffix.lower() != ".eml"


def iter_jobs(files: Iterable[Path]) -> Iterator[Job]:
    """One job per message, lazily: `.eml` files stay on disk for the worker to read, mbox messages
    are read one at a time as raw bytes (the mbox's table of contents holds offsets only)."""
    for path in files:
        size = 0
        try:
            mbox = _is_mbox(path)
        except OSError:  # reading it fails again where it stands, after the messages before it
            mbox = False
        if not mbox:
            with contextlib.suppress(OSError):
                size = path.stat().st_size
            yield str(path), None, None, size
            continue
        box = mailbox.mbox(str(path), create=False)
        try:
            for index, key in enumerate(box.iterkeys()):
                raw = box.get_bytes(key)
                yield str(path), index, raw, len(raw)
        finally:
            box.close()


def iter_messages(paths: list[str]) -> Iterator[tuple[str, int | None, bytes]]:
    """(file, index inside an mbox or None, raw bytes) for every message under PATHS."""
    for file, index, raw, _size in iter_jobs(input_files(paths)):
        yield file, index, raw if raw is not None else Path(file).read_bytes()


def chunks(jobs: Iterable[Job]) -> Iterator[list[Job]]:
    """Consecutive jobs grouped by count and bytes held (files to read count nothing)."""
    chunk: list[Job] = []
    held = 0
    for job in jobs:
        chunk.append(job)
        held += len(job[2] or b"")
        if len(chunk) >= CHUNK_MESSAGES or held >= CHUNK_BYTES:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


def _finish(report: dict[str, Any], index: int | None, as_json: bool) -> str | dict[str, Any]:
    if index is not None:
        report["index"] = index
    if as_json:
        return json.dumps(report, ensure_ascii=False, default=str) + "\n"
    return report


def run_chunk(chunk: list[Job], settings: Settings, as_json: bool) -> list[Any]:
    """Analyse one chunk (in a worker or in-process): a JSON line or a report per message, in order.
    A file that cannot be read ends the list with its OSError: the command stops there, as with -j 1."""
    from .pipeline import Analysis

    loaded: list[tuple[str, int | None, bytes]] = []
    failure: OSError | None = None
    for file, index, raw, _size in chunk:
        try:
            loaded.append((file, index, raw if raw is not None else Path(file).read_bytes()))
        except OSError as exc:
            failure = exc
            break
    if settings.offline:
        out: list[Any] = [_finish(Analysis(raw, settings, file=file).offline_report(), index, as_json)
                          for file, index, raw in loaded]
    else:
        async def live() -> list[dict[str, Any]]:
            limit = asyncio.Semaphore(LIVE_CONCURRENCY)

            async def one(file: str, raw: bytes) -> dict[str, Any]:
                async with limit:
                    return await Analysis(raw, settings, file=file).final_report()

            return await asyncio.gather(*(one(file, raw) for file, _index, raw in loaded))

        reports = asyncio.run(live()) if loaded else []
        out = [_finish(report, index, as_json) for report, (_f, index, _r) in zip(reports, loaded, strict=True)]
    return [*out, failure] if failure else out


def _deliver(chunk: list[Job], results: list[Any]) -> Iterator[tuple[Job, Any]]:
    for job, result in zip(chunk, results, strict=False):
        if isinstance(result, OSError):
            raise result
        yield job, result


def _pool_context() -> Any:
    """fork where it exists: workers inherit the imported pipeline and its tables instead of
    loading them again (spawn elsewhere: Windows, macOS defaults)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def analyze_stream(jobs: Iterable[Job], settings: Settings, as_json: bool, workers: int,
                   ) -> Iterator[tuple[Job, str | dict[str, Any]]]:
    """(job, result) for every job, in the order given, on `workers` processes (1: in this one)."""
    groups = chunks(jobs)
    first = next(groups, None)
    second = next(groups, None) if workers > 1 and first is not None else None
    if second is None:  # one process, or too little work to be worth starting a pool
        for chunk in itertools.chain((first,) if first else (), groups):
            yield from _deliver(chunk, run_chunk(chunk, settings, as_json))
        return
    assert first is not None  # a second chunk is taken only after a first
    from . import pipeline

    pipeline.warm(settings)  # tables and patterns loaded once here, inherited by forked workers

    pending: collections.deque[tuple[list[Job], concurrent.futures.Future[list[Any]]]] = collections.deque()
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=_pool_context())
    try:
        for chunk in itertools.chain((first, second), groups):
            pending.append((chunk, pool.submit(run_chunk, chunk, settings, as_json)))
            while len(pending) >= workers * AHEAD:
                done, future = pending.popleft()
                yield from _deliver(done, future.result())
        while pending:
            done, future = pending.popleft()
            yield from _deliver(done, future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
