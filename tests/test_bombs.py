"""Decompression bombs and pathological messages (bench/bombs.py), each analysed offline in a fresh
process: bounded in time (≤ 2 s of CPU) and memory (≤ 300 MB peak RSS), never `unknown`, and what a
bound left unread is said in the report (`message.limits`), not silently dropped."""

from __future__ import annotations

import pytest

from bench.bombs import BOMBS, RSS_LIMIT_MB, TIME_LIMIT_S, measure

# What each bomb must make the report say it skipped (a finding, not silence).
MUST_SAY = {
    "zip-lying-nested": {"nested-archive-unreadable"},
    "zip-nested": {"nested-archive-depth"},
    "zip-100k-members": {"archive-members"},
    "png-gigapixel": {"image-too-large"},
    "pdf-5000-pages": {"pdf-pages"},
    "base64-endless": {"part-too-long"},
    "nesting-10000": {"nesting-too-deep"},
    "headers-100000": {"too-many-headers"},
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_is_bounded(name: str) -> None:
    result = measure(name)
    assert result["cpu_seconds"] <= TIME_LIMIT_S, result
    assert result["seconds"] <= 3 * TIME_LIMIT_S, result  # wall time, with room for a busy machine
    assert result["peak_rss_mb"] <= RSS_LIMIT_MB, result
    assert result["level"] != "unknown", result
    assert not result["errors"], result
    assert MUST_SAY.get(name, set()) <= set(result["skipped"]), result
    if result["skipped"]:
        assert "message.limits" in result["findings"]


def test_an_ordinary_message_says_nothing_was_skipped() -> None:
    from whence.pipeline import Analysis
    from whence.settings import Settings

    raw = (b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: hi\r\n\r\nsee https://example.com/\r\n")
    report = Analysis(raw, Settings(offline=True)).offline_report()
    assert "message.limits" not in {f["id"] for f in report["findings"]}
