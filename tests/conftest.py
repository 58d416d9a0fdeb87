"""Shared fixtures: loopback DNS and RDAP servers, the cases' network data, an isolated cache.

Every test runs with a socket guard: a connection or datagram to anything but loopback fails the
test, so no test can reach the Internet or the system resolver by accident.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.dnsserver import LoopbackDNS, Zone
from tests.fixtures.rdapserver import LoopbackRDAP

DATA = Path(__file__).parent / "data"
CASES = DATA / "cases"


def _loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths and the like
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NonLoopbackTraffic(AssertionError):
    pass


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any packet to a non-loopback address (house rule: tests touch 127.0.0.1 only)."""
    real_connect, real_connect_ex, real_sendto = socket.socket.connect, socket.socket.connect_ex, \
        socket.socket.sendto

    def connect(self: socket.socket, address: Any) -> Any:
        if not _loopback(address):
            raise NonLoopbackTraffic(f"test tried to connect to {address}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not _loopback(address):
            raise NonLoopbackTraffic(f"test tried to connect to {address}")
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: bytes, *args: Any) -> Any:
        address = args[-1]
        if not _loopback(address):
            raise NonLoopbackTraffic(f"test tried to send to {address}")
        return real_sendto(self, data, *args)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """platformdirs' cache dir (and so the lookup cache) inside the test's own tmp dir."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def dns_server() -> Iterator[LoopbackDNS]:
    server = LoopbackDNS(Zone())
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rdap_server() -> Iterator[LoopbackRDAP]:
    server = LoopbackRDAP()
    try:
        yield server
    finally:
        server.close()


def cases_zone() -> Zone:
    return Zone.from_records(json.loads((CASES / "dns.json").read_text("utf-8"))["records"])


@pytest.fixture(scope="session")
def cases_network() -> Iterator[tuple[LoopbackDNS, LoopbackRDAP]]:
    """DNS and RDAP servers on loopback serving the acceptance cases' dns.json and rdap/."""
    dns = LoopbackDNS(cases_zone())
    rdap = LoopbackRDAP(CASES / "rdap")
    try:
        yield dns, rdap
    finally:
        dns.close()
        rdap.close()
