"""Link intelligence for registrable domains: registration age and registrar (RDAP), name servers,
the network that hosts the domain (A → Cymru/RDAP), domain blocklists, feeds, popularity.

Privacy: only registrable domains are queried, never the full link host (which may be unique to
this recipient), unless `lookups.deep` is on. No URL is ever fetched.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from ..domainlists import popular_rank
from ..settings import Settings
from . import blocklists, cymru, netkind
from .dns import Resolver
from .origin import public_address
from .rdap import Rdap, domain_summary, network_summary

MAX_DEEP_HOSTS = 5


def _ip_order(ip: str) -> tuple[int, int]:
    """A stable choice among a domain's addresses (DNS returns them in any order)."""
    try:
        addr = ipaddress.ip_address(ip)
        return addr.version, int(addr)
    except ValueError:
        return 9, 0


async def hosting(resolver: Resolver, rdap: Rdap, ip: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ip": ip, "asn": None, "org": None, "country": None, "network_kind": "unknown",
                           "rdap": None, "abuse_emails": []}
    if not public_address(ip):
        return out
    info, raw = await asyncio.gather(cymru.asn_info(resolver, ip), rdap.ip(ip))
    summary = network_summary(raw)
    out.update({"asn": info.get("asn"), "org": summary["org"] or info.get("as_name"),
                "country": summary["country"] or info.get("country"), "rdap": raw,
                "abuse_emails": summary["abuse_emails"]})
    out["network_kind"], out["network_operator"] = netkind.classify(out["asn"], out["org"],
                                                                   info.get("as_name"), summary["name"])
    return out


async def domain_facts(resolver: Resolver, rdap: Rdap, settings: Settings, domain: str, hosts: list[str],
                       feed_hits: list[str], out: dict[str, Any]) -> None:
    """Fill `out` (the report's domains[domain]) as answers arrive."""
    out.update({"registered": None, "age_days": None, "registrar": None, "registrar_abuse": [], "rdap": None,
                "ns": [], "hosting": None, "blocklisted": [], "feed": feed_hits,
                "popular_rank": popular_rank(domain)})

    async def registration() -> None:
        raw = await rdap.domain(domain)
        summary = domain_summary(raw)
        out["rdap"] = raw
        for key in ("registered", "age_days", "registrar", "registrar_abuse"):
            out[key] = summary[key]
        if not out["ns"]:
            out["ns"] = summary["ns"]

    async def nameservers() -> None:
        answer = await resolver.query(domain, "NS")
        if answer.ok:
            out["ns"] = sorted(str(n).lower() for n in answer.records)[:10]

    async def hosted() -> None:
        names = [domain] + (hosts[:MAX_DEEP_HOSTS] if settings.deep_lookups else [])
        answers = await asyncio.gather(*(resolver.query(n, "A") for n in names))
        if settings.deep_lookups:
            out["hosts"] = {n: a.records[:4] for n, a in zip(names, answers, strict=False) if a.ok}
        ip = next((min(a.records, key=_ip_order) for a in answers if a.ok and a.records), None)
        if ip:
            out["hosting"] = await hosting(resolver, rdap, ip)

    async def listed() -> None:
        states = await blocklists.domain_lists(resolver, settings, domain)
        out["blocklists"] = states
        out["blocklisted"] = [z for z, s in states.items() if s == "listed"]

    await asyncio.gather(registration(), nameservers(), hosted(), listed())
