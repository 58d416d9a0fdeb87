"""The openspf RFC 7208 suite (pyspf's copy), evaluated by our SPF re-check over our DNS layer.

Each scenario's zonedata is served by a real DNS server on loopback; pyspf's lookups go through
`whence.lookups.dns.Resolver` (and its cache), exactly as in a live analysis.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from whence.lookups.cache import Cache
from whence.lookups.dns import Resolver
from whence.lookups.spfcheck import run_spf
from whence.settings import Settings

from tests.fixtures.dnsserver import LoopbackDNS, Zone

SUITE = Path(__file__).parents[1] / "data" / "peer" / "spf" / "rfc7208-tests.yml"
SCENARIOS = list(yaml.safe_load_all(SUITE.read_text("utf-8")))
CASES = [(n, name, test) for n, sc in enumerate(SCENARIOS) for name, test in sc["tests"].items()]


def test_suite_is_complete() -> None:
    assert len(CASES) == 203


@pytest.mark.parametrize(("scenario", "name", "test"), CASES,
                         ids=[f"rfc7208-{n}-{name}" for n, name, _ in CASES])
def test_rfc7208(scenario: int, name: str, test: dict, servers: dict[int, LoopbackDNS],
                 tmp_path: Path) -> None:
    if scenario not in servers:
        servers[scenario] = LoopbackDNS(Zone.from_openspf(SCENARIOS[scenario]["zonedata"]))
    server = servers[scenario]
    settings = Settings(nameservers=(server.address,), lookup_timeout_ms=600, deadline_ms=10000)
    resolver = Resolver(settings, Cache(tmp_path / "cache.sqlite3"))
    result, explanation = asyncio.run(
        run_spf(resolver, test["host"], test["mailfrom"], test["helo"], default_explanation="DEFAULT"))
    expected = test["result"]
    assert result in (expected if isinstance(expected, list) else [expected]), (name, explanation)
    if "explanation" in test:
        assert explanation == test["explanation"]
