"""Abuse mailboxes from raw RDAP answers (RFC 9083), read here rather than trusted from elsewhere.

Registries nest the abuse contact differently: APNIC and RIPE put an `abuse` entity at the top,
ARIN nests it under the organisation, and ICANN's gTLD profile nests it under the `registrar`
entity. Registrars also fill the field with placeholders ("REDACTED FOR PRIVACY", "Please query
the RDDS service of the Registrar of Record"), which must never become a recipient.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 5
MAX_ENTITIES = 200

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


def _vcard_emails(entity: dict[str, Any]) -> list[tuple[int, str]]:
    """(preference, address) for each e-mail property of the entity's vCard; lower pref first."""
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) == 2 and isinstance(card[1], list)):
        return []
    out = []
    for prop in card[1][:100]:
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
        card = entity.get("vcardArray")
        if isinstance(card, list) and len(card) == 2 and isinstance(card[1], list):
            for prop in card[1][:50]:
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
