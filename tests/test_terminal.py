"""The terminal report at 60, 80 and 120 columns, in English and Japanese: no IP address, host name or
time is ever broken across lines, times are the viewer's local time with the offset, and delays read
as a person says them. Real messages (the sample, the acceptance cases, corpus mail with long chains)
go through the real pipeline and the real renderer; one run goes through the CLI with COLUMNS set."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from whence.pipeline import Analysis
from whence.render.terminal import build, human_delay, local_time, wrap
from whence.settings import Settings

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
MESSAGES = [ROOT / "samples" / "etc-phish.eml", *sorted((DATA / "cases").glob("*.eml")),
            DATA / "corpus" / "ham" / "easy-ham-1_00966.2a4fb2559839748a35516c870f765211.eml",
            DATA / "corpus" / "ham" / "easy-ham-1_01023.fc38576d2e2054cc52566252f8c75465.eml",
            DATA / "corpus" / "phish-pot" / "sample-4162.eml", DATA / "corpus" / "phish-pot" / "sample-3249.eml"]
WIDTHS = (60, 80, 120)
JST = timezone(timedelta(hours=9))
_BORDER = re.compile(r"^[\s│╭╰─]*|[\s│╮╯─]*$")


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    settings = Settings(offline=True)
    return {p.name: Analysis(p.read_bytes(), settings, file=str(p)).offline_report() for p in MESSAGES}


def draw(report: dict[str, Any], lang: str, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(build(report, lang, width=width, tz=JST))
    return console.export_text().splitlines()


def atoms(report: dict[str, Any]) -> set[str]:
    """Every IP address, host name and hop time the report shows, and the attachments' names and types."""
    found: set[str] = set()
    origin = report.get("origin") or {}
    for key in ("ip", "hostname", "client_ip"):
        if origin.get(key):
            found.add(origin[key])
    for hop in report.get("hops") or []:
        for key in ("from_host", "helo", "from_ip", "by_host"):
            if hop.get(key):
                found.add(hop[key])
        when = local_time(hop.get("time"), JST)
        if when is not None:
            found.add(when.strftime("%H:%M:%S"))
    for link in report.get("links") or []:
        if link.get("host"):
            found.add(link["host"])
    for attachment in report.get("attachments") or []:
        for key in ("filename", "content_type"):
            if attachment.get(key):
                found.add(attachment[key])
    auth = report.get("auth") or {}
    for entry in [auth.get("spf"), auth.get("dmarc"), *(auth.get("dkim") or [])]:
        if entry and entry.get("domain"):
            found.add(entry["domain"])
    return {a for a in found if " " not in a and len(a) <= 40}


def assert_unbroken(lines: list[str], tokens: set[str], width: int) -> None:
    inner = [_BORDER.sub("", line).lower() for line in lines]
    joined = "".join(inner)
    for token in (t.lower() for t in tokens):
        whole = sum(line.count(token) for line in inner)
        assert joined.count(token) == whole, f"{token!r} is broken across lines at {width} columns"
        assert whole, f"{token!r} is missing at {width} columns"
    assert max(len(line.rstrip()) for line in lines) <= width  # nothing spills past the window


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_address_host_or_time_is_split(reports: dict[str, dict[str, Any]], width: int, lang: str) -> None:
    for name, report in reports.items():
        tokens = atoms(report)
        assert tokens, name
        assert_unbroken(draw(report, lang, width), tokens, width)


def test_wide_terminals_get_a_table_and_narrow_ones_blocks(reports: dict[str, dict[str, Any]]) -> None:
    report = reports["etc-phish.eml"]
    wide = "\n".join(draw(report, "en", 120))
    assert re.search(r"tkoviax\.cn\s+117\.50\.174\.153\s+mail\.example\.net\s+ESMTPS\s+22:22:02", wide)
    narrow = "\n".join(draw(report, "en", 60))
    assert "from tkoviax.cn  [117.50.174.153]" in narrow and "by mail.example.net  ESMTPS" in narrow
    assert "Route (newest first) · 1 Jan 2023 · local time UTC+09:00" in narrow


