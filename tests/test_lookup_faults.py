"""Lookups against loopback DNS and RDAP servers that misbehave: silence, SERVFAIL, truncated UDP
then a broken TCP, malformed answers, answers for another name or with another id, a slow HTTP
server, one that drips, redirects without end, a 50 MB body, bodies that are not RDAP.

Whatever the fault: no re-check says `pass`, the verdict is the one the message gets when the
network is simply down (the offline evidence stands; faults add no "could not check" penalty and
no false reassurance), and the per-message deadline holds.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dns.flags
import dns.message
import dns.rrset
import pytest
from whence.pipeline import Analysis
from whence.settings import Settings

from tests.conftest import CASES, cases_zone
from tests.fixtures.dnsserver import LoopbackDNS
from tests.fixtures.rdapserver import LoopbackRDAP

MESSAGES = ["etc-phish.eml", "amazon-jp-legit.eml", "mailing-list-arc.eml"]
DEADLINE_MS = 1500
SLACK_S = 1.0  # beyond the deadline: the checks and the report after the lookups, on a busy machine


class FaultyDNS(LoopbackDNS):
    """The cases' zone, every answer spoiled by `mode` (a name → answer fault, on UDP and TCP)."""

    def __init__(self, mode: str) -> None:
        super().__init__(cases_zone())
        self.mode = mode
        self.rng = random.Random(7)

    def answer(self, wire: bytes, proto: str) -> bytes | None:
        good = super().answer(wire, proto)
        mode = self.mode
        if mode == "ok" or good is None:
            return good
        if mode == "silent":
            return None
        response = dns.message.from_wire(good)
        query = dns.message.from_wire(wire)
        if mode == "servfail":
            spoiled = dns.message.make_response(query)
            spoiled.set_rcode(dns.rcode.SERVFAIL)
            return spoiled.to_wire()
        if mode == "garbage":
            return self.rng.randbytes(self.rng.randrange(1, 200))
        if mode == "cut":  # a header and half a question
            return good[: max(2, min(len(good) - 1, 12 + self.rng.randrange(8)))]
        if mode == "wrong-id":
            response.id = (response.id + 1) & 0xFFFF
            return response.to_wire()
        if mode == "other-name":  # the answer for a neighbour's question, with the right id
            other = dns.message.make_query("evil.example.", query.question[0].rdtype)
            spoof = dns.message.make_response(other)
            spoof.id = query.id
            spoof.answer.append(dns.rrset.from_text("evil.example.", 300, "IN", "TXT", '"v=spf1 +all"'))
            return spoof.to_wire()
        if mode == "other-owner":  # the right question, the answer section about another name
            spoof = dns.message.make_response(query)
            spoof.answer.append(dns.rrset.from_text("evil.example.", 300, "IN", "TXT", '"v=spf1 +all"'))
            return spoof.to_wire()
        if mode == "tc-then-broken-tcp":
            if proto == "udp":
                truncated = dns.message.make_response(query)
                truncated.flags |= dns.flags.TC
                return truncated.to_wire()
            return self.rng.randbytes(40)
        if mode == "tc-then-closed-tcp":
            if proto == "udp":
                truncated = dns.message.make_response(query)
                truncated.flags |= dns.flags.TC
                return truncated.to_wire()
            return None
        raise AssertionError(mode)


DNS_FAULTS = ["silent", "servfail", "garbage", "cut", "wrong-id", "other-name", "other-owner",
              "tc-then-broken-tcp", "tc-then-closed-tcp"]


