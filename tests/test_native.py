"""The native host as Thunderbird runs it: installed into a temporary $HOME, started from its manifest.

Everything here talks to the installed launcher over real pipes with the WebExtension framing,
the way Thunderbird does: argv [manifest_path, add-on id], working directory the launcher's folder.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import whence
from whence import native, nmhost

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "data" / "cases"
LEVELS = ("safe", "caution", "suspicious", "dangerous")

# ---------------------------------------------------------------------------------------------
# One installation per test session (the installer takes ~15 s); test_installer.py shares it.

_INSTALL: dict[str, Path] = {}
_INSTALL_LOCK = threading.Lock()


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment a user's Thunderbird would pass on: theirs, with HOME pointing at `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WHENCE_", "XDG_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), USERPROFILE=str(home), LANG="C.UTF-8", **extra)
    return env


def run_installer(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if "--xpi" not in args:
        args = ("--no-xpi", *args)
    result = subprocess.run([sys.executable, str(REPO / "installer" / "install.py"), *args],
                            env=clean_env(home), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def installed_home() -> Path:
    """A fresh $HOME with Whence installed by installer/install.py, once per session.

    Not under pytest's basetemp: concurrent pytest sessions prune each other's old basetemps.
    """
    with _INSTALL_LOCK:
        if "home" not in _INSTALL:
            home = Path(tempfile.mkdtemp(prefix="whence-home-"))
            atexit.register(shutil.rmtree, home, ignore_errors=True)
            _INSTALL["summary"] = Path(home / "install-summary.txt")
            result = run_installer(home)
            _INSTALL["summary"].write_text(result.stdout, encoding="utf-8")
            _INSTALL["home"] = home
        return _INSTALL["home"]


@pytest.fixture(scope="session")
def home() -> Path:
    return installed_home()


@pytest.fixture(scope="session")
def manifest_path(home: Path) -> Path:
    found = list((home / ".mozilla" / "native-messaging-hosts").iterdir())
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------
# A client that speaks the framing, as Thunderbird does


class Host:
    """The launcher named by the manifest, started as Thunderbird starts it."""

    def __init__(self, manifest: Path, env: dict[str, str]) -> None:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        launcher = data["path"]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([launcher, str(manifest), data["allowed_extensions"][0]],
                                     cwd=os.path.dirname(launcher), env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.replies: queue.Queue[Any] = queue.Queue()
        self.stray: list[bytes] = []  # anything on stdout that is not a JSON frame
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.stderr = b""

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while header := out.read(4):
            if len(header) < 4:
                self.stray.append(header)
                break
            (n,) = struct.unpack("=I", header)
            body = out.read(n)
            try:
                self.replies.put((json.loads(body), len(body), time.perf_counter()))
            except ValueError:
                self.stray.append(header + body)
                break
        self.replies.put(None)

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def send_bytes(self, payload: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(struct.pack("=I", len(payload)) + payload)
        self.proc.stdin.flush()

    def send(self, request: dict[str, Any]) -> None:
        self.send_bytes(json.dumps(request).encode("utf-8"))

    def recv(self, timeout: float = 30.0) -> dict[str, Any]:
        item = self.replies.get(timeout=timeout)
        assert item is not None, f"the host closed stdout; stray output {self.stray!r}"
        return item[0]

    def recv_sized(self, timeout: float = 30.0) -> tuple[dict[str, Any], int]:
        item = self.replies.get(timeout=timeout)
        assert item is not None, "the host closed stdout"
        return item[0], item[1]

    def close(self, timeout: float = 10.0) -> int:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        return self.proc.wait(timeout)


@pytest.fixture
def start_host(manifest_path: Path, home: Path, cases_network: Any) -> Iterator[Any]:
    """Start hosts whose lookups go to the loopback DNS and RDAP servers of the cases."""
    dns, rdap = cases_network
    hosts: list[Host] = []

    def start(**env: str) -> Host:
        values = {"WHENCE_NAMESERVERS": dns.address, "WHENCE_RDAP_BASE": rdap.base_url, **env}
        host = Host(manifest_path, clean_env(home, **values))
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        if host.proc.poll() is None:
            host.proc.kill()
            host.proc.wait()


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def analyze(rid: str, path: Path, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "type": "analyze", "raw": b64(path), **fields}


# ---------------------------------------------------------------------------------------------
# Tests


def test_install_leaves_one_valid_manifest(home: Path, manifest_path: Path) -> None:
    assert manifest_path.name == f"{nmhost.HOST_NAME}.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert nmhost.validate(manifest_path, data) == []
    assert os.path.isabs(data["path"]) and Path(data["path"]).is_relative_to(home)
    addon = json.loads((REPO / "extension" / "manifest.json").read_text(encoding="utf-8"))
    assert data["allowed_extensions"] == [addon["browser_specific_settings"]["gecko"]["id"]]


def test_ping(start_host: Any) -> None:
    host = start_host()
    host.send({"id": "7", "type": "ping"})
    assert host.recv() == {"id": "7", "ok": True, "version": whence.__version__}
    assert host.close() == 0
    assert host.stray == []


def test_staged_analyze_of_a_phish(start_host: Any) -> None:
    host = start_host()
    host.send(analyze("8", CASES / "etc-phish.eml",
                      context={"account_email": "rohhie@example.net", "account_host": "mail.example.net"}))
    first = host.recv(timeout=60)
    assert (first["id"], first["ok"], first.get("stage")) == ("8", True, "offline"), first
    second = host.recv(timeout=60)
    assert (second["id"], second["ok"], second["stage"]) == ("8", True, "final")
    assert first["report"]["origin"]["ip"] == "117.50.174.153"
    assert first["report"]["lookups"] == [] and second["report"]["lookups"] != []
    for reply in (first, second):
        assert reply["report"]["verdict"]["level"] in ("suspicious", "dangerous"), reply["report"]["verdict"]
    assert host.close() == 0


def test_offline_request_still_answers_in_two_stages(start_host: Any) -> None:
    host = start_host()
    host.send(analyze("9", CASES / "etc-phish.eml", offline=True))
    first = host.recv(timeout=60)
    assert first["ok"] is True, first
    second = host.recv()
    assert [first["stage"], second["stage"]] == ["offline", "final"]
    assert second["report"] == first["report"] and second["report"]["lookups"] == []
    assert host.close() == 0


def test_context_names_the_recipient_for_the_self_spoof_check(start_host: Any) -> None:
    host = start_host()
    host.send(analyze("s", CASES / "sextortion.eml", offline=True,
                      context={"account_email": "taro@example.jp", "account_host": "mx.example-mail.jp"}))
    reply = host.recv(timeout=60)
    assert reply["ok"] is True, reply
    report = reply["report"]
    assert "sender.self_spoof" in {f["id"] for f in report["findings"]}
    host.close()


def test_forty_requests_in_flight(start_host: Any) -> None:
    host = start_host()
    files = [CASES / "etc-phish.eml", CASES / "sextortion.eml", CASES / "qr-tax-cn.eml"]
    ids = [f"m{i}" for i in range(40)]
    for i, rid in enumerate(ids):
        host.send(analyze(rid, files[i % len(files)]))
    host.send({"id": "p", "type": "ping"})
    stages: dict[str, list[str]] = {rid: [] for rid in ids}
    pinged = False
    for _ in range(2 * len(ids) + 1):
        reply = host.recv(timeout=120)
        assert reply["ok"] is True, reply
        if reply["id"] == "p":
            pinged = True
            continue
        stages[reply["id"]].append(reply["stage"])
        assert reply["report"]["verdict"]["level"] in (*LEVELS, "unknown")
    assert pinged
    assert all(s == ["offline", "final"] for s in stages.values()), stages
    assert host.close() == 0


def test_bad_requests_get_errors_and_the_host_keeps_serving(start_host: Any) -> None:
    host = start_host()
    bad: list[tuple[bytes, Any, str]] = [
        (b'{"id": "a", "type": "ping"', "a", "bad_request"),  # cut JSON: the id is still found
        (b"\xff\xfe not utf-8", None, "bad_request"),
        (b"[1, 2]", None, "bad_request"),
        (b"", None, "bad_request"),
        (json.dumps({"type": "ping"}).encode(), None, "bad_request"),
        (json.dumps({"id": "b", "type": "frobnicate"}).encode(), "b", "bad_request"),
        (json.dumps({"id": "c", "type": "analyze"}).encode(), "c", "bad_request"),
        (json.dumps({"id": "d", "type": "analyze", "raw": "no base64 here!"}).encode(), "d", "bad_request"),
        (json.dumps({"id": 5, "type": "analyze", "raw": "aGk=", "context": "x"}).encode(), 5, "bad_request"),
        (json.dumps({"id": "e", "type": "analyze", "raw": "aGk=", "options": []}).encode(), "e",
         "bad_request"),
        (b"[" * 100_000 + b"]" * 100_000, None, "bad_request"),
    ]
    for payload, _rid, _code in bad:
        host.send_bytes(payload)
    got = [host.recv() for _ in bad]
    seen = Counter(repr((r["id"], r["ok"], r["error"]["code"])) for r in got)  # any order
    assert seen == Counter(repr((rid, False, code)) for _p, rid, code in bad)
    assert all(r["error"]["message"] for r in got)
    host.send({"id": "alive", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.close() == 0


def test_oversized_frames_and_messages_are_refused(start_host: Any) -> None:
    limit = 2000
    host = start_host(WHENCE_MAX_MESSAGE_BYTES=str(limit))
    too_big_frame = native.max_frame_bytes(limit) + 10
    body = b'{"type": "analyze", "raw": "' + b"A" * too_big_frame + b'", "id": "big"}'
    host.send_bytes(body)
    reply = host.recv()
    assert (reply["id"], reply["ok"], reply["error"]["code"]) == ("big", False, "too_large")
    big_message = base64.b64encode(b"x" * (limit + 1)).decode()
    host.send({"id": "msg", "type": "analyze", "raw": big_message})
    reply = host.recv()
    assert (reply["id"], reply["error"]["code"]) == ("msg", "too_large")
    host.send({"id": "alive", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.close() == 0


def test_replies_stay_under_one_mebibyte(start_host: Any) -> None:
    links = "".join(f'<a href="https://h{i}.example.com/{"p" * 200}">link {i}</a>\n' for i in range(12000))
    message = ("From: a@example.com\r\nTo: b@example.org\r\nSubject: many links\r\n"
               "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + links + "</body></html>\r\n")
    host = start_host()
    host.send({"id": "L", "type": "analyze", "offline": True,
               "raw": base64.b64encode(message.encode()).decode()})
    for _ in range(2):
        reply, size = host.recv_sized(timeout=120)
        assert reply["ok"] is True and size < 1024 * 1024
    host.close()


def test_encode_reply_trims_long_lists_and_says_so() -> None:
    report = {"verdict": {"level": "dangerous"}, "links": [{"url": "https://x.example/" + "a" * 300}] * 20000,
              "findings": [{"id": "f", "evidence": {"urls": ["u" * 100] * 50000}}], "hops": []}
    data = native.encode_reply({"id": "1", "ok": True, "stage": "final", "report": report})
    assert len(data) < 1024 * 1024
    reply = json.loads(data)
    assert {"links", "findings.evidence.urls"} <= set(reply["report"]["trimmed"])
    assert reply["report"]["verdict"] == {"level": "dangerous"}
    small = native.encode_reply({"id": "2", "ok": True, "report": {"links": []}})
    assert "trimmed" not in json.loads(small)["report"]


def test_nothing_but_frames_on_stdout_even_when_code_prints() -> None:
    code = ("import os, sys\n"
            "from whence.native import _claim_stdio\n"
            "stream, fd = _claim_stdio()\n"
            "print('library noise'); sys.stdout.flush()\n"
            "os.system('echo shell noise')\n"
            "os.write(fd, b'FRAME')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert out.stdout == b"FRAME"
    assert b"library noise" in out.stderr and b"shell noise" in out.stderr


def test_stdin_closed_mid_frame_ends_the_host(start_host: Any) -> None:
    host = start_host()
    host.send({"id": "1", "type": "ping"})
    assert host.recv()["ok"] is True
    assert host.proc.stdin is not None
    host.proc.stdin.write(struct.pack("=I", 500) + b'{"id": "2", "ty')
    host.proc.stdin.flush()
    started = time.perf_counter()
    assert host.close() == 0
    assert time.perf_counter() - started < 5


def test_stdin_closed_while_analyses_run_ends_the_host(start_host: Any) -> None:
    host = start_host()
    for i in range(10):
        host.send(analyze(str(i), CASES / "etc-phish.eml"))
    assert host.close() == 0


def test_sigterm_ends_the_host(start_host: Any) -> None:
    host = start_host()
    host.send({"id": "1", "type": "ping"})
    assert host.recv()["ok"] is True
    host.proc.send_signal(signal.SIGTERM)
    assert host.proc.wait(10) == (0 if os.name == "posix" else 1)  # Windows: TerminateProcess


def test_the_host_logs_to_the_log_dir(start_host: Any, home: Path) -> None:
    host = start_host()
    host.send({"id": "logged", "type": "ping"})
    host.recv()
    host.close()
    logs = list(home.rglob("host.log"))
    assert logs, "no host.log under the temporary home"
    text = logs[0].read_text(encoding="utf-8")
    assert f"host {whence.__version__} starts" in text and "'logged'" in text


def test_report_request(start_host: Any) -> None:
    host = start_host()
    host.send({"id": "r", "type": "report", "raw": b64(CASES / "etc-phish.eml"),
               "options": {"network.offline": True}})
    reply = host.recv(timeout=60)
    try:
        from whence.reporting import build_report  # noqa: F401 - presence decides the expectation
    except ImportError:
        assert (reply["ok"], reply["error"]["code"]) == (False, "internal")
        assert "reporting is not available" in reply["error"]["message"]
    else:
        assert reply["ok"] is True, reply
        assert isinstance(reply["recipients"], list) and isinstance(reply["forms"], list)
        assert "Feedback-Type" in reply["arf"] or "feedback-report" in reply["arf"]
    host.close()
