"""Bounded HTTP GET of JSON for RDAP: urllib in a worker thread, a size cap, a timeout.

Only RDAP servers (from the bootstrap or `rdap.base_url`) and feed publishers are ever fetched;
never a URL taken from a message.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from .. import __version__
from .threads import EXECUTOR

MAX_BYTES = 2 * 1024 * 1024
USER_AGENT = f"whence/{__version__} (+RDAP client)"


class HttpResult:
    def __init__(self, status: int, body: Any = None, error: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.headers = headers or {}


def _get_json(url: str, timeout: float) -> HttpResult:
    request = urllib.request.Request(url, headers={"Accept": "application/rdap+json, application/json",
                                                   "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
            status = response.status
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return HttpResult(0, error=f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:200])
    if len(data) > MAX_BYTES:
        return HttpResult(status, error="answer too large")
    try:
        return HttpResult(status, json.loads(data.decode("utf-8", "replace")))
    except ValueError:
        return HttpResult(status, error="answer is not JSON")


async def get_json(url: str, timeout: float) -> HttpResult:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(EXECUTOR, _get_json, url, timeout)
