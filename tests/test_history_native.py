"""The sender history through the native host, as the add-on uses it: analyze with
`history.enabled`, the report's `history` field, and the `history` request (stats, contacts, clear)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.test_history import amazon
from tests.test_native import home, manifest_path, start_host  # noqa: F401 - fixtures

OPTIONS = {"history.enabled": True, "network.offline": True}


def analyze(host: Any, rid: str, raw: bytes) -> dict[str, Any]:
    host.send({"id": rid, "type": "analyze", "raw": base64.b64encode(raw).decode(), "options": OPTIONS})
    first, final = host.recv(timeout=60), host.recv(timeout=60)
    assert first["stage"] == "offline" and final["stage"] == "final", (first, final)
    return final["report"]


def test_history_through_the_native_host(start_host: Any, tmp_path: Path) -> None:  # noqa: F811
    host = start_host(WHENCE_HISTORY_PATH=str(tmp_path / "history.sqlite3"))
    for i in range(3):
        report = analyze(host, f"a{i}", amazon(i, 30 * i))
    assert report["history"]["sender"]["count"] == 2  # the two before it
    host.send({"id": "s", "type": "history", "action": "stats"})
    reply = host.recv()
    assert reply["ok"] and reply["history"]["messages"] == 3 and reply["history"]["senders"] == 1
    host.send({"id": "c", "type": "history", "action": "contacts", "addresses": ["friend@example.org"]})
    assert host.recv()["history"]["contacts"] == 1
    host.send({"id": "x", "type": "history", "action": "clear"})
    reply = host.recv()
    assert reply["history"]["messages"] == 0 and reply["history"]["contacts"] == 0
    assert analyze(host, "b", amazon(9, 300))["history"]["sender"]["count"] == 0
    host.send({"id": "bad", "type": "history", "action": "drop"})
    assert host.recv()["error"]["code"] == "bad_request"
    assert host.close() == 0


def test_without_the_option_no_history_is_kept(start_host: Any, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "history.sqlite3"
    host = start_host(WHENCE_HISTORY_PATH=str(path))
    host.send({"id": "1", "type": "analyze", "raw": base64.b64encode(amazon(1, 0)).decode(), "offline": True})
    assert "history" not in host.recv(timeout=60)["report"]
    host.recv(timeout=60)
    assert host.close() == 0
    assert not path.exists()
