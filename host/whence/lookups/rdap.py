"""RDAP (RFC 9082/9083) for addresses and registrable domains, cached, with ipwhois's parsing.

The server comes from the bundled IANA bootstrap snapshot, or from `rdap.base_url` when set
(`<base>ip/<address>`, `<base>domain/<name>`). Answers are cached for a day (a missing object for
an hour); every query is recorded for the report.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import time
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ipwhois.rdap import _RDAPContact, _RDAPNetwork

from ..model import LookupRecord
from ..settings import Settings
from .cache import Cache
from .dns import Resolver, current_depth, mark_depth
from .http import get_json

DATA = Path(__file__).resolve().parents[1] / "data"

TTL_FOUND = 24 * 3600
TTL_MISSING = 3600
MAX_ENTITIES = 200


@lru_cache(maxsize=4)
def _bootstrap(kind: str) -> list[tuple[list[str], list[str]]]:
    try:
        text = (DATA / "rdap-bootstrap" / f"{kind}.json").read_text("utf-8")
        return [(list(entries), list(urls)) for entries, urls in json.loads(text)["services"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _pick(urls: list[str]) -> str | None:
    https = [u for u in urls if u.startswith("https://")]
    url = (https or urls or [None])[0]
    return url if url is None or url.endswith("/") else url + "/"


def server_for_ip(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    best: tuple[int, str | None] = (-1, None)
    for entries, urls in _bootstrap("ipv4" if ip.version == 4 else "ipv6"):
        for entry in entries:
            try:
                net = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                continue
            if net.version == ip.version and ip in net and net.prefixlen > best[0]:
                best = (net.prefixlen, _pick(urls))
    return best[1]


def server_for_domain(name: str) -> str | None:
    labels = name.lower().rstrip(".").split(".")
    for n in range(1, len(labels)):  # longest matching suffix first
        suffix = ".".join(labels[n:])
        for entries, urls in _bootstrap("dns"):
            if suffix in entries:
                return _pick(urls)
    return None


class Rdap:
    """RDAP for one message, sharing the resolver's deadline, records and critical-path depth."""

    def __init__(self, settings: Settings, cache: Cache | None, resolver: Resolver) -> None:
        self.base = settings.rdap_base_url
        if self.base and not self.base.endswith("/"):
            self.base += "/"
        self.cache = cache
        self.resolver = resolver
        self.records: list[LookupRecord] = resolver.records
        self._memo: dict[str, asyncio.Future[dict[str, Any] | None]] = {}

    def url_for(self, kind: str, key: str) -> str | None:
        base = self.base or (server_for_ip(key) if kind == "ip" else server_for_domain(key))
        if not base:
            return None
        return f"{base}{kind}/{quote(key, safe=':.')}"

    async def ip(self, address: str) -> dict[str, Any] | None:
        return await self._get("ip", address)

    async def domain(self, name: str) -> dict[str, Any] | None:
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        return await self._get("domain", name.lower())

    async def _get(self, kind: str, key: str) -> dict[str, Any] | None:
        memo_key = f"{kind}/{key}"
        if memo_key not in self._memo:
            self._memo[memo_key] = asyncio.ensure_future(self._fetch(kind, key, current_depth()))
        result, depth = await asyncio.shield(self._memo[memo_key])
        mark_depth(self.resolver, current_depth(), depth)
        return result

    async def _fetch(self, kind: str, key: str, parent: int) -> tuple[dict[str, Any] | None, int]:
        url = self.url_for(kind, key)
        query = f"{kind} {key}"
        if url is None:
            self.records.append(LookupRecord("rdap", query, None, 0.0, "no RDAP service known"))
            return None, parent
        cache_key = f"rdap:{url}"
        if self.cache is not None:
            hit = self.cache.get(cache_key)
            if isinstance(hit, dict):
                body = hit.get("body")
                self.records.append(LookupRecord("rdap", query, _describe(body) + " (cached)", 0.0,
                                                 None if body else "not found"))
                return body, parent
        budget = min(self.resolver.timeout * 2, self.resolver.remaining())
        if budget <= 0:
            self.records.append(LookupRecord("rdap", query, None, 0.0, "deadline"))
            return None, parent
        started = time.perf_counter()
        result = await get_json(url, budget)
        ms = round((time.perf_counter() - started) * 1000, 2)
        body = result.body if isinstance(result.body, dict) and result.status == 200 else None
        error = result.error if body is None else None
        if body is not None and body.get("errorCode"):
            body, error = None, f"RDAP error {body.get('errorCode')}"
        self.records.append(LookupRecord("rdap", query, _describe(body) if body else None, ms, error))
        if self.cache is not None and (body is not None or result.status == 404):
            self.cache.put(cache_key, {"body": body}, TTL_FOUND if body is not None else TTL_MISSING)
        return body, parent + 1


def _describe(body: dict[str, Any] | None) -> str:
    if not body:
        return "not found"
    parts = [str(body.get(k)) for k in ("handle", "name", "ldhName", "country") if body.get(k)]
    return " ".join(parts)[:200] or str(body.get("objectClassName", "object"))


