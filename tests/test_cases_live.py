"""The acceptance cases, live: the real `whence analyze --json` with DNS and RDAP on loopback.

WHENCE_NAMESERVERS and WHENCE_RDAP_BASE point at servers that serve the cases' dns.json and
rdap/; expected.json must hold, and the re-checks must say what that data implies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.dnsserver import LoopbackDNS
from tests.fixtures.rdapserver import LoopbackRDAP

CASES = Path(__file__).parent / "data" / "cases"
EXPECTED = json.loads((CASES / "expected.json").read_text("utf-8"))
LEVELS = ["safe", "caution", "suspicious", "dangerous"]
SIGNED = ["amazon-jp-legit.eml", "daum-xoip.eml", "newsletter-tracking.eml", "personal-iso2022jp.eml",
          "smtp-test.eml", "webform-abuse.eml"]


def _whence() -> str:
    script = Path(sys.executable).with_name("whence")
    return str(script) if script.exists() else "whence"


def analyze_live(files: list[Path], dns: LoopbackDNS, rdap: LoopbackRDAP, home: Path) -> dict[str, dict[str, Any]]:
    """The reports of `whence analyze --json` on FILES, live against DNS and RDAP on loopback, by file name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHENCE_")}
    env.update({"WHENCE_NAMESERVERS": dns.address, "WHENCE_RDAP_BASE": rdap.base_url,
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
                "HOME": str(home)})
    done = subprocess.run([_whence(), "analyze", "--json", *map(str, files)], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(r["file"]).name: r for r in reports}


def assert_holds_live(case: dict[str, Any], report: dict[str, Any]) -> None:
    """What an expected.json entry asks of a live report."""
    assert report["lookups_done"] is True and report["lookups"], "the live stage must have run"
    assert report["origin"]["ip"] == case["origin_ip"]
    if "client_ip" in case:
        assert report["origin"]["client_ip"] == case["client_ip"]
    level = report["verdict"]["level"]
    if "level_at_least" in case:
        assert LEVELS.index(level) >= LEVELS.index(case["level_at_least"]), report["findings"]
    if "level_at_most" in case:
        assert LEVELS.index(level) <= LEVELS.index(case["level_at_most"]), report["findings"]
    ids = {f["id"] for f in report["findings"]}
    assert set(case["must_have"]) <= ids
    assert not set(case["must_not_have"]) & ids


@pytest.fixture(scope="module")
def live(cases_network: tuple[LoopbackDNS, LoopbackRDAP], tmp_path_factory: pytest.TempPathFactory,
         ) -> dict[str, dict[str, Any]]:
    dns, rdap = cases_network
    return analyze_live([CASES / case["file"] for case in EXPECTED], dns, rdap, tmp_path_factory.mktemp("live-home"))


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_expected_holds_live(case: dict[str, Any], live: dict[str, dict[str, Any]]) -> None:
    assert_holds_live(case, live[case["file"]])


def _recheck(report: dict[str, Any], method: str) -> str | None:
    entry = report["auth"].get("recheck", {}).get(method)
    return entry["result"] if entry else None


def _dkim(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["domain"], d["result"]) for d in report["auth"]["dkim"] if d["source"] == "recheck"]


def test_spf_rechecks(live: dict[str, dict[str, Any]]) -> None:
    assert _recheck(live["etc-phish.eml"], "spf") == "pass"  # the throwaway .cn domain authorises its server
    assert _recheck(live["sextortion.eml"], "spf") == "fail"


@pytest.mark.parametrize("name", SIGNED)
def test_dkim_passes_for_signed_messages(name: str, live: dict[str, dict[str, Any]]) -> None:
    assert any(result == "pass" for _d, result in _dkim(live[name])), _dkim(live[name])


def test_list_mail_author_dkim_fails_but_arc_passes(live: dict[str, dict[str, Any]]) -> None:
    report = live["mailing-list-arc.eml"]
    assert ("example.org", "fail") in _dkim(report)
    assert _recheck(report, "arc") == "pass"
    assert report["auth"]["recheck"]["arc"]["sealers"] == ["lists.example.net"]


def test_dmarc_passes_for_amazon(live: dict[str, dict[str, Any]]) -> None:
    report = live["amazon-jp-legit.eml"]
    assert _recheck(report, "dmarc") == "pass"
    assert report["auth"]["recheck"]["dmarc"]["policy"] == "quarantine"


@pytest.mark.parametrize(("name", "org", "country", "abuse"), [
    ("kagoya-phish.eml", "Hetzner", "DE", "abuse@hetzner.com"),
    ("etc-phish.eml", "UCloud", "CN", "ipas@cnnic.cn"),
])
def test_origin_owner_from_rdap(name: str, org: str, country: str, abuse: str,
                                live: dict[str, dict[str, Any]]) -> None:
    origin = live[name]["origin"]
    assert org in origin["org"] and origin["country"] == country
    assert origin["abuse_emails"] == [abuse]
    assert origin["network_kind"] in ("hosting", "cloud")
    assert "origin.hosting_network" in {f["id"] for f in live[name]["findings"]}


def test_seed_001_helo_does_not_resolve(live: dict[str, dict[str, Any]]) -> None:
    report = live["etc-phish.eml"]
    assert report["origin"]["helo_resolves"] is False and report["origin"]["fcrdns"] is True
    assert "origin.helo_mismatch" in {f["id"] for f in report["findings"]}
    hosting = {f["evidence"]["domain"]: f["evidence"] for f in report["findings"]
               if f["id"] == "link.hosted_on"}
    assert "Cloudflare" in hosting["mtocgra.cn"]["org"]  # the phishing site sits behind Cloudflare
