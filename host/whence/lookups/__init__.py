"""The lookups stage: the only code that touches the network (DNS, RDAP, feeds).

`gather` runs every lookup concurrently under one deadline and returns what it learned;
offline mode never calls it. Each part writes into the result as it goes, so when the deadline
strikes the report keeps everything that had already arrived.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..domains import registrable_domain
from ..model import AuthResult, Facts, LookupRecord, Lookups
from ..settings import Settings
from . import cymru, feeds, netkind
from .cache import Cache, NullCache, default_path
from .dkimcheck import arc_recheck, dkim_rechecks, key_names
from .dmarc import dmarc_recheck, org_domain
from .dns import Resolver
from .linkdomains import domain_facts
from .origin import origin_facts, public_address
from .rdap import Rdap
from .spfcheck import spf_recheck

MAX_DOMAINS = 15
MAX_HOPS = 6  # hop addresses placed on the panel's map besides the origin
LAST_CRITICAL_PATH: int | None = None  # round trips in sequence in the last gather (for bench/)

__all__ = ["gather", "link_domains", "open_cache", "update_feeds"]

update_feeds = feeds.update_feeds


def open_cache() -> Cache:
    try:
        return Cache(default_path())
    except Exception:
        return NullCache()


def link_domains(facts: Facts) -> dict[str, list[str]]:
    """Registrable domains to look up (links, then the From domain) → the full hosts seen under each."""
    out: dict[str, list[str]] = {}
    for link in facts.links:
        domain = link.domain or registrable_domain(link.host)
        if not domain or (link.host and registrable_domain(link.host) is None and link.domain is None):
            continue
        hosts = out.setdefault(domain.lower(), [])
        if link.host and link.host.lower() not in hosts and link.host.lower() != domain.lower():
            hosts.append(link.host.lower())
    if facts.from_ and facts.from_.domain:
        domain = registrable_domain(facts.from_.domain)
        if domain:
            out.setdefault(domain.lower(), [])
    return dict(list(out.items())[:MAX_DOMAINS])


async def _auth(resolver: Resolver, facts: Facts, raw: bytes, out: Lookups) -> None:
    from_domain = facts.from_.domain if facts.from_ and facts.from_.domain else None
    origin = facts.origin
    prefetch = [f"{n}" for n in key_names(raw)]
    warm = [resolver.query(n, "TXT") for n in prefetch]
    if from_domain:
        org = org_domain(from_domain)
        warm += [resolver.query(f"_dmarc.{d}", "TXT") for d in dict.fromkeys([from_domain, org])]
    mailfrom = (facts.return_path or "").strip("<>")
    if origin.ip and mailfrom and "@" in mailfrom:
        warm.append(resolver.query(mailfrom.rpartition("@")[2], "TXT"))
    warming = asyncio.gather(*warm)

    spf: AuthResult | None = None

    async def do_spf() -> None:
        nonlocal spf
        if not origin.ip:
            return
        if origin.authenticated:
            return  # authenticated submission: SPF speaks for the provider's relay, not this client
        spf = await spf_recheck(resolver, origin.ip, mailfrom, origin.helo)
        out.rechecks.append(spf)

    dkim: list[AuthResult] = []

    async def do_dkim() -> None:
        dkim.extend(await dkim_rechecks(resolver, raw, from_domain, org_domain))
        out.rechecks.extend(dkim)

    async def do_arc() -> None:
        arc = await arc_recheck(resolver, raw)
        if arc is not None:
            out.rechecks.append(arc)

    await asyncio.gather(do_spf(), do_dkim(), do_arc())
    if from_domain:
        out.rechecks.append(await dmarc_recheck(resolver, from_domain, spf, dkim))
    await warming


async def _domains(resolver: Resolver, rdap: Rdap, facts: Facts, settings: Settings, out: Lookups) -> None:
    wanted = link_domains(facts)
    index = feeds.load(settings) if settings.feeds else {}
    jobs = []
    for domain, hosts in wanted.items():
        hits: list[str] = []
        if index:
            for link in facts.links:
                if link.domain and link.domain.lower() == domain:
                    for name in feeds.matches(index, link.url, link.host):
                        if name not in hits:
                            hits.append(name)
            for name in index:
                out.records.append(LookupRecord("feed", f"{name} {domain}",
                                                "listed" if name in hits else "not listed", 0.0))
        entry: dict[str, Any] = {}
        out.domains[domain] = entry
        jobs.append(domain_facts(resolver, rdap, settings, domain, hosts, hits, entry))
    await asyncio.gather(*jobs)


async def _hops(resolver: Resolver, facts: Facts, out: Lookups) -> None:
    """Country and network of the hops the recipient's side recorded after the origin (its provider's
    servers), for the map: one Team Cymru query each. Hops older than the origin were written by the
    sender's side and may be invented, so they are not looked up."""
    o = facts.origin
    if o.hop_index is None:
        return
    wanted: list[str] = []
    for hop in facts.hops:
        ip = hop.from_ip
        if (hop.index < o.hop_index and ip and ip != o.ip and ip not in wanted and public_address(ip)
                and len(wanted) < MAX_HOPS):
            wanted.append(ip)

    async def one(ip: str) -> None:
        info = await cymru.asn_info(resolver, ip)
        kind, _operator = netkind.classify(info.get("asn"), info.get("as_name"))
        out.hops[ip] = {"country": info.get("country"), "asn": info.get("asn"), "as_name": info.get("as_name"),
                        "network_kind": kind}

    await asyncio.gather(*(one(ip) for ip in wanted))


async def gather(facts: Facts, raw: bytes, settings: Settings) -> Lookups:
    """Every lookup for one message, concurrently, under `settings.deadline_ms`."""
    started = time.monotonic()
    deadline = started + max(0.05, settings.deadline_ms / 1000)
    cache = open_cache()
    resolver = Resolver(settings, cache, deadline)
    rdap = Rdap(settings, cache, resolver)
    out = Lookups(records=resolver.records, done=True)
    o = facts.origin
    parts = {
        "origin": origin_facts(resolver, rdap, settings, o.ip, o.helo, o.hostname, out.origin),
        "auth": _auth(resolver, facts, raw, out),
        "domains": _domains(resolver, rdap, facts, settings, out),
        "hops": _hops(resolver, facts, out),
    }
    tasks = {name: asyncio.ensure_future(coro) for name, coro in parts.items()}
    try:
        done, pending = await asyncio.wait(tasks.values(), timeout=max(0.0, deadline - time.monotonic()))
        for task in pending:
            task.cancel()
        if pending:
            names = [n for n, t in tasks.items() if t in pending]
            out.errors.append(f"deadline of {settings.deadline_ms} ms reached; "
                              f"unfinished: {', '.join(names)}")
        for name, task in tasks.items():
            if task in done and task.exception() is not None:
                exc = task.exception()
                out.errors.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
    finally:
        resolver.closed = True
        resolver.record_unfinished()
    global LAST_CRITICAL_PATH
    LAST_CRITICAL_PATH = resolver.max_depth
    return out
