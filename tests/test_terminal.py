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
from whence.render.terminal import build, history_line, human_delay, local_time, wrap
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


# --- the sender-history line (docs/history.md), worded as the panel words it --------------------------


def history_of(count: int, first: str | None = "2025-01-09T20:00:00+00:00") -> dict[str, Any]:
    return {"messages": 40_000, "sender": {"address": "shipment-tracking@amazon.co.jp", "count": count,
                                           "first": first},
            "domain": {"domain": "amazon.co.jp", "count": count}, "brands": {}}


def history_rows(lines: list[str], label: str) -> list[str]:
    """The history row's value and its continuation lines (the panel's border and label column left out)."""
    from rich.cells import cell_len

    inside = [line[2:] if line.startswith("│ ") else "" for line in lines]
    at = next(i for i, line in enumerate(inside) if line.startswith(label + " "))
    value = inside[at][len(label):].lstrip()
    pad = cell_len(inside[at]) - cell_len(value)  # the label column, in cells
    rows = [value.rstrip(" │")]
    for line in inside[at + 1:]:
        if not line.startswith(" " * pad) or not line.strip(" │"):
            break
        rows.append(line.strip(" │"))
    return rows


EXPECTED = {  # (count, first) -> (en, ja): the panel's words (extension/_locales/*/messages.json)
    (12345, "2025-01-09T20:00:00+00:00"): (
        "You have received 12345 messages from this sender since 10 January 2025.",  # 05:00 JST on the 10th
        "この送信元からは 2025年1月10日以降 12345 通のメールを受け取っています。"),
    (1, "2025-06-01T09:00:00+00:00"): ("You have received 1 message from this sender before, on 1 June 2025.",
                                       "この送信元からは以前 2025年6月1日に 1 通のメールを受け取っています。"),
    (0, None): ("First message from this sender.", "この送信元からの初めてのメールです。"),
}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_history_line_reads_as_the_panel_and_never_splits_a_date_or_count(
        reports: dict[str, dict[str, Any]], width: int, lang: str) -> None:
    label = "History" if lang == "en" else "履歴"
    for (count, first), said in EXPECTED.items():
        report = {**reports["etc-phish.eml"], "history": history_of(count, first)}
        lines = draw(report, lang, width)
        rows = history_rows(lines, label)
        sentence = said[lang == "ja"]
        assert "".join(rows).replace(" ", "") == sentence.replace(" ", ""), (width, rows)
        if lang == "en":
            assert " ".join(rows) == sentence, rows  # lines break only at spaces
        for whole in ("10 January 2025", "1 June 2025", "2025年1月10日", "2025年6月1日", "12345 通", "1 通"):
            if whole in sentence:
                assert any(whole in row for row in rows), (whole, width, rows)
        assert not any(row.startswith(("。", ".", "、", "に", "以降")) for row in rows[1:]), rows
        assert max(len(line.rstrip()) for line in lines) <= width
        assert_unbroken(lines, atoms(report), width)  # the rest of the report as before
    if width == 60:  # a narrow window does wrap the longest sentence, at a good place
        report = {**reports["etc-phish.eml"], "history": history_of(12345)}
        assert len(history_rows(draw(report, lang, width), label)) == 2


def test_the_history_lines_date_and_count_stay_whole_at_any_width() -> None:
    for lang in ("en", "ja"):
        for count in (2, 12345):
            said, keep = history_line({"history": history_of(count)}, lang, JST)
            assert set(keep) == ({"10 January 2025", str(count)} if lang == "en" else {"2025年1月10日", f"{count} 通"})
            for width in range(20, 81):
                lines = wrap(said, width, keep)
                assert all(any(whole in line for line in lines) for whole in keep), (width, lines)
    assert history_line({"history": history_of(3, "not a date")}, "en")[0] == \
        "You have received 3 messages from this sender since ?."  # as the panel says it
    assert history_line({}, "en") == ("", ())


def test_no_history_line_without_history(reports: dict[str, dict[str, Any]]) -> None:
    for lang, label in (("en", "History"), ("ja", "履歴")):
        lines = [_BORDER.sub("", line) for line in draw(reports["etc-phish.eml"], lang, 80)]
        assert not any(line.startswith(label + " ") for line in lines)


def test_the_history_line_through_the_command_line(tmp_path: Path) -> None:
    """The real CLI with --history: mail from a sender grows the line; a new sender is a first."""
    from tests.test_history import amazon, message

    mails = tmp_path / "mail"
    mails.mkdir()
    for i in range(4):  # 1 June 2025 (09:00 UTC) and every 30 days after
        (mails / f"{i:02}.eml").write_bytes(amazon(i, 30 * i))
    latest = tmp_path / "latest.eml"
    latest.write_bytes(amazon(9, 200))
    stranger = tmp_path / "stranger.eml"
    stranger.write_bytes(message(sender="Hanako <hanako@friend.example.org>", n=1, days=201))
    env = {**os.environ, "WHENCE_OFFLINE": "1", "TZ": "Asia/Tokyo",
           "WHENCE_HISTORY_PATH": str(tmp_path / "history.sqlite3")}

    def whence(*args: str, width: int = 80) -> list[str]:
        run = subprocess.run([sys.executable, "-m", "whence.cli", "analyze", "-j", "1", *args],
                             capture_output=True, text=True, timeout=120, env={**env, "COLUMNS": str(width)},
                             check=True)
        return run.stdout.splitlines()

    plain = whence(str(latest))
    assert not any(_BORDER.sub("", line).startswith("History ") for line in plain)  # off unless --history
    whence("--history", str(mails))
    for width in WIDTHS:
        for lang, label, sentence in (
                ("en", "History", "You have received 4 messages from this sender since 1 June 2025."),
                ("ja", "履歴", "この送信元からは 2025年6月1日以降 4 通のメールを受け取っています。")):
            lines = whence("--history", "--lang", lang, str(latest), width=width)
            rows = history_rows(lines, label)
            assert "".join(rows).replace(" ", "") == sentence.replace(" ", ""), (width, rows)
            assert any(("1 June 2025" if lang == "en" else "2025年6月1日") in row for row in rows), rows
            assert max(len(line.rstrip()) for line in lines) <= width
        first = whence("--history", str(stranger), width=width)
        assert history_rows(first, "History") == ["First message from this sender."]
