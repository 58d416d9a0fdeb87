"""RDAP (RFC 9082/9083) for addresses and registrable domains, cached; the one parser of its answers
(networks and contacts with ipwhois's parsers, abuse mailboxes ranked here).

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
    url = https[0] if https else urls[0] if urls else None
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
        self._memo: dict[str, asyncio.Future[tuple[dict[str, Any] | None, int]]] = {}

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
        token = self.resolver.begin("rdap", query)
        result = await get_json(url, budget)
        self.resolver.end(token)
        ms = round((time.perf_counter() - started) * 1000, 2)
        body = result.body if isinstance(result.body, dict) and result.status == 200 else None
        error = None if body is not None else result.error or (
            "answer is not an RDAP object" if result.status == 200 else f"HTTP {result.status}")
        if body is not None and body.get("errorCode"):
            error, body = f"RDAP error {body.get('errorCode')}", None
        self.records.append(LookupRecord("rdap", query, _describe(body) if body else None, ms, error))
        if self.cache is not None and (body is not None or result.status == 404):
            self.cache.put(cache_key, {"body": body}, TTL_FOUND if body is not None else TTL_MISSING)
        return body, parent + 1


def _describe(body: dict[str, Any] | None) -> str:
    if not body:
        return "not found"
    parts = [value for k in ("handle", "name", "ldhName", "country") if isinstance(value := body.get(k), str) and value]
    kind = body.get("objectClassName")
    return " ".join(parts)[:200] or (kind[:50] if isinstance(kind, str) and kind else "object")


# -- parsing ------------------------------------------------------------------------------------
# Registries nest the abuse contact differently: APNIC and RIPE put an `abuse` entity at the top,
# ARIN nests it under the organisation, and ICANN's gTLD profile nests it under the `registrar`
# entity. Registrars also fill the field with placeholders ("REDACTED FOR PRIVACY", "Please query
# the RDDS service of the Registrar of Record"), which must never become a recipient.

MAX_DEPTH = 5

# A plain addr-spec: what an abuse desk publishes. Anything fancier is not worth mailing.
_ADDR = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_PLACEHOLDER_WORDS = ("redacted", "rdds", "privacy", "withheld", "not disclosed", "query the",
                      "noreply", "no-reply", "donotreply", "do-not-reply", "nobody@", "invalid")
_PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org", "example", "invalid", "localhost",
                        "test")


def clean_address(value: Any) -> str | None:
    """The address if it is a real mailbox, else None (placeholders, redactions, junk)."""
    if not isinstance(value, str):
        return None
    text = value.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if len(text) > 254 or not _ADDR.match(text):
        return None
    lower = text.lower()
    if any(word in lower for word in _PLACEHOLDER_WORDS):
        return None
    domain = lower.rsplit("@", 1)[1]
    if any(domain == d or domain.endswith("." + d) for d in _PLACEHOLDER_DOMAINS):
        return None
    # The RFC 2606 second-level names under any TLD (example.co.jp and kin) are placeholders too.
    if re.search(r"(^|\.)example\.[a-z.]+$", domain):
        return None
    return text


def _vcard(entity: dict[str, Any]) -> list[Any]:
    """The properties of the entity's jCard (RFC 7095: ["vcard", [props…]]), or [] if malformed."""
    card = entity.get("vcardArray")
    return card[1] if isinstance(card, list) and len(card) == 2 and isinstance(card[1], list) else []


def _vcard_emails(entity: dict[str, Any]) -> list[tuple[int, str]]:
    """(preference, address) for each e-mail property of the entity's vCard; lower pref first."""
    out = []
    for prop in _vcard(entity)[:100]:
        if not (isinstance(prop, list) and len(prop) >= 4 and prop[0] == "email"):
            continue
        params = prop[1] if isinstance(prop[1], dict) else {}
        try:
            pref = int(str(params.get("pref", 100)))
        except ValueError:
            pref = 100
        address = clean_address(prop[3])
        if address:
            out.append((pref, address))
    return out


def _roles(entity: dict[str, Any]) -> set[str]:
    roles = entity.get("roles")
    return {r.lower() for r in roles if isinstance(r, str)} if isinstance(roles, list) else set()


