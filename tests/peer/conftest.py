"""Shared by the peer suites: one loopback DNS server per scenario, started on first use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.dnsserver import LoopbackDNS


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[int, LoopbackDNS]]:
    """Scenario number → its running server; the tests start them, this closes them."""
    running: dict[int, LoopbackDNS] = {}
    yield running
    for server in running.values():
        server.close()
