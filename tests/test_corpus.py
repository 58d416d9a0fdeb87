"""Real mail: a fixed subset of the development corpus (tests/data/corpus), offline.

The acceptance figures are measured on the whole corpus (bench/corpus_table.py, evaluate.py); this
keeps a change from quietly losing them: phishing and bulk scams are flagged, legitimate mail is not,
and the origin IP is the one the labels give.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from whence.pipeline import Analysis
from whence.settings import Settings

CORPUS = Path(__file__).parent / "data" / "corpus"
ROWS = list(csv.DictReader((CORPUS / "labels.csv").open(newline="")))
LEVELS = ["safe", "caution", "suspicious", "dangerous"]


def _report(name: str) -> dict:
    return Analysis((CORPUS / name).read_bytes(), Settings(offline=True), file=name).offline_report()


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {row["file"]: _report(row["file"]) for row in ROWS}


def _share(reports: dict[str, dict], label: str, at_least: str) -> float:
    files = [r["file"] for r in ROWS if r["label"] == label]
    hits = sum(LEVELS.index(reports[f]["verdict"]["level"]) >= LEVELS.index(at_least) for f in files)
    return hits / len(files)


def test_the_subset_holds_both_kinds() -> None:
    assert {r["label"] for r in ROWS} == {"phish", "ham"} and len(ROWS) >= 80


def test_phishing_and_bulk_scams_are_flagged(reports: dict[str, dict]) -> None:
    assert _share(reports, "phish", "suspicious") >= 0.85


def test_legitimate_mail_is_not_flagged(reports: dict[str, dict]) -> None:
    flagged = [f for f, r in reports.items() if f.startswith("ham/") and r["verdict"]["level"] in LEVELS[2:]]
    assert len(flagged) <= 1, flagged
    assert _share(reports, "ham", "dangerous") == 0


def test_every_flagged_message_says_why_in_both_languages(reports: dict[str, dict]) -> None:
    for report in reports.values():
        if report["verdict"]["level"] in LEVELS[2:]:
            summary = report["verdict"]["summary"]
            assert summary["en"] and summary["ja"] and ":" in summary["en"]
            assert any(f["score"] > 0 and f["detail"]["en"] and f["detail"]["ja"]
                       for f in report["findings"])


def test_origin_ip_matches_the_labels(reports: dict[str, dict]) -> None:
    labelled = [r for r in ROWS if r["origin_ip"]]
    wrong = [r["file"] for r in labelled if (reports[r["file"]].get("origin") or {}).get("ip") != r["origin_ip"]]
    assert not wrong


def test_an_empty_history_changes_nothing(reports: dict[str, dict], tmp_path: Path) -> None:
    """Issue 14: the history only adds evidence when it holds some. With history on but empty (a
    fresh store per message), every message of the subset gets the verdict, score and findings it
    gets without history (the report only gains its `history` field; list mail not even that)."""
    used = 0
    for i, row in enumerate(ROWS):
        name = row["file"]
        settings = Settings(offline=True, history=True, history_path=str(tmp_path / f"{i}.sqlite3"))
        with_history = Analysis((CORPUS / name).read_bytes(), settings, file=name).offline_report()
        plain = reports[name]
        assert with_history["verdict"]["level"] == plain["verdict"]["level"], name
        assert with_history["verdict"]["score"] == pytest.approx(plain["verdict"]["score"]), name
        assert [f["id"] for f in with_history["findings"]] == [f["id"] for f in plain["findings"]], name
        assert "history" not in plain
        used += "history" in with_history
    assert used >= len(ROWS) // 2  # the history was on, and read, for most of them
