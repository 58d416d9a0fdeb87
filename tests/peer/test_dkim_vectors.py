"""RFC 6376 / RFC 8463 DKIM vectors (dkimpy's and mailauth's), verified over our DNS layer.

The keys are served by a real DNS server on loopback; expected results are the vectors' own.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from whence.lookups.cache import Cache
from whence.lookups.dkimcheck import verify_dkim
from whence.lookups.dns import Resolver
from whence.settings import Settings

from tests.fixtures.dnsserver import LoopbackDNS, Zone

DATA = Path(__file__).parents[1] / "data" / "peer" / "dkim"
EXPECTED = json.loads((DATA / "expected.json").read_text("utf-8"))
CASES = [("dns.json", f, r) for f, r in EXPECTED["results"].items()] + \
        [("dns-badkey.json", f, r) for f, r in EXPECTED["results_with_dns-badkey.json"].items()]


@pytest.mark.parametrize(("zone", "file", "expected"), CASES,
                         ids=[f"dkim-{z.removesuffix('.json')}-{f}" for z, f, _ in CASES])
def test_dkim_vector(zone: str, file: str, expected: list[dict], tmp_path: Path) -> None:
    server = LoopbackDNS(Zone.from_txt_map(json.loads((DATA / zone).read_text("utf-8"))))
    try:
        settings = Settings(nameservers=(server.address,), lookup_timeout_ms=1000)
        resolver = Resolver(settings, Cache(tmp_path / "cache.sqlite3"))
        results = asyncio.run(verify_dkim(resolver, (DATA / file).read_bytes()))
    finally:
        server.close()
    assert [(i, r) for i, r, _ in results] == [(e["index"], e["result"]) for e in expected]
    assert {name for name, rtype, _ in server.log if rtype == "TXT"}, "keys came over loopback DNS"


def test_key_not_reachable_is_temperror_not_fail(tmp_path: Path, dns_server: LoopbackDNS) -> None:
    """A key the resolver cannot fetch (SERVFAIL) is 'could not check', never pass or fail."""
    dns_server.servfail.add("test._domainkey.football.example.com")
    settings = Settings(nameservers=(dns_server.address,), lookup_timeout_ms=500)
    resolver = Resolver(settings, Cache(tmp_path / "cache.sqlite3"))
    results = asyncio.run(verify_dkim(resolver, (DATA / "rfc6376.signed.rsa.msg").read_bytes()))
    assert [r for _, r, _ in results] == ["temperror"]
