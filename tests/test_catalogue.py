"""The catalogue is complete and documented: every check has both languages and appears in docs."""

from __future__ import annotations

import re
from pathlib import Path

from whence.checks import CATALOGUE
from whence.model import SEVERITIES

DESIGN_IDS = {
    "brand.impersonation", "link.text_mismatch", "link.lookalike", "link.free_hosting", "link.random_domain",
    "attachment.executable", "attachment.qr_code", "sender.self_spoof", "content.extortion_btc",
    "content.smtp_test", "content.simplified_chinese_in_japanese", "content.form_abuse", "dmarc.fail",
}
DOC = Path(__file__).resolve().parents[1] / "docs" / "findings.md"


def test_design_ids_are_registered() -> None:
    assert set(CATALOGUE) >= DESIGN_IDS


def test_every_check_is_explained_in_both_languages() -> None:
    for chk in CATALOGUE.values():
        assert chk.severity in SEVERITIES
        for text in (chk.title, chk.detail) + ((chk.reason,) if chk.reason else ()):
            assert text["en"].strip() and text["ja"].strip(), chk.id
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", chk.id), chk.id


def test_docs_list_every_id() -> None:
    documented = set(re.findall(r"`([a-z]+(?:\.[a-z0-9_]+)+)`", DOC.read_text(encoding="utf-8")))
    assert set(CATALOGUE) <= documented, sorted(set(CATALOGUE) - documented)