# -- parsing ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PLACEHOLDER = re.compile(r"redact|privacy|not ?disclosed|withheld|query the rdds|please contact|"
                          r"@example\.|noreply|no-reply|invalid", re.I)


def _entities(node: dict[str, Any], depth: int = 0, seen: list[int] | None = None):
    """Walk nested entities (RFC 9083 §5.1), bounded in depth and number."""
    seen = [0] if seen is None else seen
    if depth > 6:
        return
    for ent in node.get("entities") or []:
        if not isinstance(ent, dict) or seen[0] >= MAX_ENTITIES:
            return
        seen[0] += 1
        yield ent, depth
        yield from _entities(ent, depth + 1, seen)


def _roles(ent: dict[str, Any]) -> list[str]:
    roles = ent.get("roles") or []
    return [str(r).lower() for r in roles] if isinstance(roles, list) else []


def _vcard(ent: dict[str, Any]) -> list[Any]:
    try:
        card = ent["vcardArray"][1]
        return card if isinstance(card, list) else []
    except (KeyError, IndexError, TypeError):
        return []


def contact_name(ent: dict[str, Any]) -> str | None:
    """The entity's name (vCard fn, else org) by ipwhois's vCard parser."""
    card = _vcard(ent)
    if not card:
        return None
    try:
        c = _RDAPContact(card)
        c.parse()
        name = c.vars.get("name")
    except Exception:
        name = None
    if not name:
        for prop in card:
            if isinstance(prop, list) and len(prop) >= 4 and prop[0] == "org":
                name = prop[3] if isinstance(prop[3], str) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def _pref(params: Any) -> int:
    if not isinstance(params, dict):
        return 100
    pref = params.get("pref")
    if isinstance(pref, list):
        pref = pref[0] if pref else None
    try:
        return int(pref) if pref is not None else 100
    except (TypeError, ValueError):
        return 100


def entity_emails(ent: dict[str, Any]) -> list[str]:
    """The entity's e-mail addresses, vCard `pref` first, placeholders and redactions dropped."""
    found: list[tuple[int, int, str]] = []
    for n, prop in enumerate(_vcard(ent)):
        if not (isinstance(prop, list) and len(prop) >= 4 and prop[0] == "email"):
            continue
        value = prop[3]
        if not isinstance(value, str):
            continue
        value = value.strip().removeprefix("mailto:")
        if _EMAIL.match(value) and not _PLACEHOLDER.search(value):
            found.append((_pref(prop[1]), n, value.lower()))
    return [v for _p, _n, v in sorted(found)]


def abuse_emails(node: dict[str, Any] | None, within_role: str | None = None) -> list[str]:
    """Abuse contacts anywhere in the entity tree (or only under entities with `within_role`)."""
    if not isinstance(node, dict):
        return []
    out: list[str] = []
    roots = [node]
    if within_role:
        roots = [e for e, _d in _entities(node) if within_role in _roles(e)]
    for root in roots:
        for ent, _depth in _entities(root):
            if "abuse" in _roles(ent):
                out.extend(entity_emails(ent))
        if root is not node and "abuse" in _roles(root):
            out.extend(entity_emails(root))
    return list(dict.fromkeys(out))[:10]


def network_summary(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Owner, country and range of an IP network object (ipwhois's network parser)."""
    out: dict[str, Any] = {"org": None, "country": None, "name": None, "cidr": None, "handle": None}
    if not isinstance(raw, dict):
        return out
    try:
        net = _RDAPNetwork(raw)
        net.parse()
        for key in ("name", "country", "cidr", "handle"):
            out[key] = net.vars.get(key)
    except Exception:
        out.update({k: raw.get(k) for k in ("name", "country", "handle") if isinstance(raw.get(k), str)})
    owner = None
    for wanted in ("registrant", "administrative", "technical"):
        for ent, _depth in _entities(raw):
            if wanted in _roles(ent):
                owner = contact_name(ent)
                if owner:
                    break
        if owner:
            break
    out["org"] = owner or out["name"]
    if isinstance(out["country"], str):
        out["country"] = out["country"].upper()[:2]
    out["abuse_emails"] = abuse_emails(raw)
    return out


def domain_summary(raw: dict[str, Any] | None, now: datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"registered": None, "age_days": None, "registrar": None, "registrar_abuse": [],
                           "ns": []}
    if not isinstance(raw, dict):
        return out
    for event in raw.get("events") or []:
        if isinstance(event, dict) and str(event.get("eventAction", "")).lower() == "registration":
            when = _date(event.get("eventDate"))
            if when:
                out["registered"] = when.date().isoformat()
                out["age_days"] = max(0, ((now or datetime.now(timezone.utc)) - when).days)
    for ent, _depth in _entities(raw):
        if "registrar" in _roles(ent):
            out["registrar"] = contact_name(ent)
            out["registrar_abuse"] = abuse_emails({"entities": [ent]}) or entity_emails(ent)[:3]
            break
    out["ns"] = [str(ns.get("ldhName", "")).lower().rstrip(".") for ns in raw.get("nameservers") or []
                 if isinstance(ns, dict) and ns.get("ldhName")][:10]
    return out


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
