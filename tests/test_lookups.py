"""The lookup layer against real loopback servers: answers, cache, faults, deadline, privacy."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from whence import lookups
from whence.lookups import blocklists, netkind
from whence.lookups.cache import Cache
from whence.lookups.dmarc import dmarc_recheck
from whence.lookups.dns import Resolver
from whence.lookups.rdap import abuse_emails, domain_summary, server_for_domain, server_for_ip
from whence.lookups.spfcheck import spf_recheck
from whence.model import AuthResult
from whence.pipeline import Analysis
from whence.settings import Settings

from tests.fixtures.dnsserver import LoopbackDNS
from tests.fixtures.rdapserver import LoopbackRDAP


def _settings(dns: LoopbackDNS, **kw: object) -> Settings:
    return Settings(nameservers=(dns.address,), **kw)  # type: ignore[arg-type]


def _run(coro):
    return asyncio.run(coro)


def test_answers_are_cached_by_ttl_positive_and_negative(dns_server: LoopbackDNS, tmp_path: Path) -> None:
    dns_server.zone.add("mail.example.org", "A", "192.0.2.7", ttl=300)
    cache = Cache(tmp_path / "c.sqlite3")

    async def twice() -> tuple:
        first = Resolver(_settings(dns_server), cache)
        a, nx = await asyncio.gather(first.query("mail.example.org", "A"),
                                     first.query("nope.example.org", "A"))
        second = Resolver(_settings(dns_server), cache)
        b, nx2 = await asyncio.gather(second.query("mail.example.org", "A"),
                                      second.query("nope.example.org", "A"))
        return a, nx, b, nx2, first.records, second.records

    a, nx, b, nx2, rec1, rec2 = _run(twice())
    assert (a.status, a.records, a.ttl) == ("ok", ["192.0.2.7"], 300)
    assert nx.status == "nxdomain" and nx.ttl == 60  # the SOA minimum of the negative answer
    assert b.cached and nx2.cached and b.records == ["192.0.2.7"]
    assert len(dns_server.log) == 2  # the second resolver never asked the server
    assert {r.query for r in rec1} == {"A mail.example.org", "A nope.example.org"}
    assert all(r.answer.endswith("(cached)") for r in rec2)


def test_truncated_udp_answer_is_retried_over_tcp(dns_server: LoopbackDNS, tmp_path: Path) -> None:
    dns_server.zone.add("big.example.org", "TXT", "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(90)))
    dns_server.truncate_udp = True
    answer = _run(Resolver(_settings(dns_server), None).query("big.example.org", "TXT"))
    assert answer.ok and answer.txt()[0].startswith("v=spf1 ip4:192.0.2.0")
    assert [p for _n, _t, p in dns_server.log] == ["udp", "tcp"]


@pytest.mark.parametrize("fault", ["servfail", "silent"])
def test_faults_give_temperror_never_pass(fault: str, dns_server: LoopbackDNS) -> None:
    dns_server.zone.add("shop.example", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    getattr(dns_server, fault).update({"shop.example", "_dmarc.shop.example"})
    resolver = Resolver(_settings(dns_server, lookup_timeout_ms=300), None)
    spf = _run(spf_recheck(resolver, "192.0.2.1", "info@shop.example", "mx.shop.example"))
    assert spf.result == "temperror"
    assert resolver.records[0].error in ("SERVFAIL", "timeout")
    dmarc = _run(dmarc_recheck(Resolver(_settings(dns_server, lookup_timeout_ms=300), None), "shop.example",
                               spf, []))
    assert dmarc.result == "temperror"


def test_dmarc_alignment_and_policies(dns_server: LoopbackDNS) -> None:
    dns_server.zone.add("_dmarc.brand.example", "TXT", "v=DMARC1; p=reject; sp=quarantine; np=reject; "
                        "pct=50; aspf=s")
    dns_server.zone.add("news.brand.example", "A", "192.0.2.9")

    def check(from_domain: str, spf_from: str, dkim_d: str | None) -> AuthResult:
        spf = AuthResult("spf", "pass", {"smtp.mailfrom": f"b@{spf_from}"})
        dkim = [AuthResult("dkim", "pass", {"header.d": dkim_d})] if dkim_d else []
        return _run(dmarc_recheck(Resolver(_settings(dns_server), None), from_domain, spf, dkim))

    strict_spf = check("brand.example", "bounce.brand.example", None)  # aspf=s: subdomain not aligned
    assert (strict_spf.result, strict_spf.props["policy"]) == ("fail", "reject")
    assert strict_spf.props["pct"] == "50"
    relaxed_dkim = check("news.brand.example", "other.example", "brand.example")  # adkim=r
    assert relaxed_dkim.result == "pass" and relaxed_dkim.props["aligned_by"] == "dkim"
    assert relaxed_dkim.props["policy"] == "quarantine" and relaxed_dkim.props["domain"] == "brand.example"
    ghost = check("ghost.brand.example", "other.example", None)  # RFC 9091 np= for a non-existent name
    assert (ghost.result, ghost.props["policy"]) == ("fail", "reject")


def test_dnsbl_refusals_are_unknown_not_listed(dns_server: LoopbackDNS) -> None:
    dns_server.zone.add("5.2.0.192.zen.spamhaus.org", "A", "127.255.255.254")
    dns_server.zone.add("5.2.0.192.bl.spamcop.net", "A", "127.0.0.2")
    dns_server.zone.add("phish.example.multi.uribl.com", "A", "127.0.0.1")
    settings = _settings(dns_server, dnsbls=("zen.spamhaus.org", "bl.spamcop.net", "psbl.surriel.com"),
                         domain_blocklists=("multi.uribl.com",))
    states, codes = _run(blocklists.ip_lists(Resolver(settings, None), settings, "192.0.2.5"))
    assert states == {"zen.spamhaus.org": "unknown", "bl.spamcop.net": "listed", "psbl.surriel.com": "clean"}
    assert codes["bl.spamcop.net"] == ["127.0.0.2"]
    assert _run(blocklists.domain_lists(Resolver(settings, None), settings, "phish.example")) == {
        "multi.uribl.com": "unknown"}
    assert blocklists.configured((), blocklists.DEFAULT_DNSBLS) == ["bl.spamcop.net", "psbl.surriel.com"]
    assert "zen.spamhaus.org" not in blocklists.DEFAULT_DNSBLS  # registration required: off by default


def test_corrupt_cache_is_rebuilt(dns_server: LoopbackDNS, tmp_path: Path) -> None:
    path = tmp_path / "lookups.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    dns_server.zone.add("mx.example.net", "A", "192.0.2.25")
    cache = Cache(path)
    answer = _run(Resolver(_settings(dns_server), cache).query("mx.example.net", "A"))
    assert answer.ok and cache.rebuilt
    cache.close()
    rows = sqlite3.connect(path).execute("SELECT key FROM answers").fetchall()
    assert rows == [("dns:A:mx.example.net",)]


def test_cache_is_shared_between_connections(tmp_path: Path) -> None:
    """Two processes (two connections) on one file, as the CLI and the native host run at once."""
    a, b = Cache(tmp_path / "shared.sqlite3"), Cache(tmp_path / "shared.sqlite3")
    for n in range(50):
        a.put(f"k{n}", {"n": n}, 60)
        b.put(f"j{n}", {"n": n}, 60)
    assert b.get("k49") == {"n": 49} and a.get("j0") == {"n": 0}
    a.put("short", 1, 0.01)
    time.sleep(0.05)
    assert a.get("short") is None  # expired with its TTL


def test_deadline_holds(dns_server: LoopbackDNS, rdap_server: LoopbackRDAP) -> None:
    raw = (Path(__file__).parent / "data" / "cases" / "etc-phish.eml").read_bytes()
    dns_server.delay = 1.0
    settings = _settings(dns_server, rdap_base_url=rdap_server.base_url, deadline_ms=300,
                         lookup_timeout_ms=2000)
    analysis = Analysis(raw, settings)
    started = time.monotonic()
    found = _run(lookups.gather(analysis.facts, raw, settings))
    assert time.monotonic() - started < 0.9
    assert found.done and any("deadline" in e for e in found.errors)
    assert not any(r.result == "pass" for r in found.rechecks)


def test_rdap_bootstrap_and_abuse_contacts() -> None:
    assert server_for_ip("117.50.174.153") == "https://rdap.apnic.net/"
    assert server_for_ip("136.243.226.243") == "https://rdap.arin.net/registry/"  # ERX space: ARIN redirects
    assert server_for_ip("2a01:4f8::1") == "https://rdap.db.ripe.net/"
    assert server_for_domain("www.example.com") == "https://rdap.verisign.com/com/v1/"
    assert server_for_domain("mtocgra.cn") is None
    card = [["version", {}, "text", "4.0"]]
    abuse = {"roles": ["abuse"], "vcardArray": ["vcard", [
        *card, ["email", {}, "text", "REDACTED FOR PRIVACY"],
        ["email", {"pref": "2"}, "text", "noc@netops-abuse.net"],
        ["email", {"pref": "1"}, "text", "abuse@netops-abuse.net"]]]}
    raw = {"entities": [{"roles": ["registrant"], "vcardArray": ["vcard", card], "entities": [abuse]}]}
    assert abuse_emails(raw) == ["abuse@netops-abuse.net", "noc@netops-abuse.net"]
    registrar = {"roles": ["registrar"], "entities": [abuse],
                 "vcardArray": ["vcard", [*card, ["fn", {}, "text", "Example Registrar"]]]}
    summary = domain_summary({"events": [{"eventAction": "registration",
                                          "eventDate": "2024-05-01T00:00:00Z"}],
                              "entities": [registrar], "nameservers": [{"ldhName": "NS1.Example.NET"}]})
    assert summary["registered"] == "2024-05-01" and summary["registrar"] == "Example Registrar"
    assert summary["registrar_abuse"] == ["abuse@netops-abuse.net", "noc@netops-abuse.net"]
    assert summary["ns"] == ["ns1.example.net"]


PRIVATE_MAIL = b"""From: Shop <news@shop.example>
To: alice@example.jp
Subject: your parcel
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <1@shop.example>
Content-Type: text/html; charset=utf-8