class FaultyRDAP:
    """An HTTP server on loopback that answers every RDAP path with the fault `mode`."""

    def __init__(self, mode: str, good: LoopbackRDAP) -> None:
        self.mode = mode
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.hits += 1
                try:
                    owner.serve(self, good)
                except OSError:  # the client gave up, as it should
                    return

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(self, h: BaseHTTPRequestHandler, good: LoopbackRDAP) -> None:
        mode = self.mode

        def send(status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            h.send_response(status)
            for k, v in (headers or {"Content-Type": "application/rdap+json"}).items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        if mode == "slow":  # nothing at all for longer than the deadline
            time.sleep(DEADLINE_MS / 1000 * 3)
            send(200, b"{}")
        elif mode == "drip":  # headers, then a byte every 50 ms of an endless body
            h.send_response(200)
            h.send_header("Content-Type", "application/rdap+json")
            h.send_header("Content-Length", str(10**9))
            h.end_headers()
            h.wfile.write(b'{"name": "')
            for _ in range(200):
                h.wfile.write(b"a")
                h.wfile.flush()
                time.sleep(0.05)
        elif mode == "redirect-loop":
            send(302, b"", {"Location": h.path})
        elif mode == "redirect-chain":
            n = int(h.path.rsplit("/hop", 1)[1]) if "/hop" in h.path else 0
            send(302, b"", {"Location": f"{h.path.split('/hop')[0]}/hop{n + 1}"})
        elif mode == "redirect-once":  # as ARIN sends a query on to the registry that holds it
            send(302, b"", {"Location": good.base_url.rstrip("/") + h.path})
        elif mode == "redirect-elsewhere":  # to a scheme urllib must refuse
            send(301, b"", {"Location": "file:///etc/passwd"})
        elif mode == "huge":  # 50 MB of JSON, sent as fast as the client reads
            h.send_response(200)
            h.send_header("Content-Type", "application/rdap+json")
            h.send_header("Content-Length", str(50 * 2**20))
            h.end_headers()
            h.wfile.write(b'{"remarks": ["')
            chunk = b"x" * 2**20
            for _ in range(50):
                h.wfile.write(chunk)
        elif mode == "huge-chunked":
            h.send_response(200)
            h.send_header("Content-Type", "application/rdap+json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"x" * 2**20
            for _ in range(50):
                h.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        elif mode == "not-json":
            send(200, b"<html><script>alert(1)</script></html>")
        elif mode == "not-an-object":
            send(200, json.dumps(["ip network", {"name": "EVIL"}]).encode())
        elif mode == "wrong-types":
            send(200, json.dumps({"objectClassName": "ip network", "name": ["x"], "country": 7,
                                  "entities": "abuse@evil.example", "events": {"eventAction": 1},
                                  "startAddress": None, "nameservers": 5, "remarks": [[[]]]}).encode())
        elif mode == "error-500":
            send(500, b'{"errorCode": 500}')
        elif mode == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            h.connection.close()
        elif mode == "garbage-status":
            h.wfile.write(b"HTTP/1.1 abc OK\r\n\r\n{}")
        else:
            raise AssertionError(mode)


RDAP_FAULTS = ["slow", "drip", "redirect-loop", "redirect-chain", "redirect-elsewhere", "huge", "huge-chunked",
               "not-json", "not-an-object", "wrong-types", "error-500", "reset", "garbage-status"]


def settings(dns_address: str, rdap_base: str) -> Settings:
    return Settings(nameservers=(dns_address,), rdap_base_url=rdap_base, deadline_ms=DEADLINE_MS,
                    lookup_timeout_ms=600)


def analyse(name: str, s: Settings) -> tuple[dict[str, Any], dict[str, Any], float]:
    """(offline report, final report, seconds the lookups and final report took)."""
    analysis = Analysis((CASES / name).read_bytes(), s)
    offline = analysis.offline_report()
    started = time.monotonic()
    final = asyncio.run(analysis.final_report())
    return offline, final, time.monotonic() - started


def rechecks(report: dict[str, Any]) -> list[tuple[str, str]]:
    auth = report["auth"]
    found = [(kind, (auth.get(kind) or {}).get("result")) for kind in ("spf", "dmarc", "arc")
             if (auth.get(kind) or {}).get("source") == "recheck"]
    found += [("dkim", d.get("result")) for d in auth.get("dkim") or [] if d.get("source") == "recheck"]
    found += [(f"recheck:{r.get('kind')}", r.get("result")) for r in report.get("rechecks") or []]
    return found


@pytest.fixture(scope="module")
def down() -> Iterator[dict[str, str]]:
    """The verdict of each message when the network is simply down (nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    levels = {}
    for name in MESSAGES:
        _off, final, _s = analyse(name, settings(f"127.0.0.1:{dead_port}", f"http://127.0.0.1:{dead_port}/"))
        levels[name] = final["verdict"]["level"]
    yield levels


@pytest.fixture(scope="module")
def good_rdap() -> Iterator[LoopbackRDAP]:
    server = LoopbackRDAP(CASES / "rdap")
    yield server
    server.close()


@pytest.mark.parametrize("mode", DNS_FAULTS)
def test_dns_faults_never_pass_and_the_offline_verdict_stands(mode: str, down: dict[str, str],
                                                              good_rdap: LoopbackRDAP) -> None:
    server = FaultyDNS(mode)
    try:
        for name in MESSAGES:
            offline, final, seconds = analyse(name, settings(server.address, good_rdap.base_url))
            assert seconds <= DEADLINE_MS / 1000 + SLACK_S, (name, seconds)
            passed = [r for r in rechecks(final) if r[1] == "pass"]
            assert not passed, (name, passed)
            assert final["verdict"]["level"] == down[name], (name, offline["verdict"], final["verdict"])
            assert final["verdict"]["level"] == offline["verdict"]["level"], (name, final["verdict"])  # it stands
            dns_records = [r for r in final["lookups"] if r["kind"] == "dns"]
            assert dns_records and all(r["error"] or r["answer"] in (None, "", "NODATA", "NXDOMAIN")
                                       for r in dns_records), (name, dns_records[:5])
            assert "evil.example" not in json.dumps(final)
    finally:
        server.close()


@pytest.mark.parametrize("mode", RDAP_FAULTS)
def test_rdap_faults_leave_the_verdict_of_a_down_server_and_the_deadline(mode: str) -> None:
    zone_server = LoopbackDNS(cases_zone())
    good = LoopbackRDAP(CASES / "rdap")
    server = FaultyRDAP(mode, good)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    try:
        for name in MESSAGES:
            _o, baseline, _s = analyse(name, settings(zone_server.address, dead))
            _o, final, seconds = analyse(name, settings(zone_server.address, server.base_url))
            assert seconds <= DEADLINE_MS / 1000 + SLACK_S, (name, mode, seconds)
            assert final["verdict"]["level"] == baseline["verdict"]["level"], (name, final["verdict"])
            assert final["origin"].get("org") in (None, baseline["origin"].get("org")), final["origin"]
            rdap = [r for r in final["lookups"] if r["kind"] == "rdap"]
            # an error each, except the object of wrong types, which is shown by its class alone
            assert rdap and all(r["error"] or (mode == "wrong-types" and r["answer"] == "ip network")
                                for r in rdap), rdap
            assert "EVIL" not in json.dumps(final) and "alert(1)" not in json.dumps(final)
        assert server.hits >= 1
    finally:
        server.close()
        good.close()
        zone_server.close()


def test_one_redirect_to_the_registry_that_holds_the_address_is_followed() -> None:
    zone_server = LoopbackDNS(cases_zone())
    good = LoopbackRDAP(CASES / "rdap")
    server = FaultyRDAP("redirect-once", good)
    try:
        _o, direct, _s = analyse("etc-phish.eml", settings(zone_server.address, good.base_url))
        _o, redirected, _s = analyse("etc-phish.eml", settings(zone_server.address, server.base_url))
        assert direct["origin"]["org"] and redirected["origin"]["org"] == direct["origin"]["org"]
        assert redirected["verdict"] == direct["verdict"]
    finally:
        server.close()
        good.close()
        zone_server.close()


def _dead_settings() -> Settings:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    return settings(f"127.0.0.1:{dead_port}", f"http://127.0.0.1:{dead_port}/")


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.eml")))
def test_lookups_that_all_failed_add_no_finding_and_no_relief(name: str) -> None:
    """Nothing was learnt, so nothing is said: no "links go only to well-known sites" relief, no
    "our re-check disagrees" for a re-check that could not run, and the score is the offline one."""
    offline, final, _s = analyse(name, _dead_settings())
    added = {f["id"] for f in final["findings"]} - {f["id"] for f in offline["findings"]}
    assert not added, added
    assert final["verdict"]["score"] == offline["verdict"]["score"]


def test_the_popular_sites_relief_needs_answers_about_the_domains(good_rdap: LoopbackRDAP) -> None:
    """The counterpart of the test above: once the linked domain's name servers answer, the relief
    that the failed lookups withheld is given (the cases' zone has no NS for amazon.co.jp)."""
    zone = cases_zone()
    zone.add("amazon.co.jp.", "NS", "ns1.p31.dynect.net.", 300)
    zone_server = LoopbackDNS(zone)
    try:
        offline, final, _s = analyse("amazon-jp-legit.eml", settings(zone_server.address, good_rdap.base_url))
    finally:
        zone_server.close()
    relief = [f for f in final["findings"] if f["id"] == "link.popular_domains"]
    assert relief and final["verdict"]["score"] < offline["verdict"]["score"]


def test_a_lookup_cut_off_by_the_deadline_is_still_recorded_and_the_report_says_so() -> None:
    # each RDAP request may wait longer than the whole message's deadline: the deadline ends them
    zone_server = LoopbackDNS(cases_zone())
    good = LoopbackRDAP(CASES / "rdap")
    server = FaultyRDAP("slow", good)
    try:
        s = Settings(nameservers=(zone_server.address,), rdap_base_url=server.base_url, deadline_ms=800,
                     lookup_timeout_ms=10_000)
        _o, final, _s = analyse("etc-phish.eml", s)
        asked = [r for r in final["lookups"] if r["kind"] == "rdap" and r["error"] != "no RDAP service known"]
        assert server.hits >= 1 and len(asked) >= server.hits, (server.hits, asked)
        assert all(r["error"] for r in asked)
        assert any("deadline" in e for e in final["lookup_errors"]), final.get("lookup_errors")
    finally:
        server.close()
        good.close()
        zone_server.close()
