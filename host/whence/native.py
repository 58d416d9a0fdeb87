"""whence-host: the native messaging host Thunderbird starts (DESIGN §4).

Frames are a 32-bit native-endian length and UTF-8 JSON, on one long-lived stdio connection.
Several requests may be in flight and replies come in any order; `analyze` answers twice: the
offline stage at once, the final stage after the lookups. A bad request gets an error reply
and the host keeps serving; stdout carries nothing but frames, whatever a library prints.

Decisions the add-on relies on:
- `analyze` always answers with both stages, even offline (by settings, `options`, or the
  request's `"offline": true`): the final stage then repeats the offline report, so the client's
  state machine is the same in every mode. An error reply ends a request at any stage.
- `options` (dotted keys as in the settings file, e.g. "network.offline", "lookups.deep",
  "trust.hosts", "ui.lang", "history.enabled") override the settings for that request only; `context`
  (account_email, account_host) becomes `whence.model.Context`.
- An error reply carries the request's id; when the request could not be parsed the id is
  recovered from the raw frame if possible, else it is null.
- A reply that would exceed 1 MiB has its long lists and strings shortened, and the report (or
  the reply) names what was cut in `"trimmed"`. The ARF of a `report` reply (`arf`,
  `arf_base64`) is never cut: if it does not fit, the reply is a `too_large` error.

Threads: a reader turns stdin into frames, a writer owns the real stdout, the asyncio loop
dispatches, and a small pool does the synchronous parse/facts/checks work so the loop stays
responsive. When stdin closes (the add-on's port is gone) the host exits at once: replies could
no longer be delivered.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import contextlib
import importlib
import json
import logging
import logging.handlers
import os
import queue
import re
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from . import __version__

log = logging.getLogger("whence.native")

HEADER = struct.Struct("=I")  # native byte order, as the WebExtension framing says
REPLY_LIMIT = 1024 * 1024 - 4096  # every reply stays under 1 MiB, with room to spare
FRAME_SLACK = 1024 * 1024  # JSON around the base64 message: id, context, options
MAX_IN_FLIGHT = 64  # requests read but not yet answered; the reader waits beyond this
BYTES_IN_FLIGHT = 256 * 1024 * 1024  # nor does it read on while this much request data is held
WORKERS = 4
NO_TRIM = frozenset({"id", "arf", "arf_base64"})  # cut, these would be wrong, not shorter
TRIM_STEPS = ((4096, 200), (1024, 50), (256, 20), (64, 5))  # (characters, list items)
ID_RE = re.compile(rb'"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,30})')


class RequestError(Exception):
    """A request the host answers with an error reply; the connection carries on."""

    def __init__(self, code: str, message: str, rid: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.rid = rid  # the id guessed from a request that could not be parsed


# ---------------------------------------------------------------------------------------------
# Frames and replies


def encode_frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _trim(value: Any, chars: int, items: int, path: str, trimmed: set[str]) -> Any:
    """A copy of `value` with long strings, lists and dicts shortened; records what was cut."""
    if isinstance(value, dict):
        out = {}
        for n, (key, item) in enumerate(value.items()):
            if n >= items * 4:
                trimmed.add(path or "(reply)")
                break
            sub = f"{path}.{key}" if path else str(key)
            out[key] = item if key in NO_TRIM else _trim(item, chars, items, sub, trimmed)
        return out
    if isinstance(value, (list, tuple)):
        if len(value) > items:
            trimmed.add(path)
        return [_trim(v, chars, items, path, trimmed) for v in value[:items]]
    if isinstance(value, str) and len(value) > chars:
        trimmed.add(path)
        return value[:chars] + "…"
    return value


def encode_reply(reply: dict[str, Any], limit: int = REPLY_LIMIT) -> bytes:
    """The reply as JSON bytes under `limit`; long lists and strings trimmed and named in `trimmed`."""
    data = _dumps(reply)
    if len(data) <= limit:
        return data
    for chars, items in TRIM_STEPS:
        trimmed: set[str] = set()
        small = _trim(reply, chars, items, "", trimmed)
        where = small.get("report") if isinstance(small.get("report"), dict) else small
        names = sorted(t.removeprefix("report.") for t in trimmed)
        where["trimmed"] = names
        data = _dumps(small)
        if len(data) <= limit:
            log.info("reply %s trimmed: %s", reply.get("id"), ", ".join(names))
            return data
    return _dumps(error_reply(reply.get("id"), "too_large", "the reply does not fit in 1 MiB"))


def error_reply(rid: Any, code: str, message: str) -> dict[str, Any]:
    return {"id": rid, "ok": False, "error": {"code": code, "message": message}}


def guess_id(data: bytes) -> Any:
    """The request id from a frame we could not (or would not) parse, else None."""
    match = ID_RE.search(data[:4096]) or ID_RE.search(data[-4096:])
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


def max_frame_bytes(max_message_bytes: int) -> int:
    return 4 * ((max_message_bytes + 2) // 3) + FRAME_SLACK


# ---------------------------------------------------------------------------------------------
# Reading and writing on threads (portable: pipes on Windows do not work with asyncio readers)


class Frame:
    """What the reader hands to the loop: a payload, an oversized frame, or the end of input."""

    __slots__ = ("kind", "length", "payload")

    def __init__(self, kind: str, payload: bytes = b"", length: int = 0) -> None:
        self.kind = kind  # frame | too_large | eof | truncated
        self.payload = payload  # for too_large: its first and last bytes only
        self.length = length


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes], max_frame: int) -> Frame:
    """One frame from the stream; an oversized one is read to its end and dropped (keeps sync)."""
    header = _read_exact(stream, HEADER.size)
    if not header:
        return Frame("eof")
    if len(header) < HEADER.size:
        return Frame("truncated")
    (length,) = HEADER.unpack(header)
    if length > max_frame:  # keep both ends: the id may come first or last in the JSON
        head = _read_exact(stream, 4096)
        tail, left = b"", length - len(head)
        while left > 0:
            chunk = stream.read(min(left, 1 << 20))
            if not chunk:
                return Frame("truncated")
            left -= len(chunk)
            tail = (tail + chunk)[-4096:]
        return Frame("too_large", head + b" " + tail, length)
    payload = _read_exact(stream, length)
    if len(payload) < length:
        return Frame("truncated")
    return Frame("frame", payload, length)


class Writer(threading.Thread):
    """Owns the real stdout: frames go out whole and in the order they were queued."""

    def __init__(self, fd: int, on_broken: Callable[[], None]) -> None:
        super().__init__(name="whence-writer", daemon=True)
        self.fd = fd
        self.queue: queue.Queue[bytes | None] = queue.Queue()
        self.on_broken = on_broken

    def run(self) -> None:
        while (data := self.queue.get()) is not None:
            try:
                view = memoryview(encode_frame(data))
                while view:
                    view = view[os.write(self.fd, view):]
            except OSError as exc:
                log.info("stdout closed: %s", exc)
                self.on_broken()
                return

    def close(self, timeout: float = 2.0) -> None:
        self.queue.put(None)
        self.join(timeout)


# ---------------------------------------------------------------------------------------------
# The host


class Host:
    def __init__(self, stream: IO[bytes], out_fd: int, settings: Any = None) -> None:
        if settings is None:
            from .settings import load

            settings = load()
        self.settings = settings
        self.stream = stream
        self.max_frame = max_frame_bytes(settings.max_message_bytes)
        self.pool = concurrent.futures.ThreadPoolExecutor(WORKERS, thread_name_prefix="whence-work")
        self.slots = threading.Semaphore(MAX_IN_FLIGHT)
        self.held = 0  # bytes of requests read and not yet answered
        self.held_cond = threading.Condition()
        self.tasks: set[asyncio.Task[None]] = set()
        self.stopping: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.writer = Writer(out_fd, self._stop_threadsafe)
        self._pipeline: Any = None
        self._pipeline_lock: asyncio.Lock | None = None
        self._primed = False
        self.analyses = 0  # analyze requests in progress: the warm-up waits for none
        self._quiet: asyncio.Event | None = None
        self.exit_reason = "running"
        self.busy = 0  # pool jobs running now
        self._busy_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    async def serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        self._pipeline_lock = asyncio.Lock()
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._install_signals()
        self.writer.start()
        threading.Thread(target=self._read_loop, name="whence-reader", daemon=True).start()
        warm = self.loop.call_later(0.3, self._warm_up)
        await self.stopping.wait()
        warm.cancel()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=1.0)
        self.writer.close()
        self.pool.shutdown(wait=False, cancel_futures=True)
        log.info("host stops: %s", self.exit_reason)

    def _install_signals(self) -> None:
        assert self.loop is not None
        for name in ("SIGTERM", "SIGINT", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            try:
                self.loop.add_signal_handler(sig, self._stop, name)
            except (NotImplementedError, RuntimeError):  # Windows: no loop signal handlers
                signal.signal(sig, lambda *_a, n=name: self._stop_threadsafe(n))

    def _stop(self, reason: str = "stop") -> None:
        if self.stopping and not self.stopping.is_set():
            self.exit_reason = reason
            self.stopping.set()

    def _stop_threadsafe(self, reason: str = "stdout closed") -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            assert self.loop is not None
            self.loop.call_soon_threadsafe(self._stop, reason)

    def _read_loop(self) -> None:
        while True:
            self.slots.acquire()
            with self.held_cond:
                self.held_cond.wait_for(lambda: self.held <= BYTES_IN_FLIGHT)
            try:
                frame = read_frame(self.stream, self.max_frame)
            except (OSError, ValueError) as exc:
                frame = Frame("truncated")
                log.info("stdin read failed: %s", exc)
            if frame.kind in ("eof", "truncated"):
                self._stop_threadsafe("stdin closed" if frame.kind == "eof" else "stdin closed mid-frame")
                return
            with self.held_cond:
                self.held += len(frame.payload)
            try:
                assert self.loop is not None
                self.loop.call_soon_threadsafe(self._dispatch, frame)
            except RuntimeError:
                return

    def _dispatch(self, frame: Frame) -> None:
        size = len(frame.payload)
        if self.stopping is not None and self.stopping.is_set():
            self._release(size)  # read just before the stop: nobody is left to answer, the pool is closing
            return
        task = asyncio.ensure_future(self._handle(frame))
        self.tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, size))

    def _done(self, task: asyncio.Task[None], size: int) -> None:
        self.tasks.discard(task)
        self._release(size)

    def _release(self, size: int) -> None:
        with self.held_cond:
            self.held -= size
            self.held_cond.notify()
        self.slots.release()

    def send(self, reply: dict[str, Any]) -> None:
        self.writer.queue.put(encode_reply(reply))

    # -- requests ----------------------------------------------------------------------------

    async def _handle(self, frame: Frame) -> None:
        started = time.perf_counter()
        rid: Any = None
        kind: object = "?"
        try:
            if frame.kind == "too_large":
                rid = guess_id(frame.payload)
                raise RequestError("too_large", f"the request is {frame.length} bytes; the limit is "
                                                f"{self.max_frame} (limits.max_message_bytes)")
            request = await self._parse(frame.payload)
            rid = request.get("id")
            kind = request.get("type")
            if rid is None or isinstance(rid, (dict, list, bool)):
                raise RequestError("bad_request", "the request has no usable 'id' (string or number)")
            handlers = {"ping": self._ping, "analyze": self._analyze, "report": self._report,
                        "history": self._history}
            handler = handlers.get(kind) if isinstance(kind, str) else None  # a list type is unhashable
            if handler is None:
                raise RequestError("bad_request", f"unknown request type {str(kind)[:50]!r}")
            await handler(rid, request)
        except RequestError as exc:
            rid = exc.rid if rid is None else rid
            self.send(error_reply(rid, exc.code, exc.message))
            log.info("request %r (%s): %s %s", rid, kind, exc.code, exc.message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one request must not stop the host
            if self.stopping is not None and self.stopping.is_set():
                log.info("request %r (%s) dropped: the host is stopping (%s)", rid, kind, exc)
                return
            log.exception("request %r (%s) failed", rid, kind)
            self.send(error_reply(rid, "internal", f"{type(exc).__name__}: {exc}"[:500]))
        else:
            log.info("request %r (%s) answered in %.1f ms", rid, kind, (time.perf_counter() - started) * 1e3)
        finally:
            if not self._primed and self.loop is not None:
                self.loop.call_soon(self._warm_up)

    async def _parse(self, payload: bytes) -> dict[str, Any]:
        def parse() -> Any:
            return json.loads(payload.decode("utf-8"))

        try:
            request = parse() if len(payload) < 1 << 20 else await self._run(parse)
        except (UnicodeDecodeError, ValueError) as exc:
            raise RequestError("bad_request", f"the request is not UTF-8 JSON: {exc}"[:300],
                               guess_id(payload)) from exc
        except RecursionError as exc:
            raise RequestError("bad_request", "the request is nested too deeply", guess_id(payload)) from exc
        if not isinstance(request, dict):
            raise RequestError("bad_request", "the request is not a JSON object")
        return request

    async def _run(self, func: Callable[..., Any], *args: Any) -> Any:
        assert self.loop is not None
        return await self.loop.run_in_executor(self.pool, self._counted, func, *args)

    def _counted(self, func: Callable[..., Any], *args: Any) -> Any:
        with self._busy_lock:
            self.busy += 1
        try:
            return func(*args)
        finally:
            with self._busy_lock:
                self.busy -= 1

    async def _ping(self, rid: Any, _request: dict[str, Any]) -> None:
        self.send({"id": rid, "ok": True, "version": __version__})

    async def _analyze(self, rid: Any, request: dict[str, Any]) -> None:
        assert self._quiet is not None
        self.analyses += 1
        self._quiet.clear()
        try:
            await self._analyze_one(rid, request)
        finally:
            self.analyses -= 1
            if not self.analyses:
                self._quiet.set()

    async def _analyze_one(self, rid: Any, request: dict[str, Any]) -> None:
        settings = self._request_settings(request)
        raw = await self._raw(request, settings)
        context = _context(request.get("context"))
        pipeline = await self.pipeline()
        analysis = await self._run(pipeline.Analysis, raw, settings, context)
        offline = await self._run(analysis.offline_report)
        self.send({"id": rid, "ok": True, "stage": "offline", "report": offline})
        # Offline (by settings or request) the final stage repeats the offline report, so the
        # add-on's state machine always sees offline → final.
        final = offline
        if not settings.offline and analysis.facts is not None:
            budget = settings.deadline_ms / 1000 + 5
            try:
                final = await asyncio.wait_for(self._final(analysis, settings), budget)
            except asyncio.TimeoutError:
                final = dict(offline, errors=[*offline.get("errors", []), "lookups did not finish in time"])
            except Exception as exc:  # the offline verdict still stands
                log.exception("final stage of %r failed", rid)
                final = dict(offline, errors=[*offline.get("errors", []), f"lookups failed: {exc}"[:300]])
        self.send({"id": rid, "ok": True, "stage": "final", "report": final})

    async def _final(self, analysis: Any, settings: Any) -> dict[str, Any]:
        """Analysis.final_report, with the checks moved off the loop: the lookups run here, the
        (synchronous, sometimes 100 ms+) checks and verdict in the pool like the offline stage."""
        return await self._run(analysis.report, await analysis.gather())

    async def _report(self, rid: Any, request: dict[str, Any]) -> None:
        settings = self._request_settings(request)
        raw = await self._raw(request, settings)
        context = _context(request.get("context"))
        try:
            from .reporting import build_report
        except ImportError as exc:
            raise RequestError("internal", "reporting is not available in this version of the host "
                                           f"({exc})") from exc
        lang = request["lang"] if request.get("lang") in ("en", "ja") else settings.lang
        picked = request.get("recipients")
        if picked is not None and not (isinstance(picked, list) and all(isinstance(a, str) for a in picked)):
            raise RequestError("bad_request", "'recipients' must be a list of addresses")
        result = await build_report(raw, settings, context, lang, picked)
        self.send({"id": rid, "ok": True, **result})

    async def _history(self, rid: Any, request: dict[str, Any]) -> None:
        """The local sender history (history.py): `stats`, `clear`, or `contacts` (addresses the
        reader wrote to, from sent folders and address books, as `addresses`); replies with its stats."""
        action = request.get("action")
        if action not in ("stats", "clear", "contacts"):
            raise RequestError("bad_request", "'action' must be stats, clear or contacts")
        addresses = request.get("addresses", [])
        if action == "contacts" and not (isinstance(addresses, list) and len(addresses) <= 20_000
                                         and all(isinstance(a, str) for a in addresses)):
            raise RequestError("bad_request", "'addresses' must be a list of at most 20000 strings")
        from .history import store_for

        store = store_for(self._request_settings(request).history_path)
        if action == "clear":
            await self._run(store.clear)
        elif action == "contacts":
            await self._run(store.add_contacts, addresses)
        self.send({"id": rid, "ok": True, "history": await self._run(store.stats)})

    def _request_settings(self, request: dict[str, Any]) -> Any:
        settings = self.settings
        options = request.get("options")
        if options is not None:
            if not isinstance(options, dict):
                raise RequestError("bad_request", "'options' must be an object")
            from .settings import from_dict

            settings = from_dict(settings, options)
        if request.get("offline") is True:
            settings = settings.with_overrides(offline=True)
        return settings

    async def _raw(self, request: dict[str, Any], settings: Any) -> bytes:
        data = request.get("raw")
        if not isinstance(data, str):
            raise RequestError("bad_request", "'raw' (the message as base64) is missing")
        size = len(data) * 3 // 4
        if size > settings.max_message_bytes + 3:
            raise RequestError("too_large", f"the message is about {size} bytes; the limit is "
                                            f"{settings.max_message_bytes} (limits.max_message_bytes)")

        def decode() -> bytes:
            return base64.b64decode(data, validate=True)

        try:
            raw = decode() if len(data) < 1 << 20 else await self._run(decode)
        except (binascii.Error, ValueError) as exc:
            raise RequestError("bad_request", f"'raw' is not valid base64: {exc}") from exc
        if len(raw) > settings.max_message_bytes:
            raise RequestError("too_large", f"the message is {len(raw)} bytes; the limit is "
                                            f"{settings.max_message_bytes} (limits.max_message_bytes)")
        return raw

    async def pipeline(self) -> Any:
        """The analysis module, imported on first use so that start-up and ping stay fast."""
        if self._pipeline is None:
            assert self._pipeline_lock is not None
            async with self._pipeline_lock:
                if self._pipeline is None:
                    self._pipeline = await self._run(_import_pipeline)
        return self._pipeline

    async def _prime(self) -> None:
        """Import the pipeline and analyse a tiny message offline, so lazily loaded lists (PSL,
        brands ...) are ready before the first real message arrives."""
        pipeline = await self.pipeline()
        assert self._quiet is not None
        await self._quiet.wait()  # a real message first: warming beside it would only slow its reply
        await self._run(_warm, pipeline, self.settings)

    def _warm_up(self) -> None:
        if not self._primed and not (self.stopping and self.stopping.is_set()):
            self._primed = True
            task = asyncio.ensure_future(self._prime())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failures show per request


def _import_pipeline() -> Any:
    """whence.pipeline, its regular expressions served from the cache kept by earlier starts."""
    from . import regexcache

    regexcache.install()
    with regexcache.recording():
        return importlib.import_module("whence.pipeline")


def _warm(pipeline: Any, settings: Any) -> None:
    """Analyse the built-in message offline; the patterns compiled on the way are kept for later starts."""
    from . import regexcache

    with regexcache.recording():
        pipeline.warm(settings)
    regexcache.save()


def prime_caches() -> None:
    """Fill the caches the first reply of every later start reads (derived tables, compiled
    patterns): the installer runs this (`whence-host --prime`), so the very first start is fast too."""
    from .settings import load

    _warm(_import_pipeline(), load())


def _context(value: Any) -> Any:
    from .model import Context

    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestError("bad_request", "'context' must be an object")

    def text(key: str) -> str | None:
        item = value.get(key)
        return item.strip()[:320] if isinstance(item, str) and item.strip() else None

    return Context(account_email=text("account_email"), account_host=text("account_host"))


# ---------------------------------------------------------------------------------------------
# Process set-up


def _setup_logging() -> None:
    root = logging.getLogger("whence")
    root.setLevel(os.environ.get("WHENCE_LOG_LEVEL", "INFO").upper())
    try:
        from .settings import log_dir

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "host.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except (OSError, ValueError):
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addHandler(handler)


def _claim_stdio() -> tuple[IO[bytes], int]:
    """Keep the real stdin/stdout for frames; point fds 0 and 1 elsewhere so nothing else uses them."""
    out_fd = os.dup(1)
    in_fd = os.dup(0)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        msvcrt.setmode(out_fd, os.O_BINARY)
        msvcrt.setmode(in_fd, os.O_BINARY)
    try:
        os.dup2(2, 1)  # anything printed, even by C code, lands on stderr
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    null_in = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_in, 0)
    os.close(null_in)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    return os.fdopen(in_fd, "rb", buffering=1 << 16), out_fd


def main(argv: list[str] | None = None) -> int:
    """Entry point: Thunderbird passes [manifest_path, addon_id]; both are only logged."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--prime"]:  # Thunderbird's first argument is always the manifest's path
        prime_caches()
        return 0
    stream, out_fd = _claim_stdio()
    _setup_logging()
    log.info("host %s starts (pid %d, args %s)", __version__, os.getpid(), argv[:2])
    host = Host(stream, out_fd)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(host.serve())
    logging.shutdown()
    if host.busy:  # a long parse cannot be interrupted; nobody is listening, so leave now
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
