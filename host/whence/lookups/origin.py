"""Sender IP intelligence: FCrDNS, HELO consistency, ASN (Team Cymru), owner (RDAP), DNSBLs, and the
kind of network — what the seed articles' authors found by hand with dig and whois.

Results are written into `out` as they arrive, so a deadline keeps whatever was learned.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import dns.reversename

from ..settings import Settings
from . import blocklists, cymru, netkind
from .dns import Resolver
from .rdap import Rdap, network_summary

MAX_PTR_NAMES = 5


def public_address(ip: str | None) -> bool:
    try:
        return bool(ip) and ipaddress.ip_address(ip).is_global  # type: ignore[arg-type]
    except ValueError:
        return False


def _addr_type(ip: str) -> str:
    return "AAAA" if ":" in ip else "A"


def _same(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


async def _resolves_to(resolver: Resolver, name: str, ip: str) -> bool | None:
    """True/False whether `name` has `ip` among its addresses; None when we could not tell."""
    answer = await resolver.query(name, _addr_type(ip))
    if answer.failed:
        return None
    return any(_same(r, ip) for r in answer.records)


async def fcrdns(resolver: Resolver, ip: str, out: dict[str, Any]) -> None:
    answer = await resolver.query(dns.reversename.from_address(ip).to_text(), "PTR")
    if answer.failed:
        out["ptr"], out["fcrdns"] = [], None
        return
    names = [str(n).lower() for n in answer.records][:MAX_PTR_NAMES]
    out["ptr"] = names
    if not names:
        out["fcrdns"] = False
        return
    checks = await asyncio.gather(*(_resolves_to(resolver, n, ip) for n in names))
    out["fcrdns_names"] = [n for n, ok in zip(names, checks, strict=False) if ok]
    out["fcrdns"] = True if any(checks) else (None if None in checks else False)


async def helo_check(resolver: Resolver, ip: str, helo: str | None, hostname: str | None,
                     out: dict[str, Any]) -> None:
    """Does the HELO name (and the rDNS name the receiver recorded) resolve to the origin address?"""
    out.setdefault("helo_resolves", None)
    out.setdefault("helo_matches_ip", None)
    if helo:
        literal = helo.strip().strip("[]").removeprefix("IPv6:").removeprefix("ipv6:")
        try:
            ipaddress.ip_address(literal)
            out["helo_matches_ip"] = _same(literal, ip)
        except ValueError:
            answer = await resolver.query(helo, _addr_type(ip))
            if not answer.failed:
                addresses = answer.records if answer.ok else []
                out["helo_resolves"] = bool(addresses) or answer.status == "ok"
                if answer.status in ("nxdomain", "nodata"):
                    out["helo_resolves"] = False
                out["helo_matches_ip"] = any(_same(a, ip) for a in addresses)
                out["helo_addresses"] = addresses[:8]
    if hostname and hostname.lower() != (helo or "").lower():
        out["hostname_matches_ip"] = await _resolves_to(resolver, hostname, ip)


async def owner(resolver: Resolver, rdap: Rdap, ip: str, out: dict[str, Any]) -> None:
    asn_task = asyncio.ensure_future(cymru.asn_info(resolver, ip))
    raw = await rdap.ip(ip)
    summary = network_summary(raw)
    if raw is not None:
        out["rdap"] = raw
        out["org"] = summary["org"]
        out["country"] = summary["country"]
        out["rdap_name"] = summary["name"]
        out["prefix"] = summary["cidr"]
        out["abuse_emails"] = summary["abuse_emails"]
    info = await asn_task
    out["asn"] = info.get("asn")
    if info.get("prefix"):
        out["prefix"] = info["prefix"]
    out["country"] = out.get("country") or info.get("country")
    out["as_name"] = info.get("as_name")
    out["org"] = out.get("org") or info.get("as_name")
    kind, operator = netkind.classify(out["asn"], out.get("org"), out.get("as_name"), out.get("rdap_name"))
    out["network_kind"] = kind
    out["network_operator"] = operator


async def origin_facts(resolver: Resolver, rdap: Rdap, settings: Settings, ip: str | None,
                       helo: str | None, hostname: str | None, out: dict[str, Any]) -> None:
    """Fill `out` with what the network says about the origin address."""
    if not ip:
        return
    out.update({"ip": ip, "asn": None, "prefix": None, "country": None, "org": None,
                "network_kind": "unknown", "ptr": [], "fcrdns": None, "helo_resolves": None,
                "helo_matches_ip": None, "dnsbl": {}, "rdap": None, "abuse_emails": []})
    if not public_address(ip):
        out["network_kind"] = "unknown"
        out["note"] = "not a public address"
        return

    async def dnsbl() -> None:
        states, codes = await blocklists.ip_lists(resolver, settings, ip)
        out["dnsbl"] = states
        if codes:
            out["dnsbl_codes"] = codes

    await asyncio.gather(fcrdns(resolver, ip, out), helo_check(resolver, ip, helo, hostname, out),
                         owner(resolver, rdap, ip, out), dnsbl())
