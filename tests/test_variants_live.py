"""Variants of the acceptance cases with DNS and RDAP data of their own (data/live-variants), live:
the real `whence analyze --json` against servers on loopback serving that data."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.dnsserver import LoopbackDNS, Zone
from tests.fixtures.rdapserver import LoopbackRDAP
from tests.test_cases_live import LEVELS, _whence

DATA = Path(__file__).parent / "data" / "live-variants"
EXPECTED = json.loads((DATA / "expected.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    dns = LoopbackDNS(Zone.from_records(json.loads((DATA / "dns.json").read_text("utf-8"))["records"]))
    rdap = LoopbackRDAP(DATA / "rdap")
    home = tmp_path_factory.mktemp("live-variants-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHENCE_")}
    env.update({"WHENCE_NAMESERVERS": dns.address, "WHENCE_RDAP_BASE": rdap.base_url,
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
                "HOME": str(home)})
    try:
        done = subprocess.run([_whence(), "analyze", "--json", *(str(DATA / c["file"]) for c in EXPECTED)],
                              env=env, capture_output=True, text=True, timeout=600, check=False)
    finally:
        dns.close()
        rdap.close()
    assert done.returncode == 0, done.stderr[-2000:]
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(r["file"]).name: r for r in reports}


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_variant_holds_live(case: dict[str, Any], live: dict[str, dict[str, Any]]) -> None:
    report = live[case["file"]]
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
