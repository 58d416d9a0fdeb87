"""Variants of the acceptance cases with DNS and RDAP data of their own (data/live-variants), live:
the real `whence analyze --json` against servers on loopback serving that data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.dnsserver import LoopbackDNS, Zone
from tests.fixtures.rdapserver import LoopbackRDAP
from tests.test_cases_live import analyze_live, assert_holds_live

DATA = Path(__file__).parent / "data" / "live-variants"
EXPECTED = json.loads((DATA / "expected.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    dns = LoopbackDNS(Zone.from_records(json.loads((DATA / "dns.json").read_text("utf-8"))["records"]))
    rdap = LoopbackRDAP(DATA / "rdap")
    try:
        return analyze_live([DATA / c["file"] for c in EXPECTED], dns, rdap,
                            tmp_path_factory.mktemp("live-variants-home"))
    finally:
        dns.close()
        rdap.close()


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_variant_holds_live(case: dict[str, Any], live: dict[str, dict[str, Any]]) -> None:
    assert_holds_live(case, live[case["file"]])


def test_a_forged_date_does_not_age_a_young_domain(tmp_path: Path) -> None:
    """The sender writes Date; a domain's age is measured at the recipient's own Received time, so a Date
    a year ahead does not make a typo-squat registered days before look established."""
    raw = (DATA / "c08-paypay-typosquat-young.eml").read_bytes()
    forged = tmp_path / "c08-forged-date.eml"
    forged.write_bytes(raw.replace(b"Date: Fri, 04 Dec 2026 08:03:30 +0800", b"Date: Sat, 04 Dec 2027 08:03:30 +0800"))
    dns = LoopbackDNS(Zone.from_records(json.loads((DATA / "dns.json").read_text("utf-8"))["records"]))
    rdap = LoopbackRDAP(DATA / "rdap")
    try:
        report = analyze_live([forged], dns, rdap, tmp_path / "home")[forged.name]
    finally:
        dns.close()
        rdap.close()
    young = [f for f in report["findings"] if f["id"] == "link.young_domain"]
    assert young and young[0]["evidence"]["age"] < 30
