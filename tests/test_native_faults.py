"""The native host's fault matrix, against the real launcher over real pipes (tests/test_native.py's
harness): a 4 GB length prefix, truncated frames, frames that are not JSON, JSON of the wrong types
and depths, a thousand requests with the client vanishing at random moments, the host killed in the
middle of a request. Through all of it the host answers every frame it can read with a reply (never
an `internal` error), stays small, exits cleanly when its client is gone, and its log holds none of
the messages' content.

The add-on's side of a killed host (re-sending what was in flight) is tests/test_native_js.py and,
in a real Thunderbird, tests/e2e/test_robustness.py.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import struct
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.test_native import (  # noqa: F401 - home, manifest_path and start_host are fixtures
    CASES,
    Host,
    analyze,
    clean_env,
    home,
    manifest_path,
    start_host,
)

MARK = "Zq7kMARKv3"  # in every message sent here; must never reach the host's log


def message(n: int, extra: str = "") -> bytes:
    """A small message whose every field carries the marker."""
    return (f"From: {MARK} Sender <{MARK.lower()}@example.org>\r\nTo: b@example.jp\r\n"
            f"Subject: {MARK} invoice {n}\r\nMessage-ID: <{MARK}.{n}@example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/html; charset=utf-8\r\n\r\n<p>{MARK} body {n} {extra}</p>"
            f'<a href="https://{MARK.lower()}.example.com/{MARK}">{MARK}</a>\r\n').encode()


def offline_request(rid: str, n: int = 0) -> dict[str, Any]:
    return {"id": rid, "type": "analyze", "offline": True, "raw": base64.b64encode(message(n)).decode()}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


class LogTail:
    """What the host logs from now on (the session's hosts share one log; it may rotate)."""

    def __init__(self, folder: Path) -> None:
        self.home = folder
        self.path = self._path()
        self.start = self.path.stat().st_size if self.path else 0

    def _path(self) -> Path | None:
        found = sorted(self.home.rglob("host.log"))
        return found[0] if found else None

    def text(self) -> str:
        path = self._path()
        assert path is not None, "no host.log"
        data = path.read_bytes()
        return data[self.start:].decode("utf-8", "replace") if len(data) >= self.start else data.decode()


def assert_clean_log(tail: LogTail) -> None:
    text = tail.text()
    assert "Traceback" not in text, text[-3000:]
    for needle in (MARK, MARK.lower(), base64.b64encode(MARK.encode()).decode()[:8]):
        assert needle not in text, f"message content {needle!r} in the host's log"


def deaf_host(manifest: Path, home: Path) -> subprocess.Popen[bytes]:  # noqa: F811
    """The launcher started as Thunderbird starts it, by a client that will not read its replies."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    launcher = data["path"]
    return subprocess.Popen([launcher, str(manifest), data["allowed_extensions"][0]], cwd=os.path.dirname(launcher),
                            env=clean_env(home, WHENCE_OFFLINE="1"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)


def wait_exit(host: Host, timeout: float = 10.0) -> int:
    return host.proc.wait(timeout)


@pytest.fixture
def log_tail(home: Path) -> LogTail:  # noqa: F811 - the fixture imported above
    return LogTail(home)


def test_a_4_gb_length_prefix_is_read_to_its_end_refused_and_the_host_serves_on(start_host: Any,  # noqa: F811
                                                                                log_tail: LogTail) -> None:
    host = start_host()
    assert host.proc.stdin is not None
    length = 0xFFFFFFFF
    head = b'{"id": "huge", "type": "analyze", "raw": "'
    host.proc.stdin.write(struct.pack("=I", length) + head)
    chunk = memoryview(b"A" * (8 << 20))
    left = length - len(head)
    started = time.perf_counter()
    fd = host.proc.stdin.fileno()
    host.proc.stdin.flush()
    while left > 0:
        view = chunk[:min(left, len(chunk))]
        while view:
            view = view[os.write(fd, view):]
        left -= min(left, len(chunk))
    reply = host.recv(timeout=120)
    seconds = time.perf_counter() - started
    assert (reply["id"], reply["ok"], reply["error"]["code"]) == ("huge", False, "too_large"), reply
    assert peak_rss_mb(host.proc.pid) < 300  # drained, never held
    host.send({"id": "alive", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.close() == 0
    print(f"4 GB frame drained in {seconds:.1f} s")
    assert_clean_log(log_tail)


@pytest.mark.parametrize("tail", [
    b"\x05\x00",  # half a length prefix
    struct.pack("=I", 500) + b'{"id": "cut", "type": "ana',  # a body cut short
    struct.pack("=I", 0xFFFFFFFF) + b"x" * 100_000,  # a 4 GB frame whose client leaves
    struct.pack("=I", 0),  # an empty frame, then nothing
])
def test_truncated_frames_end_the_host_cleanly(start_host: Any, log_tail: LogTail, tail: bytes) -> None:  # noqa: F811
    host = start_host()
    host.send({"id": "1", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.proc.stdin is not None
    host.proc.stdin.write(tail)
    host.proc.stdin.flush()
    started = time.perf_counter()
    assert host.close() == 0
    assert time.perf_counter() - started < 5
    assert_clean_log(log_tail)


def garbage(rng: random.Random, n: int) -> bytes:
    kind = n % 6
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if kind == 1:  # JSON cut anywhere
        text = json.dumps(offline_request(f"g{n}", n))
        return text[:rng.randrange(len(text))].encode()
    if kind == 2:  # valid JSON, not an object
        return json.dumps(rng.choice([[1, 2], "ping", 3.5, None, True, [{"id": "x"}]])).encode()
    if kind == 3:  # bytes flipped in a valid request
        data = bytearray(json.dumps(offline_request(f"g{n}", n)).encode())
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 4:  # not UTF-8
        return b'{"id": "g%d", "type": "ping", "x": "\xff\xfe\xc0\xaf"}' % n
    return ("\ufeff" + json.dumps({"id": f"g{n}", "type": "ping"})).encode()  # a BOM first


def test_non_json_frames_get_error_replies_and_the_host_serves_on(start_host: Any,  # noqa: F811
                                                                  log_tail: LogTail) -> None:
    host = start_host()
    rng = random.Random(12)
    frames = [garbage(rng, n) for n in range(300)]
    for frame in frames:
        host.send_bytes(frame)
    replies = []
    for _ in frames:
        reply = host.recv(timeout=60)
        replies.append(reply)
        if reply.get("stage") == "offline":  # a flipped byte that left a valid request
            replies.append(host.recv(timeout=60))
    codes = [r["error"]["code"] for r in replies if not r["ok"]]
    assert "internal" not in codes, [r for r in replies if not r["ok"] and r["error"]["code"] == "internal"]
    assert len(codes) >= 200
    host.send({"id": "alive", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.close() == 0
    assert_clean_log(log_tail)


def deep(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def wrong_requests() -> list[tuple[Any, bytes]]:
    """(the id the reply must carry, the frame) for JSON of every wrong type and depth."""
    raw = base64.b64encode(message(1)).decode()
    out: list[tuple[Any, dict[str, Any] | bytes]] = [
        (1.5, {"id": 1.5, "type": "ping"}), (10**40, {"id": 10**40, "type": "ping"}),
        # an id that is no string or number is refused, and echoed as it came
        ([1], {"id": [1], "type": "ping"}), ({"a": 1}, {"id": {"a": 1}}), (True, {"id": True, "type": "ping"}),
        ("t1", {"id": "t1", "type": ["ping"]}), ("t2", {"id": "t2", "type": None}), ("t3", {"id": "t3", "type": 7}),
        ("r1", {"id": "r1", "type": "analyze", "raw": 12}), ("r2", {"id": "r2", "type": "analyze", "raw": [raw]}),
        ("r3", {"id": "r3", "type": "analyze", "raw": {"b64": raw}}),
        ("r4", {"id": "r4", "type": "analyze", "raw": ""}),
        ("r5", {"id": "r5", "type": "analyze", "raw": "=" * 100}),
        ("r6", {"id": "r6", "type": "analyze", "raw": raw, "offline": "yes"}),
        ("c1", {"id": "c1", "type": "analyze", "raw": raw, "context": [1, 2]}),
        ("c2", {"id": "c2", "type": "analyze", "raw": raw, "offline": True,
                "context": {"account_email": ["x"], "account_host": {"a": deep(50)}}}),
        ("o1", {"id": "o1", "type": "analyze", "raw": raw, "options": "network.offline"}),
        ("o2", {"id": "o2", "type": "analyze", "raw": raw, "offline": True, "options": {
            "network.offline": "maybe", "lookups.deadline_ms": "soon", "lookups.timeout_ms": -5,
            "trust.hosts": 17, "ui.lang": ["ja"], "dns.nameservers": {"x": 1}, "lookups.deep": deep(100),
            "limits.max_message_bytes": "big", "rdap.base_url": 3, "lookups.dnsbls": [[["a"]]]}}),
        ("o3", {"id": "o3", "type": "analyze", "raw": raw, "offline": True, "options": {
            "trust.hosts": ["example.org", None, 5, ["x"], {"y": 1}, "a" * 100_000], "lookups.deadline_ms": 10**30,
            "ui.lang": "xx", "lookups.feeds": [None], "report.recipients": deep(20)}}),
        ("p1", {"id": "p1", "type": "report", "raw": raw, "options": {"network.offline": True},
                "recipients": "abuse@example.org"}),
        ("p2", {"id": "p2", "type": "report", "raw": raw, "options": {"network.offline": True},
                "recipients": [1, 2]}),
        ("p3", {"id": "p3", "type": "report", "raw": raw, "options": {"network.offline": True}, "lang": ["en"]}),
        ("d1", {"id": "d1", "type": "ping", "extra": deep(500)}),
    ]
    frames = [(rid, body if isinstance(body, bytes) else json.dumps(body).encode()) for rid, body in out]
    # deeper than the JSON decoder's recursion limit: the id is recovered from the raw frame
    frames.append(("d2", b'{"id": "d2", "type": "ping", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"))
    frames.append(("d3", b'{"id": "d3", "type": "ping", "x": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"))
    return frames


def test_json_of_wrong_types_and_depths_gets_replies_never_internal_errors(start_host: Any,  # noqa: F811
                                                                           log_tail: LogTail) -> None:
    host = start_host()
    frames = wrong_requests()
    for _rid, frame in frames:
        host.send_bytes(frame)
    expected = {json.dumps(rid) for rid, _frame in frames}
    finished: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + 120
    while set(finished) != expected and time.monotonic() < deadline:
        reply = host.recv(timeout=60)
        assert reply["ok"] or reply["error"]["code"] != "internal", reply
        key = json.dumps(reply["id"])
        if reply.get("stage") == "offline":
            continue
        assert key not in finished, (reply, finished.get(key))
        finished[key] = reply
    assert set(finished) == expected, set(expected) - set(finished)
    ok = {k for k, r in finished.items() if r["ok"]}
    # wrong-typed options and context fields are ignored, the analysis goes on
    assert {'"c2"', '"o2"', '"o3"', '"r6"', '"d1"', '"p3"', "1.5"} <= ok, sorted(ok)
    assert not {"[1]", "true", '{"a": 1}', '"t1"', '"r1"', '"c1"', '"o1"', '"p1"'} & ok, sorted(ok)
    assert finished['"d2"']["error"]["code"] == "bad_request" and finished['"d3"']["error"]["code"] == "bad_request"
    host.send({"id": "alive", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.close() == 0
    assert_clean_log(log_tail)


def test_a_thousand_requests_with_random_client_disconnects(start_host: Any, log_tail: LogTail,  # noqa: F811
                                                            manifest_path: Path, home: Path) -> None:  # noqa: F811
    """Clients that vanish: stdin closed between frames or in the middle of one, or stdout no longer
    read (the host's writes fail). Every host exits on its own, cleanly and soon."""
    rng = random.Random(2026)
    sent = hosts = 0
    endings: dict[str, int] = {}
    while sent < 1000:
        host = start_host(WHENCE_OFFLINE="1")
        hosts += 1
        batch = rng.randint(5, 60)
        for i in range(batch):
            rid = f"h{hosts}-{i}"
            host.send({"id": rid, "type": "ping"} if i % 4 == 0 else offline_request(rid, i))
        sent += batch
        for _ in range(rng.randrange(batch)):  # read some of the replies
            host.recv(timeout=60)
        ending = rng.choice(["close", "mid-frame"])
        endings[ending] = endings.get(ending, 0) + 1
        assert host.proc.stdin is not None
        if ending == "mid-frame":
            frame = json.dumps(offline_request("cut", 1)).encode()
            host.proc.stdin.write(struct.pack("=I", len(frame)) + frame[:rng.randrange(len(frame))])
            host.proc.stdin.flush()
        host.proc.stdin.close()
        assert wait_exit(host) == 0
    for n in range(5):  # a client that stops reading: the host's writes fail (EPIPE) and it leaves
        proc = deaf_host(manifest_path, home)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdout.close()
        for i in range(20):
            body = json.dumps(offline_request(f"deaf{n}-{i}", i) if i % 2 else {"id": str(i), "type": "ping"})
            try:
                proc.stdin.write(struct.pack("=I", len(body)) + body.encode())
                proc.stdin.flush()
            except BrokenPipeError:  # the host already left
                break
        sent += 20
        assert proc.wait(10) == 0
        endings["stop-reading"] = endings.get("stop-reading", 0) + 1
    assert sent >= 1000 and len(endings) == 3, endings
    assert_clean_log(log_tail)


def test_a_host_killed_mid_request_leaves_nothing_that_stops_the_next(start_host: Any,  # noqa: F811
                                                                       log_tail: LogTail) -> None:
    """SIGKILL while live analyses run (lookups, cache writes in progress); the next host, started as
    the add-on starts it after a disconnect, answers the same requests with the same verdicts."""
    files = [CASES / "etc-phish.eml", CASES / "sextortion.eml", CASES / "kagoya-phish.eml",
             CASES / "amazon-jp-legit.eml"]
    clean = start_host()
    for i, path in enumerate(files):
        clean.send(analyze(f"c{i}", path))
    want: dict[str, str] = {}
    while len(want) < len(files):
        reply = clean.recv(timeout=120)
        if reply["stage"] == "final":
            want[reply["id"][1:]] = reply["report"]["verdict"]["level"]
    clean.close()
    for round_ in range(3):
        victim = start_host()
        for i, path in enumerate(files * 3):
            victim.send(analyze(f"k{i}", path))
        first = victim.recv(timeout=120)
        assert first["ok"] is True
        time.sleep(0.05 * round_)
        victim.proc.send_signal(signal.SIGKILL)
        assert victim.proc.wait(10) == -signal.SIGKILL
        again = start_host()
        for i, path in enumerate(files):
            again.send(analyze(f"a{i}", path))
        got: dict[str, str] = {}
        while len(got) < len(files):
            reply = again.recv(timeout=120)
            assert reply["ok"] is True, reply
            if reply["stage"] == "final":
                got[reply["id"][1:]] = reply["report"]["verdict"]["level"]
        assert got == want
        assert again.close() == 0
    assert_clean_log(log_tail)


def test_the_log_holds_no_message_content(start_host: Any, log_tail: LogTail) -> None:  # noqa: F811
    """Analyses, reports and bad requests of messages carrying the marker in every field, at the most
    verbose log level: the log says what happened, never what the mail said."""
    host = start_host(WHENCE_LOG_LEVEL="DEBUG")
    raw = base64.b64encode(message(7, extra=f'<img src="cid:{MARK}"> {MARK}@example.org')).decode()
    host.send({"id": "a", "type": "analyze", "raw": raw})
    host.send({"id": "b", "type": "report", "raw": raw, "options": {"network.offline": True}})
    host.send({"id": "c", "type": "analyze", "raw": raw[:-3] + "!!!"})  # not base64
    host.send_bytes(f'{{"id": "d", "type": "analyze", "raw": "{raw}"'.encode())  # cut JSON
    host.send({"id": "e", "type": "analyze", "raw": raw, "context": {"account_email": f"{MARK}@example.jp"}})
    replies = [host.recv(timeout=120) for _ in range(7)]
    assert {r["id"] for r in replies} == set("abcde")
    assert host.close() == 0
    assert_clean_log(log_tail)
