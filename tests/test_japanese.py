"""Japanese first: every string of the add-on has a Japanese text that is not English, the pages carry
no English of their own outside the message catalogue, and the abuse report's readable part and the
terminal report read Japanese (labels, levels, severities, results and dates)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from whence.checks import CATALOGUE
from whence.pipeline import Analysis
from whence.reporting.arf import summary_text
from whence.settings import Settings

ROOT = Path(__file__).parent.parent
EXT = ROOT / "extension"
# messages that are the same in both languages on purpose: names, examples, formats without words
SAME = {"extensionName", "actionLabel", "optFeedsPlaceholder", "optTrustedPlaceholder", "optDnsblsPlaceholder",
        "optDomainBlocklistsPlaceholder", "lookupKind_dns", "lookupKind_rdap"}


def catalogue(lang: str) -> dict[str, str]:
    data = json.loads((EXT / "_locales" / lang / "messages.json").read_text("utf-8"))
    return {k: v["message"] for k, v in data.items()}


def test_every_message_has_a_japanese_text() -> None:
    en, ja = catalogue("en"), catalogue("ja")
    assert set(en) == set(ja)
    for key, text in ja.items():
        if key in SAME:
            continue
        assert text != en[key] or not re.search(r"[A-Za-z]{3,}", en[key]), key
        words = re.sub(r"Whence|RFC|ARF|DNS|HELO|[A-Z]{2,}\b", "", en[key])
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) or not re.search(r"[A-Za-z]{2,}", words), key
        assert text.count("$1") == en[key].count("$1") and text.count("$2") == en[key].count("$2"), key
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]: ", text), f"{key}: a half-width colon in Japanese"


def test_every_recipient_role_is_named_in_both_languages() -> None:
    from whence.reporting import recipients

    used = set(re.findall(r'out\.add\([^,]+, "([a-z-]+)"', Path(recipients.__file__).read_text("utf-8")))
    assert used and used | {"form"} == set(recipients.ROLES)
    en, ja = catalogue("en"), catalogue("ja")
    for role, text in recipients.ROLES.items():
        if role != "form":  # the panel lists forms apart, without a role
            key = "role_" + role.replace("-", "_")
            assert (en[key], ja[key]) == (text["en"], text["ja"]), role  # the panel and the command line agree


def test_every_checks_japanese_uses_japanese_punctuation() -> None:
    for chk in CATALOGUE.values():
        for text in (chk.title, chk.detail) + ((chk.reason,) if chk.reason else ()):
            assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]: ", text["ja"]), f"{chk.id}: a half-width colon"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("code", "option", "script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("code", "option", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words += re.findall(r"[A-Za-z]{3,}", data)


def test_pages_have_no_english_of_their_own() -> None:
    for page in EXT.glob("*/*.html"):
        parser = _Text()
        parser.feed(page.read_text("utf-8"))
        assert not parser.words, f"{page.name}: {parser.words} — put them in _locales"


def test_the_abuse_reports_readable_part_reads_japanese() -> None:
    report = Analysis((ROOT / "samples" / "etc-phish.eml").read_bytes(), Settings(offline=True)).offline_report()
    text = summary_text(report, None, "ja", False)
    assert "Whence の判定：危険" in text and "[重大]" in text and "SPF 成功" in text
    assert "受信日時：2023年1月1日 22時22分02秒（+09:00）" in text
    for english in ("dangerous", "critical", "medium", "unknown", "Kind:", "pass"):
        assert english not in text, english
