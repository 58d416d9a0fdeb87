"""The ValiMail ARC validation suite, verified by our ARC re-check over our DNS layer.

Each scenario's `txt-records` are served by a real DNS server on loopback; dkimpy reads the keys
through `whence.lookups.dns.Resolver`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from whence.lookups.cache import Cache
from whence.lookups.dkimcheck import verify_arc
from whence.lookups.dns import Resolver
from whence.settings import Settings

from tests.fixtures.dnsserver import LoopbackDNS, Zone

SUITE = Path(__file__).parents[1] / "data" / "peer" / "arc" / "arc-draft-validation-tests.yml"
SCENARIOS = list(yaml.safe_load_all(SUITE.read_text("utf-8")))
CASES = [(n, name, test) for n, sc in enumerate(SCENARIOS) for name, test in sc["tests"].items()]


def test_suite_is_complete() -> None:
    assert len(CASES) == 171


@pytest.mark.parametrize(("scenario", "name", "test"), CASES,
                         ids=[f"arc_validation-{n}-{name}" for n, name, _ in CASES])
def test_arc_validation(scenario: int, name: str, test: dict, servers: dict[int, LoopbackDNS],
                        tmp_path: Path) -> None:
    if scenario not in servers:
        records = {k: "".join(v.split("\n")) for k, v in SCENARIOS[scenario]["txt-records"].items()}
        servers[scenario] = LoopbackDNS(Zone.from_txt_map(records))
    settings = Settings(nameservers=(servers[scenario].address,), lookup_timeout_ms=1000)
    resolver = Resolver(settings, Cache(tmp_path / "cache.sqlite3"))
    message = test["message"].replace("\r\n", "\n").replace("\n", "\r\n").encode()
    cv, _results, reason = asyncio.run(verify_arc(resolver, message))
    assert cv == str(test["cv"]).lower(), reason
