"""The acceptance cases (rebuilt from the seed articles), their variants (data/variants: the same
situations with other brands, networks, encodings and look-alikes) and legitimate mail a Japanese
reader receives (data/legit) hold offline, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
FOLDERS = ("cases", "variants", "legit")
EXPECTED = [{**case, "folder": folder} for folder in FOLDERS
            for case in json.loads((DATA / folder / "expected.json").read_text())]
LEVELS = ["safe", "caution", "suspicious", "dangerous"]


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "whence.cli", "analyze", "--json", "--offline",
                          *(str(DATA / folder) for folder in FOLDERS)], capture_output=True, check=True, timeout=300)
    lines = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    return {f"{Path(r['file']).parent.name}/{Path(r['file']).name}": r for r in lines}


def _ids(report: dict) -> set[str]:
    ids = {f["id"] for f in report["findings"]}
    for part in ("links", "attachments"):
        for item in report[part]:
            ids.update(item["findings"])
    return ids


@pytest.mark.parametrize("case", EXPECTED, ids=[f"{c['folder']}/{c['file']}" for c in EXPECTED])
def test_case_holds_offline(case: dict, reports: dict[str, dict]) -> None:
    report = reports[f"{case['folder']}/{case['file']}"]
    level = report["verdict"]["level"]
    assert level in LEVELS
    if "level_at_least" in case:
        assert LEVELS.index(level) >= LEVELS.index(case["level_at_least"]), report["verdict"]
    if "level_at_most" in case:
        assert LEVELS.index(level) <= LEVELS.index(case["level_at_most"]), report["findings"]
    if "origin_ip" in case:
        assert report["origin"]["ip"] == case["origin_ip"]
    if case.get("client_ip"):
        assert report["origin"]["client_ip"] == case["client_ip"]
    ids = _ids(report)
    for wanted in case["must_have"]:
        assert wanted in ids
    for unwanted in case["must_not_have"]:
        assert unwanted not in ids
    # every verdict carries a reason a person can read, in both languages
    assert report["verdict"]["summary"]["en"] and report["verdict"]["summary"]["ja"]
    for f in report["findings"]:
        assert f["title"]["en"] and f["title"]["ja"] and f["detail"]["en"] and f["detail"]["ja"]
        assert "{" not in f["detail"]["en"] + f["detail"]["ja"], f  # every placeholder filled
