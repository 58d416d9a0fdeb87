"""DNS blocklists for the origin address and for registrable domains.

Some answers do not mean "listed": Spamhaus answers 127.255.255.x when it refuses the query (public
resolver, over quota), URIBL answers 127.0.0.1 for the same reason; those are "unknown". Lists
whose terms require registration (Spamhaus, Barracuda, URIBL, SURBL) are off by default.
"""

from __future__ import annotations

import asyncio
import ipaddress

from ..settings import Settings
from .dns import Resolver

DEFAULT_DNSBLS = ("bl.spamcop.net", "psbl.surriel.com")  # free to query without registration
DEFAULT_DOMAIN_BLOCKLISTS: tuple[str, ...] = ()  # dbl.spamhaus.org, multi.uribl.com ... need registration
OFF = {"none", "off", "-"}


def configured(values: tuple[str, ...], default: tuple[str, ...]) -> list[str]:
    if not values:
        return list(default)
    return [v.strip().lower().strip(".") for v in values if v.strip() and v.strip().lower() not in OFF]


def state(zone: str, codes: list[str], failed: bool) -> str:
    if failed:
        return "unknown"
    if not codes:
        return "clean"
    for code in codes:
        if code.startswith("127.255.255.") or ("uribl" in zone and code == "127.0.0.1"):
            return "unknown"
    if all(code.startswith("127.") for code in codes):
        return "listed"
    return "unknown"  # a wildcard or hijacked answer is not a listing


async def check(resolver: Resolver, name: str, zone: str) -> tuple[str, list[str]]:
    answer = await resolver.query(f"{name}.{zone}", "A")
    codes = [str(c) for c in answer.records] if answer.ok else []
    return state(zone, codes, answer.failed), codes


def reversed_ip(ip: str) -> str | None:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if addr.version == 4:
        return ".".join(reversed(ip.split(".")))
    return ".".join(reversed(addr.exploded.replace(":", "")))


async def ip_lists(resolver: Resolver, settings: Settings, ip: str) -> tuple[dict[str, str], dict[str, list]]:
    rev = reversed_ip(ip)
    zones = configured(settings.dnsbls, DEFAULT_DNSBLS)
    if not rev or not zones:
        return {}, {}
    results = await asyncio.gather(*(check(resolver, rev, z) for z in zones))
    pairs = list(zip(zones, results, strict=True))
    return {z: r[0] for z, r in pairs}, {z: r[1] for z, r in pairs if r[1]}


async def domain_lists(resolver: Resolver, settings: Settings, domain: str) -> dict[str, str]:
    zones = configured(settings.domain_blocklists, DEFAULT_DOMAIN_BLOCKLISTS)
    if not zones:
        return {}
    results = await asyncio.gather(*(check(resolver, domain, z) for z in zones))
    return {z: r[0] for z, r in zip(zones, results, strict=False)}
