"""The worker threads that run the synchronous libraries (pyspf, dkimpy, urllib).

A dedicated pool rather than asyncio's default executor: `asyncio.run` waits for the default
executor at shutdown, and a library stuck in a lookup must never hold the report back.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

EXECUTOR = ThreadPoolExecutor(max_workers=16, thread_name_prefix="whence-lookups")
