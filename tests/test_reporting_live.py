"""Abuse reports with the network: recipients from RDAP and DNS served on loopback.

The cases' dns.json and rdap/ (tests/data/cases, provenance in its README) stand in for the
registries; an empty RDAP server and a one-record zone stand in for Abusix's contact zone.
"""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from whence.reporting import build_report, recipients
from whence.settings import Settings

CASES = Path(__file__).parent / "data" / "cases"


def live(dns: Any, rdap: Any, **extra: Any) -> Settings:
    return Settings(nameservers=(dns.address,), rdap_base_url=rdap.base_url, deadline_ms=5000,
                    lookup_timeout_ms=2000, **extra)


def run(raw: bytes, settings: Settings) -> dict[str, Any]:
    return asyncio.run(build_report(raw, settings, None, "en"))


def test_etc_phish_live_names_the_origin_registrar_and_cloudflare(cases_network: Any) -> None:
    dns, rdap = cases_network
    result = run((CASES / "etc-phish.eml").read_bytes(), live(dns, rdap))
    roles = {r["address"].lower(): r["role"] for r in result["recipients"]}
    assert roles.get("ipas@cnnic.cn") == "origin-network"  # UCloud's network, from APNIC-style RDAP
    assert roles.get("domainabuse@service.aliyun.com") == "registrar"  # nested under the registrar entity
    assert roles.get("info@antiphishing.jp") == "national"
    forms = {f["url"]: f for f in result["forms"]}
    assert "https://abuse.cloudflare.com/" in forms  # mtocgra.cn resolves to Cloudflare
    assert any("mtocgra.cn" in u for u in forms["https://abuse.cloudflare.com/"]["urls"])
    # Cloudflare answers abuse mail with a pointer to its form, so it is not a mail recipient.
    assert not any(a.endswith("@cloudflare.com") for a in roles)
    reasons = {r["address"].lower(): r["reason"] for r in result["recipients"]}
    origin = reasons["ipas@cnnic.cn"]
    assert "117.50.174.153" in origin["en"] and "UCLOUD-NET" in origin["ja"]
    assert "Alibaba" in reasons["domainabuse@service.aliyun.com"]["en"]

    msg = message_from_bytes(result["arf"].encode("utf-8"), policy=policy.default)
    for address in ("ipas@cnnic.cn", "DomainAbuse@service.aliyun.com", "info@antiphishing.jp"):
        assert address in msg["To"]
    fields = msg.get_payload()[1].get_payload(0)
    assert fields["Source-IP"] == "117.50.174.153"


def test_abusix_zone_is_the_fallback_when_rdap_names_nobody(dns_server: Any, rdap_server: Any) -> None:
    name = recipients.abusix_name("117.50.174.153")
    assert name == "153.174.50.117.abuse-contacts.abusix.zone"
    dns_server.zone.add(name, "TXT", "abuse@ucloud-desk.net")
    result = run((CASES / "etc-phish.eml").read_bytes(), live(dns_server, rdap_server))
    origin = [r for r in result["recipients"] if r["role"] == "origin-network"]
    assert [r["address"] for r in origin] == ["abuse@ucloud-desk.net"]
    assert "Abusix" in origin[0]["reason"]["en"] and "Abusix" in origin[0]["reason"]["ja"]
    assert dns_server.queried(name)


def test_abusix_placeholders_and_offline_are_ignored(dns_server: Any, rdap_server: Any) -> None:
    name = recipients.abusix_name("117.50.174.153")
    dns_server.zone.add(name, "TXT", "redacted@redacted.com")
    settings = live(dns_server, rdap_server)
    assert asyncio.run(recipients.abusix_contacts(["117.50.174.153"], settings)) == {}
    assert asyncio.run(recipients.abusix_contacts(["117.50.174.153"], Settings(offline=True))) == {}
    assert asyncio.run(recipients.abusix_contacts(["10.0.0.1", "not an ip"], settings)) == {}
    assert recipients.abusix_name("2001:db8::1") is None  # documentation range: not global
    assert recipients.abusix_name("2a00:1450:4001:80b::200e").endswith(".abuse-contacts.abusix.zone")