def _walk(node: dict[str, Any], path: tuple[frozenset[str], ...], depth: int,
          out: list[tuple[tuple[frozenset[str], ...], dict[str, Any]]]) -> None:
    """Every entity below `node` with the roles of the entities above it."""
    if depth > MAX_DEPTH:
        return
    entities = node.get("entities")
    if not isinstance(entities, list):
        return
    for entity in entities:
        if len(out) >= MAX_ENTITIES:
            return
        if not isinstance(entity, dict):
            continue
        here = (*path, frozenset(_roles(entity)))
        out.append((here, entity))
        _walk(entity, here, depth + 1, out)


def abuse_emails(rdap: Any, under: str | None = None) -> list[str]:
    """Abuse mailboxes in an RDAP object, best first.

    `under="registrar"` asks for the registrar's abuse contact in a domain answer: an abuse
    entity nested below the registrar wins, a top-level one is the fallback. Without `under`
    (IP networks) any abuse entity counts, the shallowest first, each ordered by vCard `pref`.
    """
    if not isinstance(rdap, dict):
        return []
    found: list[tuple[tuple[frozenset[str], ...], dict[str, Any]]] = []
    _walk(rdap, (), 0, found)
    ranked: list[tuple[int, int, int, str]] = []
    for order, (path, entity) in enumerate(found):
        if "abuse" not in path[-1]:
            continue
        if under is not None:
            tier = 0 if any(under in roles for roles in path[:-1]) or under in path[-1] else 1
        else:
            tier = len(path)
        for pref, address in _vcard_emails(entity):
            ranked.append((tier, pref, order, address))
    seen: set[str] = set()
    out = []
    for *_key, address in sorted(ranked):
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def entity_name(rdap: Any, role: str) -> str | None:
    """The `fn` of the first entity with this role (e.g. the registrar's name), for the reasons."""
    if not isinstance(rdap, dict):
        return None
    found: list[tuple[tuple[frozenset[str], ...], dict[str, Any]]] = []
    _walk(rdap, (), 0, found)
    for path, entity in found:
        if role not in path[-1]:
            continue
        for prop in _vcard(entity)[:50]:
            if isinstance(prop, list) and len(prop) >= 4 and prop[0] == "fn" and isinstance(prop[3], str):
                return prop[3][:200]
    return None


def network_name(rdap: Any) -> str | None:
    """A network's name and holder, e.g. "UCLOUD-NET (Shanghai UCloud ...)", for the reasons."""
    if not isinstance(rdap, dict):
        return None
    name = rdap.get("name") if isinstance(rdap.get("name"), str) else None
    holder = entity_name(rdap, "registrant")
    parts = [p[:200] for p in (name, holder) if p]
    if len(parts) == 2:
        return f"{parts[0]} ({parts[1]})"
    return parts[0] if parts else None


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


def _entities(node: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[tuple[tuple[frozenset[str], ...], dict[str, Any]]] = []
    _walk(node, (), 0, found)
    return [entity for _path, entity in found]


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
        for ent in _entities(raw):
            if wanted in _roles(ent):
                owner = contact_name(ent)
                if owner:
                    break
        if owner:
            break
    out["org"] = owner or out["name"]
    if isinstance(out["country"], str):
        out["country"] = out["country"].upper()[:2]
    out["abuse_emails"] = abuse_emails(raw)[:10]
    return out


def domain_summary(raw: dict[str, Any] | None, now: datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"registered": None, "age_days": None, "registrar": None, "registrar_abuse": [],
                           "ns": []}
    if not isinstance(raw, dict):
        return out
    for event in _list(raw.get("events")):
        if isinstance(event, dict) and str(event.get("eventAction", "")).lower() == "registration":
            when = _date(event.get("eventDate"))
            if when:
                out["registered"] = when.date().isoformat()
                out["age_days"] = max(0, ((now or datetime.now(timezone.utc)) - when).days)
    for ent in _entities(raw):
        if "registrar" in _roles(ent):
            out["registrar"] = contact_name(ent)
            out["registrar_abuse"] = abuse_emails(raw, under="registrar")[:3] or \
                [address for _pref, address in sorted(_vcard_emails(ent))][:3]
            break
    out["ns"] = [str(ns.get("ldhName", "")).lower().rstrip(".") for ns in _list(raw.get("nameservers"))
                 if isinstance(ns, dict) and ns.get("ldhName")][:10]
    return out


def _list(value: Any) -> list[Any]:
    """A JSON array of the answer, or [] when the server sent something else in its place."""
    return value if isinstance(value, list) else []


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