<a href="https://a1b2c3d4e5.trk.tracker.example/c?u=alice">track</a>
<a href="https://alice-7f3e.parcels.example/login">login</a>
"""


@pytest.mark.parametrize("deep", [False, True])
def test_privacy_only_registrable_domains_unless_deep(deep: bool, dns_server: LoopbackDNS,
                                                      rdap_server: LoopbackRDAP) -> None:
    settings = _settings(dns_server, rdap_base_url=rdap_server.base_url, deep_lookups=deep)
    analysis = Analysis(PRIVATE_MAIL, settings)
    found = _run(lookups.gather(analysis.facts, PRIVATE_MAIL, settings))
    asked = dns_server.names() | {p.rsplit("/", 1)[-1] for p in rdap_server.log}
    assert {"tracker.example", "parcels.example"} <= asked
    unique = {"a1b2c3d4e5.trk.tracker.example", "alice-7f3e.parcels.example"}
    if deep:
        assert unique <= asked
    else:
        assert not any(u in name for name in asked for u in unique)
        assert not any("alice" in name for name in asked)
    assert set(found.domains) >= {"tracker.example", "parcels.example"}


class _FeedServer:
    """A feed publisher on loopback that honours If-None-Match."""

    def __init__(self, body: bytes) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        owner = self
        self.requests: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(dict(self.headers))
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.txt"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_feeds_download_conditionally_and_match_offline(dns_server: LoopbackDNS,
                                                        rdap_server: LoopbackRDAP) -> None:
    feed = _FeedServer(b"https://alice-7f3e.parcels.example/login\nhttps://other.example/x\n")
    try:
        settings = _settings(dns_server, rdap_base_url=rdap_server.base_url, feeds=(f"openphish={feed.url}",))
        first = _run(lookups.update_feeds(settings))
        second = _run(lookups.update_feeds(settings))
    finally:
        feed.close()
    assert first["feeds"]["openphish"] == {"status": "updated", "entries": 2}
    assert second["feeds"]["openphish"]["status"] == "not-modified"
    assert feed.requests[1].get("If-None-Match") == '"v1"'
    # the publisher is gone: matching uses the last download, and the analysis flags the link
    analysis = Analysis(PRIVATE_MAIL, settings)
    found = _run(lookups.gather(analysis.facts, PRIVATE_MAIL, settings))
    assert found.domains["parcels.example"]["feed"] == ["openphish"]
    assert found.domains["tracker.example"]["feed"] == []
    report = analysis.report(found)
    assert "link.phishing_feed" in {f["id"] for f in report["findings"]}
    assert not _run(lookups.update_feeds(Settings()))["feeds"]  # opt-in: nothing configured, nothing fetched


@pytest.mark.parametrize("owner,kind", [
    ("COLOMBIA TELECOMUNICACIONES S.A. ESP BIC", "residential"),  # not "colo"(cation)
    ("LAWS INC", "unknown"),  # not "aws"
    ("OVHcloud", "hosting"), ("XYZ Colocation Ltd", "hosting"), ("Contabo GmbH", "hosting"),
])
def test_network_owner_names_match_at_the_start_of_a_word(owner: str, kind: str) -> None:
    assert netkind.classify(None, owner)[0] == kind
