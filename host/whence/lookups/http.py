"""Bounded HTTP GET of JSON for RDAP: urllib in a worker thread, a size cap, a timeout for the
whole answer (not only for each read), at most MAX_REDIRECTS redirects, no exception out.

Only RDAP servers (from the bootstrap or `rdap.base_url`) and feed publishers are ever fetched;
never a URL taken from a message.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any

from .. import __version__
from .threads import EXECUTOR

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
USER_AGENT = f"whence/{__version__} (+RDAP client)"


class HttpResult:
    def __init__(self, status: int, body: Any = None, error: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.headers = headers or {}


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS  # RIRs send a query on to the one that holds the address: one hop


_OPENER = urllib.request.build_opener(_Redirects)


def _read(response: http.client.HTTPResponse, deadline: float) -> bytes | None:
    """The body, at most MAX_BYTES + 1 of it, or None when it does not arrive by `deadline`: the
    socket timeout alone would let a server that sends a byte now and then hold a thread forever."""
    chunks: list[bytes] = []
    got = 0
    while got <= MAX_BYTES:
        if time.monotonic() > deadline:
            return None
        chunk = response.read1(min(65536, MAX_BYTES + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _get_json(url: str, timeout: float) -> HttpResult:
    request = urllib.request.Request(url, headers={"Accept": "application/rdap+json, application/json",
                                                   "User-Agent": USER_AGENT})
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            data = _read(response, deadline)
            status = response.status
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        return HttpResult(0, error=f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:200])
    if data is None:
        return HttpResult(status, error="answer too slow")
    if len(data) > MAX_BYTES:
        return HttpResult(status, error="answer too large")
    try:
        return HttpResult(status, json.loads(data.decode("utf-8", "replace")))
    except (ValueError, RecursionError):
        return HttpResult(status, error="answer is not JSON")


async def get_json(url: str, timeout: float) -> HttpResult:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(EXECUTOR, _get_json, url, timeout)
