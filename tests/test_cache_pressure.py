"""The lookup cache under pressure: several processes writing at once, a file corrupted in every
way we could think of (before and while it is open), another process holding the lock, a full
disk. In each case the analysis goes on — without the cache if need be — with the same verdict,
within its deadline.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from whence.lookups.cache import Cache
from whence.pipeline import Analysis
from whence.settings import Settings, cache_dir

from tests.conftest import CASES

REPO = Path(__file__).resolve().parent.parent
DEADLINE_MS = 2000


def settings(network: Any) -> Settings:
    dns, rdap = network
    return Settings(nameservers=(dns.address,), rdap_base_url=rdap.base_url, deadline_ms=DEADLINE_MS)


def final(name: str, s: Settings) -> tuple[dict[str, Any], float]:
    analysis = Analysis((CASES / name).read_bytes(), s)
    started = time.monotonic()
    report = asyncio.run(analysis.final_report())
    return report, time.monotonic() - started


def cache_file() -> Path:
    return cache_dir() / "lookups.sqlite3"


@pytest.fixture
def expected(cases_network: Any) -> dict[str, Any]:
    """The final verdict of etc-phish with a working cache, from a first (cold) run."""
    report, _s = final("etc-phish.eml", settings(cases_network))
    assert report["origin"]["org"], report["origin"]
    return {"verdict": report["verdict"]["level"], "org": report["origin"]["org"]}


def same(report: dict[str, Any], expected: dict[str, Any]) -> bool:
    return report["verdict"]["level"] == expected["verdict"] and report["origin"]["org"] == expected["org"]


WRITER = textwrap.dedent("""
    import json, sys, time
    from whence.lookups.cache import Cache
    cache = Cache()
    me = sys.argv[1]
    bad = 0
    for n in range(400):
        cache.put(f"{me}:{n}", {"n": n, "pad": "x" * 500}, 600)
        cache.put("shared", {"by": me, "n": n}, 600)
        if cache.get(f"{me}:{n}") != {"n": n, "pad": "x" * 500}:
            bad += 1
    print(json.dumps({"bad": bad}))
""")


def test_several_processes_writing_at_once(cases_network: Any, expected: dict[str, Any]) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO / "host"))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, f"w{i}"], env=env, stdout=subprocess.PIPE, text=True)
               for i in range(4)]
    reports = [final("etc-phish.eml", settings(cases_network)) for _ in range(3)]  # analyses meanwhile
    outs = [json.loads(w.communicate(timeout=120)[0]) for w in writers]
    assert all(w.returncode == 0 for w in writers)
    misses = sum(o["bad"] for o in outs)
    assert misses <= 40, outs  # a write that lost a lock race is a miss, never an error; most land
    for report, seconds in reports:
        assert same(report, expected) and seconds < DEADLINE_MS / 1000 + 1.5
    cache = Cache()
    assert cache.get("w3:399") == {"n": 399, "pad": "x" * 500}
    assert cache.get("shared")["by"] in {"w0", "w1", "w2", "w3"}


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _pages_scribbled(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 1024):
        data[offset:offset + 64] = os.urandom(64)
    path.write_bytes(bytes(data))


def _wrong_schema(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE answers (key INTEGER, other BLOB)")
    db.execute("INSERT INTO answers VALUES (1, x'00ff')")
    db.commit()
    db.close()


def _bad_values(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE answers SET value = '{not json', expires = 1e300")
    db.commit()
    db.close()


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")


def _wal_garbage(path: Path) -> None:
    Path(str(path) + "-wal").write_bytes(os.urandom(32 * 1024))
    Path(str(path) + "-shm").write_bytes(os.urandom(32 * 1024))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


CORRUPTIONS = {f.__name__.strip("_"): f for f in (_garbage, _truncated, _header_only, _pages_scribbled, _wrong_schema,
                                                  _bad_values, _directory, _wal_garbage, _empty)}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_a_corrupted_cache_file(how: str, cases_network: Any, expected: dict[str, Any]) -> None:
    path = cache_file()
    assert path.exists()
    CORRUPTIONS[how](path)
    for _ in range(2):  # the run that finds it, and the one after
        report, seconds = final("etc-phish.eml", settings(cases_network))
        failed = [(x["query"], x["error"]) for x in report["lookups"] if x["error"]]
        assert same(report, expected), (how, report.get("errors"), failed)
        assert seconds < DEADLINE_MS / 1000 + 1.5


def test_a_cache_corrupted_while_a_process_has_it_open(cases_network: Any, expected: dict[str, Any]) -> None:
    cache = Cache()
    assert cache.get("nothing") is None  # open
    cache.put("k", {"v": 1}, 600)
    path = cache_file()
    _pages_scribbled(path)
    _wal_garbage(path)
    cache.put("k2", {"v": 2}, 600)  # must not raise
    cache.get("k")
    report, _s = final("etc-phish.eml", settings(cases_network))
    assert same(report, expected)
    cache.close()


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    db.execute(sys.argv[2])
    db.execute("DELETE FROM answers")  # every lookup misses, so the analysis will want to write
    db.execute("BEGIN EXCLUSIVE")  # waits for the connections still open to let go
    db.execute("INSERT OR REPLACE INTO answers VALUES ('lock', '1', 1e12)")
    print("locked", flush=True)
    time.sleep(30)
""")


@pytest.mark.parametrize("mode", ["PRAGMA journal_mode = WAL", "PRAGMA locking_mode = EXCLUSIVE"])
def test_another_process_holding_the_lock(mode: str, cases_network: Any, expected: dict[str, Any]) -> None:
    """A writer that never commits (or holds the file exclusively): reads and writes wait at most
    briefly, then go on without the cache, and the deadline holds."""
    gc.collect()  # the connections of earlier analyses in this process, closed as a host's would be
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(cache_file()), mode], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        report, seconds = final("etc-phish.eml", settings(cases_network))
        assert same(report, expected), report["verdict"]
        assert seconds < DEADLINE_MS / 1000 + 1.5, seconds
    finally:
        locker.kill()
        locker.wait()


FULL_DISK = textwrap.dedent("""
    import asyncio, json, resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) as on a full disk
    from whence.pipeline import Analysis
    from whence.settings import Settings
    raw = open(sys.argv[1], "rb").read()
    s = Settings(nameservers=(sys.argv[2],), rdap_base_url=sys.argv[3], deadline_ms=2000)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[4]), int(sys.argv[4])))
    report = asyncio.run(Analysis(raw, s).final_report())
    print(json.dumps({"level": report["verdict"]["level"], "org": report["origin"]["org"],
                      "errors": report.get("errors", [])}))
""")


@pytest.mark.parametrize("limit", [0, 8192])
def test_a_full_disk(limit: int, cases_network: Any, expected: dict[str, Any], tmp_path: Path) -> None:
    """No byte more can be written (RLIMIT_FSIZE: every write past `limit` fails as on a full disk),
    with no cache yet and with one that cannot grow."""
    dns, rdap = cases_network
    env = dict(os.environ, PYTHONPATH=str(REPO / "host"), XDG_CACHE_HOME=str(tmp_path / "full"))
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(CASES / "etc-phish.eml"), dns.address,
                          rdap.base_url, str(limit)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert (got["level"], got["org"]) == (expected["verdict"], expected["org"]), got
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == resource.RLIM_INFINITY  # only the child was limited
