"""Opt-in phishing feeds (OpenPhish community, PhishTank, URLhaus), downloaded into the cache and
matched locally: the analysis never asks a feed about a message, it reads the last download.

`lookups.feeds` names the feeds to use (`openphish`, `phishtank`, `urlhaus`), each optionally as
`name=URL` to use a mirror. `whence feeds update` downloads them with ETag / If-Modified-Since.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..settings import Settings, cache_dir
from .http import USER_AGENT
from .threads import EXECUTOR

FEEDS = {
    "openphish": "https://openphish.com/feed.txt",
    "phishtank": "https://data.phishtank.com/data/online-valid.csv",
    "urlhaus": "https://urlhaus.abuse.ch/downloads/text_online/",
}
MAX_FEED_BYTES = 64 * 1024 * 1024


def feed_dir() -> Path:
    return cache_dir() / "feeds"


def configured(settings: Settings) -> dict[str, str]:
    out = {}
    for item in settings.feeds:
        name, sep, url = item.partition("=")
        name = name.strip().lower()
        if sep and url.strip():
            out[name] = url.strip()
        elif name in FEEDS:
            out[name] = FEEDS[name]
    return out


def _download(name: str, url: str, timeout: float) -> dict[str, Any]:
    folder = feed_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data_path, meta_path = folder / f"{name}.txt", folder / f"{name}.meta.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError):
        meta = {}
    headers = {"User-Agent": USER_AGENT}
    if data_path.exists() and meta.get("url") == url:
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return {"status": "not-modified", "entries": _count(data_path)}
        return {"status": "error", "error": f"HTTP {exc.code}", "entries": _count(data_path)}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return {"status": "error", "error": str(getattr(exc, "reason", exc))[:200],
                "entries": _count(data_path)}
    if len(body) > MAX_FEED_BYTES:
        return {"status": "error", "error": "feed too large", "entries": _count(data_path)}
    urls = _parse(name, body.decode("utf-8", "replace"))
    tmp = data_path.with_suffix(".tmp")
    tmp.write_text("\n".join(urls) + "\n", "utf-8")
    tmp.replace(data_path)
    meta_path.write_text(json.dumps({"url": url, "etag": etag, "last_modified": modified,
                                     "downloaded": time.time()}), "utf-8")
    return {"status": "updated", "entries": len(urls)}


def _parse(name: str, text: str) -> list[str]:
    if name == "phishtank" or text.startswith("phish_id,"):
        return [row["url"] for row in csv.DictReader(io.StringIO(text)) if row.get("url")]
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _count(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


async def update_feeds(settings: Settings) -> dict[str, Any]:
    """Download every configured feed (only those: opt-in), conditionally; {name: status}."""
    feeds = configured(settings)
    if not feeds:
        return {"feeds": {}, "note": "no feeds configured (set lookups.feeds, e.g. openphish,urlhaus)"}
    loop = asyncio.get_running_loop()
    timeout = max(5.0, settings.lookup_timeout_ms / 1000 * 10)
    results = await asyncio.gather(*(loop.run_in_executor(EXECUTOR, _download, n, u, timeout)
                                     for n, u in feeds.items()))
    return {"feeds": dict(zip(feeds, results, strict=False))}


@lru_cache(maxsize=8)
def _index(path: str, mtime: float) -> tuple[frozenset[str], frozenset[str]]:
    urls, hosts = set(), set()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f):
                if n > 2_000_000:
                    break
                url = line.strip()
                if not url:
                    continue
                urls.add(url.rstrip("/").lower())
                host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").rstrip(".")
                if host:
                    hosts.add(host)
    except (OSError, ValueError):
        pass
    return frozenset(urls), frozenset(hosts)


def load(settings: Settings) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """The last downloaded copy of each configured feed (missing ones are skipped)."""
    out = {}
    for name in configured(settings):
        path = feed_dir() / f"{name}.txt"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        out[name] = _index(str(path), mtime)
    return out


def matches(index: dict[str, tuple[frozenset[str], frozenset[str]]], url: str, host: str | None) -> list[str]:
    hits = []
    for name, (urls, hosts) in index.items():
        if url.rstrip("/").lower() in urls or (host and host.lower() in hosts):
            hits.append(name)
    return hits