def test_japanese_report_reads_japanese(reports: dict[str, dict[str, Any]]) -> None:
    text = "\n".join(draw(reports["etc-phish.eml"], "ja", 80))
    for phrase in ("危険", "差出人", "件名", "経路（新しい順） · 2023年1月1日 · 時刻は UTC+09:00", "送信ドメイン認証",
                   "成功 fevcvxs.cn", "実際の行き先", "検出事項", "重大", "オフライン：照会なし"):
        assert phrase in text
    for english in ("DANGEROUS", "critical", "medium", "Route", "Findings", "shown", "pass ", "offline"):
        assert english not in text
    for line in text.splitlines():  # kinsoku: no line starts with a closing mark
        assert not _BORDER.sub("", line).startswith(("、", "。", "）", "」"))


def test_attachments_are_a_table_when_they_fit_and_blocks_otherwise(reports: dict[str, dict[str, Any]]) -> None:
    report = reports["freight-xlsx.eml"]
    wide = "\n".join(draw(report, "ja", 120))
    assert re.search(r"上海亚凯国際運价表\.xlsx\s+application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet"
                     r" / ooxml\s+282 バイト", wide), wide
    narrow = draw(report, "en", 60)
    at = narrow.index("Attachments")
    block = ["上海亚凯国際運价表.xlsx", "  application/vnd.openxmlformats-officedocument.spreadsheetm",
             "  l.sheet / ooxml", "  282 B"]  # a type longer than a line is cut only where the line ends
    assert narrow[at + 2:at + 6] == block, narrow[at:at + 8]


def test_a_hop_on_another_day_shows_its_date_in_the_readers_format(reports: dict[str, dict[str, Any]]) -> None:
    report = reports["easy-ham-1_00966.2a4fb2559839748a35516c870f765211.eml"]  # 29 Aug, older hops on 28 Aug
    for lang, date, yours in (("en", "28 Aug 19:27:13", "your side"), ("ja", "8月28日 19:27:13", "受信者側")):
        console = Console(width=80, record=True, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(build(report, lang, width=80, tz=timezone.utc))
        text = console.export_text()
        assert date in text and yours in text, text
        assert not re.search(r"\b\d{1,2}/\d{1,2} \d\d:", text)  # never 8/28: Japanese dates read 8月28日


def test_delays_read_as_people_say_them() -> None:
    assert human_delay(2.0) == "+2 s"
    assert human_delay(200) == "+3 min"
    assert human_delay(-3 * 3600) == "−3 h skew"
    assert human_delay(-3 * 3600, "ja") == "−3 時間（時計のずれ）"
    assert human_delay(None) == ""


def test_wrapping_keeps_words_and_follows_japanese_rules() -> None:
    assert wrap("送信元（fevcvxs.cn）は認証されたドメインではありません。", 14) == \
        ["送信元", "（fevcvxs.cn）", "は認証されたド", "メインではあり", "ません。"]
    assert all(len(line) <= 20 for line in wrap("see 117.50.174.153 and mail.example.net now", 20))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_command_line_follows_columns(width: int) -> None:
    sample = ROOT / "samples" / "etc-phish.eml"
    env = {**os.environ, "WHENCE_OFFLINE": "1", "COLUMNS": str(width), "TZ": "Asia/Tokyo"}
    run = subprocess.run([sys.executable, "-m", "whence.cli", "analyze", "--lang", "ja", str(sample)],
                         capture_output=True, text=True, timeout=120, env=env, check=True)
    lines = run.stdout.splitlines()
    assert_unbroken(lines, {"117.50.174.153", "tkoviax.cn", "mail.example.net", "fevcvxs.cn", "mtocgra.cn",
                            "22:22:02"}, width)
